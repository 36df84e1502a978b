/**
 * What every browser test needs, in one place: Debian's Chromium driven by playwright-core
 * (scripts/chromium.ts: headless, a fresh profile per launch, every request that leaves the
 * machine recorded), a screenshot of the page when a test fails, and what `npm start` runs,
 * started in-process.
 *
 * A browser test file starts with
 *
 *     const session = useBrowserOnDevServer();
 *
 * and then drives `session.page` against `session.dev.url` (GraphiQL) or `session.dev.exampleUrl`
 * (the example page); `session.browser.external` lists the requests that left the machine.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openBrowser as launch, type Browser } from '../../scripts/chromium.js';
import { startDevServer, type DevServer } from '../../scripts/dev-server.js';
import { afterEachTest } from '../support/after-each-test.js';

export { CHROMIUM_PATH, graphiqlEditorText, growth, lengthsPerFrame, shownText, type Browser } from '../../scripts/chromium.js';

export const SCREENSHOTS_DIR = fileURLToPath(new URL('./screenshots/', import.meta.url));

const open = new Set<Browser>();

afterEachTest(async (context) => {
  if (context.task.result?.state !== 'fail') return;
  await mkdir(SCREENSHOTS_DIR, { recursive: true });
  for (const browser of open) {
    const path = join(SCREENSHOTS_DIR, `${context.task.name.replace(/[^\w-]+/g, '-').slice(0, 80)}.png`);
    await browser.page.screenshot({ path, fullPage: true }).catch(() => {});
    process.stderr.write(`\nscreenshot of the failing page: ${path}\n`);
  }
});

/** A Chromium (scripts/chromium.ts) whose page is screenshotted when a test fails while it is open. */
export async function openBrowser(): Promise<Browser> {
  const browser = await launch();
  open.add(browser);
  return {
    ...browser,
    async close() {
      open.delete(browser);
      await browser.close();
    },
  };
}

/** Arms the Synvo emulator printed in `startLog` to stream answers a token every `tokenDelayMs`. */
export async function slowAnswers(startLog: string, tokenDelayMs: number): Promise<void> {
  const synvo = /Synvo emulator\s+(http:\/\/\S+)/.exec(startLog)?.[1];
  if (!synvo) throw new Error(`no Synvo emulator in:\n${startLog}`);
  const res = await fetch(`${synvo}/__emulator/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ route: 'query', kind: 'slowStream', tokenDelayMs }),
  });
  if (!res.ok) throw new Error(`arming slowStream: ${res.status} ${await res.text()}`);
}

export interface BrowserSession {
  /** What `npm start` runs: emulators (controls on), the gateway with GraphiQL, the example at /demo. */
  readonly dev: DevServer;
  /** The lines `npm start` would print while starting (the emulators' URLs). */
  readonly startLog: string;
  readonly browser: Browser;
  /** The one page of the file's browser. */
  readonly page: Page;
}

export interface BrowserSessionOptions {
  /**
   * Synvo's answers stream a token every this many ms (the emulator's own pace is 5 ms): at 40 ms
   * a loaded machine cannot fold a whole answer into one or two frames, so a page that streams
   * shows it growing. `null` keeps the emulator's pace.
   */
  tokenDelayMs?: number | null;
}

/**
 * For a test file: before its tests, starts what `npm start` runs (development credentials,
 * every port chosen by the system, logs silent) and one Chromium; after them, stops both.
 * The returned session's fields are readable from the tests (and hooks) on.
 */
export function useBrowserOnDevServer({ tokenDelayMs = 40 }: BrowserSessionOptions = {}): BrowserSession {
  let started: { dev: DevServer; startLog: string; browser: Browser } | undefined;
  const need = () => {
    if (!started) throw new Error('the browser session starts in beforeAll: read it from a test or hook');
    return started;
  };
  let dev: DevServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    const lines: string[] = [];
    const env = { HOST: '127.0.0.1', PORT: '0', SYNVO_EMULATOR_PORT: '0', MEMSYNC_EMULATOR_PORT: '0', LOG_LEVEL: 'silent' };
    dev = await startDevServer(loadConfig(env), { log: (line) => lines.push(line) });
    const startLog = lines.join('\n');
    if (tokenDelayMs !== null) await slowAnswers(startLog, tokenDelayMs);
    browser = await openBrowser();
    started = { dev, startLog, browser };
  });
  afterAll(async () => {
    await browser?.close();
    await dev?.stop();
  });
  return {
    get dev() {
      return need().dev;
    },
    get startLog() {
      return need().startLog;
    },
    get browser() {
      return need().browser;
    },
    get page() {
      return need().browser.page;
    },
  };
}
