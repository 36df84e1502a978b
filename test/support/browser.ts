/**
 * Debian's Chromium (`apt-get install chromium`, which `.ci/run` does when it is missing) driven
 * by playwright-core: headless, a fresh profile per launch, no background traffic. Every request
 * that leaves the machine is recorded, and a failing test leaves a screenshot of its page.
 */
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterEach } from 'vitest';

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

export const SCREENSHOTS_DIR = fileURLToPath(new URL('../browser/screenshots/', import.meta.url));

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
