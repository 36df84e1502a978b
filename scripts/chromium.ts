/**
 * Debian's Chromium (`apt-get install chromium`, which `.ci/run` does when it is missing) driven
 * by playwright-core: headless, a fresh profile per launch, no background traffic, every request
 * that leaves the machine recorded. What the browser tests (test/browser/) and the fresh-clone
 * check (scripts/fresh-clone-check.ts) drive GraphiQL and the example page with.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

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

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** URLs of requests that went anywhere but this machine (data: and blob: URLs are local). */
  external: string[];
  close(): Promise<void>;
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Whether a request's URL stays on this machine. */
export function isLocal(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'data:' || protocol === 'blob:' || LOCAL_HOSTS.has(hostname);
}

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
    if (!isLocal(request.url())) external.push(request.url());
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    external,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** The page side of lengthsPerFrame, as source text: a transpiler's helpers (tsx's `__name`) do not exist in the page. */
const LENGTHS_PER_FRAME = `({ selector, done }) => new Promise((resolve) => {
  const lengths = [];
  const tick = () => {
    lengths.push(document.querySelector(selector)?.textContent?.length ?? 0);
    if (document.querySelector(done.selector)?.textContent?.includes(done.text)) resolve(lengths);
    else requestAnimationFrame(tick);
  };
  tick();
})`;

/**
 * Runs in the page: the text length of `selector` at every animation frame until `done` holds,
 * so a caller can tell text that grew over several frames from text that appeared at once.
 */
export function lengthsPerFrame(page: Page, selector: string, done: { selector: string; text: string }): Promise<number[]> {
  return page.evaluate(`(${LENGTHS_PER_FRAME})(${JSON.stringify({ selector, done })})`) as Promise<number[]>;
}

/** The distinct non-zero values, in order: how many different lengths the text showed. */
export const growth = (lengths: number[]) => lengths.filter((n, i) => n > 0 && n !== lengths[i - 1]);

/** An element's text as shown, whitespace collapsed (Monaco shows spaces as no-break spaces and wraps long lines). */
export const shownText = async (page: Page, selector: string) => (await page.locator(selector).innerText()).replace(/\s+/g, ' ');

/** GraphiQL's query editor, as shown. */
export const graphiqlEditorText = (page: Page) => shownText(page, '.graphiql-query-editor');
