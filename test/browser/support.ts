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
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openBrowser as launch, shownText, type Browser } from '../../scripts/chromium.js';
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
  let dataDir: string | undefined;
  beforeAll(async () => {
    const lines: string[] = [];
    // A keyring of its own: what one file's tests link or forget is not another's.
    dataDir = await mkdtemp(join(tmpdir(), 'memgate-browser-data-'));
    const env = { HOST: '127.0.0.1', PORT: '0', SYNVO_EMULATOR_PORT: '0', MEMSYNC_EMULATOR_PORT: '0', LOG_LEVEL: 'silent', MEMGATE_DATA_DIR: dataDir };
    dev = await startDevServer(loadConfig(env), { log: (line) => lines.push(line) });
    const startLog = lines.join('\n');
    if (tokenDelayMs !== null) await slowAnswers(startLog, tokenDelayMs);
    browser = await openBrowser();
    started = { dev, startLog, browser };
  });
  afterAll(async () => {
    await browser?.close();
    await dev?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
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

/** Pastes `text` over the whole content of the editor in `container` (as a user's Ctrl-A, Ctrl-V). */
export async function pasteInto(page: Page, container: string, text: string): Promise<void> {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.evaluate((value) => navigator.clipboard.writeText(value), text);
  await page.locator(`${container} .monaco-editor`).first().click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Control+V');
  await expect.poll(() => editorValue(page, container)).toBe(text);
}

/** The whole text of the Monaco editor in `container` (a pane shows only the lines in view). */
export function editorValue(page: Page, container: string): Promise<string> {
  return page.evaluate((selector) => {
    const monaco = (window as unknown as { __MONACO: { editor: { getEditors(): Array<{ getDomNode(): HTMLElement | null; getValue(): string }> } } }).__MONACO;
    const editor = monaco.editor.getEditors().find((e) => e.getDomNode()?.closest(selector));
    return editor?.getValue() ?? '';
  }, container);
}

/** Opens GraphiQL's Variables or Headers tab under the editor and pastes `json` into it. */
export async function fillGraphiqlTool(page: Page, tab: 'Variables' | 'Headers', json: string): Promise<void> {
  await page.locator('.graphiql-editor-tools button', { hasText: tab }).click();
  await pasteInto(page, '.graphiql-editor-tool .graphiql-editor:not(.hidden)', json);
}

/**
 * Runs GraphiQL's operation and returns the result pane's JSON once it shows a new one. `name`:
 * the operation's name, which GraphiQL shows on its tab once it has read the editor (before that
 * it would send the previous operation's name).
 */
export async function runGraphiqlOperation(page: Page, name?: string): Promise<{ data?: unknown; errors?: unknown[] }> {
  if (name) await expect.poll(() => shownText(page, '.graphiql-tab-active'), { timeout: 10_000 }).toBe(name);
  const before = await editorValue(page, '.graphiql-response');
  await page.locator('.graphiql-execute-button').click();
  let result = '';
  await expect
    .poll(async () => {
      result = await editorValue(page, '.graphiql-response');
      try {
        return result !== before && JSON.parse(result) !== null;
      } catch {
        return false;
      }
    }, { timeout: 30_000 })
    .toBe(true);
  return JSON.parse(result) as { data?: unknown; errors?: unknown[] };
}
