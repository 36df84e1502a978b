/**
 * The front-end example (examples/web/, at /demo under `npm start`) in Debian's Chromium: a seed
 * user signs in, sees profile, events and the deferred biography, watches an answer stream, and
 * follows an upload to COMPLETED while its events arrive.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startDevServer, type DevServer } from '../../scripts/dev-server.js';
import { growth, lengthsPerFrame, openBrowser, slowAnswers, type Browser } from '../support/browser.js';

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

const wait = { timeout: 20_000 };

describe('the example page', () => {
  it('signs default in and shows the profile, recent events and, deferred, BiographyNotReady', async () => {
    const { page } = browser;
    await page.goto(dev.exampleUrl!);
    await page.locator('#user').selectOption('default');
    await page.locator('#sign-in button').click();
    await expect.poll(() => page.locator('[data-field="profile"]').innerText(), wait).toContain('Nanyang Technological University (NTU)');
    await expect.poll(() => page.locator('[data-field="events"] li').count(), wait).toBe(5);
    await expect.poll(() => page.locator('[data-field="biography"]').innerText(), wait).toMatch(/^BiographyNotReady: /);
    expect(await page.locator('#error').innerText()).toBe('');
  });

  it('streams an answer into the page over several frames', async () => {
    const { page } = browser;
    const frames = lengthsPerFrame(page, '#answer', { selector: '#answer[data-state="done"]', text: '' });
    await page.locator('#question').fill('What is a neural network?');
    await page.locator('#ask-form button').click();
    const lengths = await frames;
    expect(growth(lengths).length).toBeGreaterThanOrEqual(3);
    expect((await page.locator('#answer').innerText()).toLowerCase()).toContain('neural network');
    expect(await page.locator('#error').innerText()).toBe('');
  });

  it('uploads a file, follows its status to COMPLETED and shows its events as they arrive', async () => {
    const { page } = browser;
    await page.locator('#file').setInputFiles({ name: 'trip.txt', mimeType: 'text/plain', buffer: Buffer.from('I visited Kyoto on 2024-04-02.\n') });
    await page.locator('#upload-form button').click();
    await expect.poll(() => page.locator('#file-status').innerText(), wait).toBe('COMPLETED');
    await expect.poll(() => page.locator('[data-field="events"]').innerText(), wait).toContain('I visited Kyoto on 2024-04-02.');
    expect(await page.locator('#error').innerText()).toBe('');
    expect(browser.external).toEqual([]);
  });
});
