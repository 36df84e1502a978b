/**
 * What every browser test needs, in one place: Debian's Chromium (`apt-get install chromium`,
 * which `.ci/run` does when it is missing) driven by playwright-core (headless, a fresh profile
 * per launch, no background traffic), every request that leaves the machine recorded, a
 * screenshot of the page when a test fails, and what `npm start` runs started in-process.
 *
 * A browser test file starts with
 *
 *     const session = useBrowserOnDevServer();
 *
 * and then drives `session.page` against `session.dev.url` (GraphiQL) or `session.dev.exampleUrl`
 * (the example page); `session.browser.external` lists the requests that left the machine.
 */
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startDevServer, type DevServer } from '../../scripts/dev-server.js';

export const CHROMIUM_PATH = process.env['MEMGATE_CHROMIUM'] ?? '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const SCREENSHOTS_DIR = fileURLToPath(new URL('./screenshots/', import.meta.url));

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** URLs of requests that went anywhere but this machine (data: and blob: URLs are local). */
  external: string[];
  close(): Promise<void>;
}

const open = new Set<Browser>();

afterEach(async (context) => {
  if (context.task.result?.state !== 'fail') return;
  await mkdir(SCREENSHOTS_DIR, { recursive: true });
  for (const browser of open) {
    const path = join(SCREENSHOTS_DIR, `${context.task.name.replace(/[^\w-]+/g, '-').slice(0, 80)}.png`);
    await browser.page.screenshot({ path, fullPage: true }).catch(() => {});
    process.stderr.write(`\nscreenshot of the failing page: ${path}\n`);
  }
});

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export async function openBrowser(): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'memgate-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
  });
  const external: string[] = [];
  context.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol === 'data:' || url.protocol === 'blob:') return;
    if (!LOCAL_HOSTS.has(url.hostname)) external.push(request.url());
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const browser: Browser = {
    context,
    page,
    external,
    async close() {
      open.delete(browser);
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
  open.add(browser);
  return browser;
}

/**
 * Runs in the page: the text length of `selector` at every animation frame until `done` holds,
 * so a test can tell text that grew over several frames from text that appeared at once.
 */
export function lengthsPerFrame(page: Page, selector: string, done: { selector: string; text: string }): Promise<number[]> {
  return page.evaluate(
    ({ selector, done }) =>
      new Promise<number[]>((resolve) => {
        const lengths: number[] = [];
        const tick = () => {
          lengths.push(document.querySelector(selector)?.textContent?.length ?? 0);
          if (document.querySelector(done.selector)?.textContent?.includes(done.text)) resolve(lengths);
          else requestAnimationFrame(tick);
        };
        tick();
      }),
    { selector, done },
  );
}

/** The distinct non-zero values, in order: how many different lengths the text showed. */
export const growth = (lengths: number[]) => lengths.filter((n, i) => n > 0 && n !== lengths[i - 1]);

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

/** An element's text as shown, whitespace collapsed (Monaco shows spaces as no-break spaces and wraps long lines). */
export const shownText = async (page: Page, selector: string) => (await page.locator(selector).innerText()).replace(/\s+/g, ' ');

/** GraphiQL's query editor, as shown. */
export const graphiqlEditorText = (page: Page) => shownText(page, '.graphiql-query-editor');
