/**
 * `npm run check:fresh-clone [-- <repository>]`: what a new user does, checked end to end. Clones
 * the repository (default: this one) into a temporary folder, runs `npm install` and `npm start`
 * there (every port chosen by the system, an environment of PATH and HOME only), then Debian's
 * Chromium opens GraphiQL, runs the README's query and must show the seed data, and the example
 * page (/demo) must stream an answer, over several frames, and list its sources. Any request of
 * the browser's that would leave 127.0.0.1 is refused and makes the check fail. Prints each step;
 * exits 1 on the first failure. `KEEP=1` leaves the clone in place.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { graphiqlEditorText, growth, isLocal, lengthsPerFrame, openBrowser, shownText, type Browser } from './chromium.js';

const source = process.argv[2] ?? fileURLToPath(new URL('..', import.meta.url));
const WAIT_MS = 60_000;
const step = (text: string) => console.log(`- ${text}`);

/** This environment without what `npm run` adds (npm_*): a user's shell. */
const userEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('npm_')));

/** Runs a command in `cwd`; returns its output (stdout, then stderr), and throws with it when it fails. */
function run(cwd: string, command: string, args: string[]): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: userEnv });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n${output}`);
  return output;
}

/** `npm start` in the clone; resolves with the URLs it prints. */
async function npmStart(clone: string): Promise<{ child: ChildProcess; gateway: string; example: string; output: () => string }> {
  const child = spawn('npm', ['start'], {
    cwd: clone,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', PORT: '0', SYNVO_EMULATOR_PORT: '0', MEMSYNC_EMULATOR_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const printed = await new Promise<{ gateway: string; example: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start printed no URLs within ${WAIT_MS} ms:\n${output}`)), WAIT_MS);
    const check = () => {
      const gateway = /memgate gateway\s+(http:\/\/\S+)/.exec(output)?.[1];
      const example = /Example web app\s+(http:\/\/\S+)/.exec(output)?.[1];
      if (gateway && example) {
        clearTimeout(timer);
        resolve({ gateway, example });
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
  return { child, ...printed, output: () => output };
}

/** Waits until the text of `selector` (whitespace collapsed) includes `text`. */
async function waitForText(page: Page, selector: string, text: string): Promise<void> {
  await page.waitForFunction(
    ({ selector, text }) => (document.querySelector(selector)?.textContent ?? '').replace(/\s+/g, ' ').includes(text),
    { selector, text },
    { timeout: WAIT_MS },
  );
}

async function checkGraphiQL(page: Page, url: string, readme: string): Promise<void> {
  // The README's first query, as its first line shows it in the editor.
  const query = /## A first query[\s\S]*?```graphql\n([\s\S]*?)```/.exec(readme)?.[1];
  const firstLine = query?.split('\n')[0]?.replace(/\s*\{$/, '');
  if (!firstLine) throw new Error('README.md has no graphql block under "A first query"');
  await page.goto(url);
  await waitForText(page, '.graphiql-query-editor', firstLine);
  const editor = await graphiqlEditorText(page);
  step(`GraphiQL opened with the README's query: …${editor.slice(editor.indexOf(firstLine), editor.indexOf(firstLine) + 60)}…`);
  await page.locator('.graphiql-execute-button').click();
  await waitForText(page, '.graphiql-response', 'Nanyang Technological University (NTU)');
  const response = await shownText(page, '.graphiql-response');
  if (!/^\{ "data": \{ "viewer": \{ "name": "default"/.test(response)) throw new Error(`GraphiQL's response is not default's data:\n${response}`);
  step(`GraphiQL ran it and shows the data: ${response.slice(0, 100)}…`);
}

async function checkExample(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator('#user').selectOption('default');
  await page.locator('#sign-in button').click();
  await waitForText(page, '[data-field="profile"]', 'Nanyang Technological University (NTU)');
  step(`the example page signed default in: ${await page.locator('[data-field="profile"]').innerText()}`);
  const ask = async () => {
    await page.locator('#question').fill('What is a neural network?');
    await page.locator('#ask-form button').click();
  };
  const [lengths] = await Promise.all([lengthsPerFrame(page, '#answer', { selector: '#answer[data-state="done"]', text: '' }), ask()]);
  const shown = growth(lengths);
  const answer = await page.locator('#answer').innerText();
  if (shown.length < 3) throw new Error(`the answer did not stream: its text showed ${shown.length} lengths over ${lengths.length} frames`);
  step(`it streamed an answer of ${answer.length} characters, showing ${shown.length} different lengths over ${lengths.length} frames: "${answer.slice(0, 60)}…"`);
  const sources = await page.locator('#answer-sources li').allInnerTexts();
  if (sources.length === 0) throw new Error('the answer lists no sources');
  step(`and listed its sources: ${sources.join(', ')}`);
  const error = await page.locator('#error').innerText();
  if (error) throw new Error(`the page shows an error: ${error}`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'memgate-fresh-clone-'));
  const clone = join(dir, 'memgate');
  let server: Awaited<ReturnType<typeof npmStart>> | undefined;
  let browser: Browser | undefined;
  try {
    run(dir, 'git', ['clone', '--quiet', source, clone]);
    step(`cloned ${source} (${run(clone, 'git', ['log', '-1', '--format=%h %s']).trim().slice(0, 90)}) into ${clone}`);
    const started = Date.now();
    const install = run(clone, 'npm', ['install', '--no-audit', '--no-fund']);
    const warnings = install.split('\n').filter((line) => line.startsWith('npm warn'));
    const changed = run(clone, 'git', ['status', '--porcelain']).trim();
    step(`npm install: ${((Date.now() - started) / 1000).toFixed(0)} s, ${warnings.length} warning lines; files changed in the clone: ${changed || 'none'}`);
    for (const line of warnings.slice(0, 10)) console.log(`    ${line}`);

    server = await npmStart(clone);
    step(`npm start: gateway ${server.gateway}, example ${server.example}`);
    browser = await openBrowser();
    // Nothing may leave the machine: such a request is refused (and recorded in `external`).
    await browser.context.route((url) => !isLocal(url.href), (route) => route.abort('blockedbyclient'));
    await checkGraphiQL(browser.page, server.gateway, readFileSync(join(clone, 'README.md'), 'utf8'));
    await checkExample(browser.page, server.example);
    if (browser.external.length > 0) throw new Error(`requests that would have left the machine:\n${browser.external.join('\n')}`);
    step('no request of the browser left 127.0.0.1');
  } finally {
    await browser?.close();
    if (server && server.child.exitCode === null) {
      // npm forwards SIGTERM to the gateway, which stops cleanly.
      const exited = once(server.child, 'exit');
      server.child.kill('SIGTERM');
      await exited;
    }
    if (process.env['KEEP']) console.log(`the clone is kept in ${clone}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => console.log('fresh clone: OK'),
  (error: unknown) => {
    console.error(`fresh clone: FAILED\n${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
