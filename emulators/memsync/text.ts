/** Small, deterministic text helpers shared by extraction, search and bio composition. */

const STOPWORDS = new Set(
  ('a an and are as at be been but by can could did do does for from had has have he her hers him his how i if in ' +
    'into is it its me my mine myself of on or our ours she so than that the their theirs them then there these they ' +
    'this those to too user us very was we were what when where which who whom why will with would you your yours ' +
    'about also just more most some such only own same other any each few all both not no nor s t don should now ' +
    'being having doing am im ive id ill over under again further once here out up down off').split(' '),
);

/** Lower-cases, splits on anything that is not a letter or digit, drops stop words, and stems lightly. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (raw.length < 2 || STOPWORDS.has(raw)) continue;
    out.push(stem(raw));
  }
  return out;
}

/** A light suffix stripper (not Porter): enough for "hiking" ~ "hike", "conferences" ~ "conference". */
export function stem(word: string): string {
  let w = word;
  if (w.length <= 3) return w;
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (/(ss|sh|ch|x|z)es$/.test(w)) w = w.slice(0, -2);
  else if (w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.endsWith('ing') && w.length > 5) w = w.slice(0, -3).replace(/([^aeiouls])\1$/, '$1');
  else if (w.endsWith('ed') && w.length > 4) w = w.slice(0, -2).replace(/([^aeiouls])\1$/, '$1');
  if (w.endsWith('e') && w.length > 3) w = w.slice(0, -1);
  return w;
}

/** Words as the bio rules count them: whitespace-separated runs that contain a letter or digit. */
export function countWords(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

const ABBREVIATION = /(^|\s)([A-Z]|Dr|Mr|Mrs|Ms|Prof|Sr|Jr|St|Mt|vs|etc|e\.g|i\.e)\.$/;

/**
 * Splits prose into sentences on `.`, `!`, `?` followed by a space or the end, and on line breaks;
 * initials and common abbreviations ("K.", "Dr.", "e.g.") do not end a sentence.
 */
export function sentences(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\n+/)) {
    let current = '';
    for (const piece of line.split(/(?<=[.!?])\s+(?=\S)/)) {
      current = current ? `${current} ${piece}` : piece;
      if (!ABBREVIATION.test(current)) {
        out.push(current);
        current = '';
      }
    }
    if (current) out.push(current);
  }
  return out.map((s) => s.trim()).filter((s) => s.length > 0);
}

/** ISO 8601 in UTC with `Z` and whole seconds, as MemSync writes times. */
export function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
