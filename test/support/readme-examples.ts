/**
 * The README's fenced blocks with their `<!-- readme-test: ... -->` directives: what the README
 * test runs (test/e2e/readme/readme-examples.test.ts) and what the GraphiQL walk-through test
 * pastes (test/browser/walkthrough.test.ts).
 */
export interface Example {
  lang: string;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
  skip?: string;
  expect: string[];
  errorsOk: boolean;
  /** A graphql block run with the development service key instead of the development JWT. */
  serviceKey: boolean;
}

/** The fenced blocks of a markdown text with the `readme-test` directives in the comments just before each. */
export function extractExamples(markdown: string): Example[] {
  const lines = markdown.split('\n');
  const examples: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    // Any fence outside a block opens one: its first word is the language (```json mcp-config: json).
    const open = /^```([\w-]*)/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    const example: Example = { lang: open[1] ?? '', code: body.join('\n') + '\n', line: start + 1, expect: [], errorsOk: false, serviceKey: false };
    // Directives: the comment lines right above the fence (blank lines between are allowed).
    for (let j = start - 1; j >= 0; j--) {
      const text = lines[j]!.trim();
      if (text === '') continue;
      const directive = /^<!--\s*readme-test:\s*(skip|expect|errors-ok|service-key)\s*(.*?)\s*-->$/.exec(text);
      if (!directive) break;
      if (directive[1] === 'skip') example.skip = directive[2] || 'not runnable';
      else if (directive[1] === 'errors-ok') example.errorsOk = true;
      else if (directive[1] === 'service-key') example.serviceKey = true;
      else example.expect.unshift(JSON.parse(directive[2]!) as string);
    }
    examples.push(example);
  }
  return examples;
}
