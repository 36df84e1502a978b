/**
 * The README's GraphiQL walk-through, in Chromium against what `npm start` runs: each of its
 * operations pasted into GraphiQL's editor as written (the Variables and Headers tabs filled where
 * the README says so), run, and its result read from the result pane: the files, the folder and
 * the move, a download URL that the page then opens, a web page added, an answer and a follow-up
 * with sources, memories listed, edited and deleted, the biography corrected, a test user forgotten.
 * One browser, one page, one GraphiQL load.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEV_SERVICE_KEY } from '../../src/config.js';
import { extractExamples } from '../support/readme-examples.js';
import { fillGraphiqlTool, graphiqlEditorText, pasteInto, runGraphiqlOperation, useBrowserOnDevServer } from './support.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('## A walk through it all in GraphiQL'));
const steps = extractExamples(section.slice(0, section.indexOf('\n## ', 1))).filter((e) => e.lang === 'graphql');
const nameOf = (code: string) => /^(?:query|mutation)\s+(\w+)/m.exec(code)?.[1] ?? '';

// Answers at the emulator's own pace: nothing here watches them stream.
const session = useBrowserOnDevServer({ tokenDelayMs: null });

/** Upstream calls of a Synvo route so far, from the emulator's counters. */
async function synvoCalls(route: string): Promise<number> {
  const synvo = /Synvo emulator\s+(http:\/\/\S+)/.exec(session.startLog)![1]!;
  const calls = (await (await fetch(`${synvo}/__emulator/calls`)).json()) as { routes: Record<string, { total: number }> };
  return calls.routes[route]?.total ?? 0;
}

describe('the README walk-through in GraphiQL', () => {
  it('walks every step for the seed user and shows each expected result', async () => {
    expect(steps.map((s) => nameOf(s.code))).toEqual([
      'ListFiles', 'MakeFolder', 'MoveFile', 'DownloadUrl', 'AddWebPage', 'AskFirst', 'AskFollowUp',
      'ListMemories', 'EditMemory', 'DeleteMemory', 'CorrectBiography', 'MakeTestUser', 'ForgetTestUser',
    ]);
    const { page } = session;
    const gateway = new URL(session.dev.url).host;
    await page.goto(session.dev.url);
    await expect.poll(() => graphiqlEditorText(page), { timeout: 20_000 }).toContain('query FullView');
    const results: Record<string, any> = {};
    let asService = false;
    for (const step of steps) {
      const name = nameOf(step.code);
      if (step.serviceKey && !asService) {
        await fillGraphiqlTool(page, 'Headers', JSON.stringify({ 'x-api-key': DEV_SERVICE_KEY }));
        asService = true;
      }
      if (name === 'AskFollowUp') await fillGraphiqlTool(page, 'Variables', JSON.stringify({ parentId: results['AskFirst'].data.viewer.ask.messageId }));
      // The README's addresses are `npm start`'s default port; this gateway has a free one.
      await pasteInto(page, '.graphiql-query-editor', step.code.trim().replaceAll('127.0.0.1:4000', gateway));
      const result = await runGraphiqlOperation(page, name);
      expect(result.errors, `${name}: no errors`).toBeUndefined();
      for (const text of step.expect) expect(JSON.stringify(result), name).toContain(text);
      results[name] = result;
    }

    expect(results['ListFiles'].data.viewer.files.map((f: { name: string }) => f.name)).toContain('operating-profit-margin-notes.txt');
    // The download URL opens from the page itself, with the file's text, fetched from Synvo (the emulator).
    const url = results['DownloadUrl'].data.viewer.file.downloadUrl as string;
    const fetchedBefore = await synvoCalls('fileContent');
    const opened = await page.evaluate(async (href) => {
      const res = await fetch(href);
      return { status: res.status, text: await res.text() };
    }, url);
    expect(opened.status).toBe(200);
    expect(opened.text.toLowerCase()).toContain('operating profit margin');
    expect(await synvoCalls('fileContent')).toBe(fetchedBefore + 1);
    expect(results['AddWebPage'].data.addWebpage.id).toMatch(/\S/);
    // The follow-up names its parent and cites sources; both answers drew on the moved file.
    const [first, next] = [results['AskFirst'].data.viewer.ask, results['AskFollowUp'].data.viewer.ask];
    expect(next.messageId).not.toBe(first.messageId);
    for (const answer of [first, next]) {
      expect(answer.sources.map((s: { path: string }) => s.path)).toContain('/course-notes/operating-profit-margin-notes.txt');
    }
    expect(results['CorrectBiography'].data.updateBiography.__typename).toBe('Biography');
    expect(session.browser.external).toEqual([]);
  });
});
