/**
 * GraphiQL in Debian's Chromium against what `npm start` runs (emulators, gateway): it loads with
 * no request leaving the machine, opens on the README's FullView query with the development JWT,
 * shows the seed data when run, and shows `Subscription.ask`'s answer growing token by token.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startDevServer, type DevServer } from '../../scripts/dev-server.js';
import { growth, lengthsPerFrame, openBrowser, slowAnswers, type Browser } from '../support/browser.js';

/** An editor's text as shown, whitespace collapsed (Monaco shows spaces as no-break spaces and wraps long lines). */
const shown = async (page: Page, selector: string) => (await page.locator(selector).innerText()).replace(/\s+/g, ' ');
const editorText = (page: Page) => shown(page, '.graphiql-query-editor');

let dev: DevServer;
let browser: Browser;

beforeAll(async () => {
  const lines: string[] = [];
  dev = await startDevServer(loadConfig({ HOST: '127.0.0.1', PORT: '0', SYNVO_EMULATOR_PORT: '0', MEMSYNC_EMULATOR_PORT: '0', LOG_LEVEL: 'silent' }), {
    log: (line) => lines.push(line),
  });
  // Answers stream a token every 40 ms (the emulator's own pace is 5 ms): a loaded machine cannot
  // fold the whole answer into one or two frames, so a page that streams shows it growing.
  await slowAnswers(lines.join('\n'), 40);
  browser = await openBrowser();
});
afterAll(async () => {
  await browser?.close();
  await dev?.stop();
});

describe('GraphiQL', () => {
  it('loads from the gateway alone, runs the README query as the seed user default and shows its data', async () => {
    const { page } = browser;
    await page.goto(dev.url);
    await page.locator('.graphiql-container').first().waitFor();
    await expect.poll(() => editorText(page), { timeout: 20_000 }).toContain('query FullView');
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(() => shown(page, '.graphiql-response'), { timeout: 20_000 }).toContain('Nanyang Technological University (NTU)');
    const response = await shown(page, '.graphiql-response');
    // The pane shows its first screenful (Monaco renders the lines in view): the user, and no errors.
    expect(response).toMatch(/^\{ "data": \{ "viewer": \{ "name": "default", "profile": \{/);
    expect(browser.external).toEqual([]);
  });

  it('shows a streamed answer growing token by token in its Stream panel', async () => {
    const { page } = browser;
    const subscription = 'subscription { ask(question: "What is a neural network?") { token } }';
    await page.goto(`${dev.url}?query=${encodeURIComponent(subscription)}`);
    await page.locator('.graphiql-container').first().waitFor();
    await expect.poll(() => editorText(page), { timeout: 20_000 }).toContain('subscription');
    const frames = lengthsPerFrame(page, '[data-testid="memgate-stream-text"]', { selector: '[data-testid="memgate-stream"]', text: 'completed' });
    await page.locator('.graphiql-execute-button').click();
    const lengths = await frames;
    // The text showed many different lengths on its way: it grew while the answer streamed.
    expect(growth(lengths).length).toBeGreaterThanOrEqual(3);
    const text = await page.locator('[data-testid="memgate-stream-text"]').innerText();
    expect(text.toLowerCase()).toContain('neural network');
    expect(browser.external).toEqual([]);
  });
});
