/**
 * GraphiQL in Debian's Chromium against what `npm start` runs (emulators, gateway): it loads with
 * no request leaving the machine, opens on the README's FullView query with the development JWT,
 * shows the seed data when run, and shows `Subscription.ask`'s answer growing token by token.
 */
import { describe, expect, it } from 'vitest';
import { graphiqlEditorText, growth, lengthsPerFrame, shownText, useBrowserOnDevServer } from './support.js';

const session = useBrowserOnDevServer();

describe('GraphiQL', () => {
  it('loads from the gateway alone, runs the README query as the seed user default and shows its data', async () => {
    const { page } = session;
    await page.goto(session.dev.url);
    await page.locator('.graphiql-container').first().waitFor();
    await expect.poll(() => graphiqlEditorText(page), { timeout: 20_000 }).toContain('query FullView');
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(() => shownText(page, '.graphiql-response'), { timeout: 20_000 }).toContain('Nanyang Technological University (NTU)');
    const response = await shownText(page, '.graphiql-response');
    // The pane shows its first screenful (Monaco renders the lines in view): the user, and no errors.
    expect(response).toMatch(/^\{ "data": \{ "viewer": \{ "name": "default", "profile": \{/);
    expect(session.browser.external).toEqual([]);
  });

  it('shows a streamed answer growing token by token in its Stream panel', async () => {
    const { page } = session;
    const subscription = 'subscription { ask(question: "What is a neural network?") { token } }';
    await page.goto(`${session.dev.url}?query=${encodeURIComponent(subscription)}`);
    await page.locator('.graphiql-container').first().waitFor();
    await expect.poll(() => graphiqlEditorText(page), { timeout: 20_000 }).toContain('subscription');
    const frames = lengthsPerFrame(page, '[data-testid="memgate-stream-text"]', { selector: '[data-testid="memgate-stream"]', text: 'completed' });
    await page.locator('.graphiql-execute-button').click();
    const lengths = await frames;
    // The text showed many different lengths on its way: it grew while the answer streamed.
    expect(growth(lengths).length).toBeGreaterThanOrEqual(3);
    const text = await page.locator('[data-testid="memgate-stream-text"]').innerText();
    expect(text.toLowerCase()).toContain('neural network');
    expect(session.browser.external).toEqual([]);
  });
});
