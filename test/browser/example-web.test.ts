/**
 * The front-end example (examples/web/, at /demo under `npm start`) in Debian's Chromium: a seed
 * user signs in, sees profile, events and the deferred biography, watches an answer stream and
 * its sources appear, and follows an upload to COMPLETED while its events arrive.
 */
import { describe, expect, it } from 'vitest';
import { growth, lengthsPerFrame, useBrowserOnDevServer } from './support.js';

const session = useBrowserOnDevServer();

const wait = { timeout: 20_000 };

describe('the example page', () => {
  it('signs default in and shows the profile, recent events and, deferred, BiographyNotReady', async () => {
    const { page } = session;
    await page.goto(session.dev.exampleUrl!);
    await page.locator('#user').selectOption('default');
    await page.locator('#sign-in button').click();
    await expect.poll(() => page.locator('[data-field="profile"]').innerText(), wait).toContain('Nanyang Technological University (NTU)');
    await expect.poll(() => page.locator('[data-field="events"] li').count(), wait).toBe(5);
    await expect.poll(() => page.locator('[data-field="biography"]').innerText(), wait).toMatch(/^BiographyNotReady: /);
    expect(await page.locator('#error').innerText()).toBe('');
  });

  it('streams an answer into the page over several frames, then lists the files it drew on', async () => {
    const { page } = session;
    const frames = lengthsPerFrame(page, '#answer', { selector: '#answer[data-state="done"]', text: '' });
    await page.locator('#question').fill('What is a neural network?');
    await page.locator('#ask-form button').click();
    const lengths = await frames;
    expect(growth(lengths).length).toBeGreaterThanOrEqual(3);
    expect((await page.locator('#answer').innerText()).toLowerCase()).toContain('neural network');
    // Answer.sources arrives with the whole answer: default's lecture notes on neural networks.
    expect(await page.locator('#answer-sources li').allInnerTexts()).toEqual(['/lectures/neural-networks-lecture-notes.md']);
    expect(await page.locator('#answer-sources li').first().getAttribute('data-file-id')).toBe('f_default_neural_networks');
    expect(await page.locator('#error').innerText()).toBe('');
  });

  it('uploads a file, follows its status to COMPLETED and shows its events as they arrive', async () => {
    const { page } = session;
    await page.locator('#file').setInputFiles({ name: 'trip.txt', mimeType: 'text/plain', buffer: Buffer.from('I visited Kyoto on 2024-04-02.\n') });
    await page.locator('#upload-form button').click();
    await expect.poll(() => page.locator('#file-status').innerText(), wait).toBe('COMPLETED');
    await expect.poll(() => page.locator('[data-field="events"]').innerText(), wait).toContain('I visited Kyoto on 2024-04-02.');
    expect(await page.locator('#error').innerText()).toBe('');
    expect(session.browser.external).toEqual([]);
  });
});
