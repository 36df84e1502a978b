/**
 * `npm run probe` against the emulators, as an operator runs it against the real upstreams: every
 * endpoint once, each row ok; with faults (MemSync's envelope, a Synvo search that ignores
 * sub_user_name, a 500, a base URL without /v1, a move that overwrites) it reports what differs
 * and exits 1. With --write it leaves nothing behind: no file of the probe's sub-user, no memory.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../emulators/core/types.js';
import { MEMSYNC_SEED_KEYS, startMemSyncEmulator, type RunningMemSyncEmulator } from '../../../emulators/memsync/index.js';
import { startSynvoEmulator } from '../../../emulators/synvo/index.js';
import { runProbe, type ProbeRow } from '../../../src/probe/probe.js';

const SYNVO_KEY = 'synvo-probe-key-0001';
let synvo: RunningEmulator;
let memsync: RunningMemSyncEmulator;
/** The web page `--write` has Synvo add (the emulator fetches it on loopback). */
let page: Server;
let pageUrl: string;

beforeAll(async () => {
  synvo = await startSynvoEmulator({ apiKeys: [SYNVO_KEY], processingDelayMs: 20, tokenDelayMs: 1 });
  memsync = await startMemSyncEmulator({ generationDelayMs: 5 });
  page = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><head><title>Probe page</title></head><body>A page for the probe.</body></html>'));
  await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
  pageUrl = `http://127.0.0.1:${(page.address() as AddressInfo).port}/page`;
});
afterAll(async () => {
  await Promise.all([synvo.stop(), memsync.stop(), new Promise((resolve) => page.close(resolve))]);
});
beforeEach(() => {
  synvo.controls.reset();
  memsync.controls.reset();
});

const options = () => ({
  synvo: { baseUrl: synvo.apiUrl, apiKey: SYNVO_KEY },
  memsync: { baseUrl: memsync.apiUrl, apiKey: MEMSYNC_SEED_KEYS.alex },
  callTimeoutMs: 10_000,
});
const row = (rows: ProbeRow[], endpoint: string) => rows.find((r) => r.endpoint === endpoint);

function runCli(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/probe.ts', ...args], {
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  return { exit: once(child, 'exit').then(([code]) => code as number), output: () => output };
}

describe('npm run probe', () => {
  it('finds every endpoint as the contract says, calls each once, never prints a key, and exits 0', async () => {
    const run = runCli([], {
      SYNVO_BASE_URL: synvo.apiUrl,
      SYNVO_API_KEY: SYNVO_KEY,
      MEMSYNC_BASE_URL: memsync.apiUrl,
      MEMSYNC_PROBE_API_KEY: MEMSYNC_SEED_KEYS.alex,
    });
    expect(await run.exit).toBe(0);
    const out = run.output();
    for (const endpoint of [
      'GET /metadata/get_user_profile/', 'GET /metadata/get_user_event/', 'POST /ai/search', 'POST /ai/query', 'POST /ai/query (parent_cuid, force_search)',
      'GET /file/list', 'GET /file/download', 'GET <signed download URL>', 'GET /file/thumbnail',
      'GET /profile/bio', 'POST /memories/search', 'GET /profile', 'GET /memories',
    ]) {
      expect(out).toMatch(new RegExp(`${endpoint.replace(/[/?()<>{}]/g, (c) => `\\${c}`)}\\s+200\\s+ok`));
    }
    expect(out).toMatch(/sub_user_name scoping\)\s+200\s+ok/);
    expect(out).toMatch(/parent_cuid, force_search\)\s+200\s+ok\s+an answer \(1 content part, searched_files: \d+\)/);
    expect(out).toMatch(/key scoping\)\s+200\s+ok/);
    expect(out).toMatch(/all \d+ checks match the documented behaviour/);
    expect(out).not.toContain(SYNVO_KEY);
    expect(out).not.toContain(MEMSYNC_SEED_KEYS.alex);
    // Read-only: nothing written; each endpoint once (auth and scoping checks add their own call).
    const synvoCalls = synvo.controls.calls().routes;
    // fileContent: the signed download URL opened.
    expect(Object.fromEntries(Object.entries(synvoCalls).map(([r, c]) => [r, c.total]))).toEqual({
      profile: 2, events: 1, search: 2, query: 2, fileList: 1, download: 1, fileContent: 1, thumbnail: 1,
    });
    expect(Object.fromEntries(Object.entries(memsync.controls.calls().routes).map(([r, c]) => [r, c.total]))).toEqual({ bio: 3, memoriesSearch: 1, profile: 1, memoriesList: 1 });
  });

  it('reports the differences it finds and exits 1', async () => {
    memsync.controls.addFault({ route: 'bio', kind: 'shape', variant: 'envelope' });
    const run = runCli([], { MEMSYNC_BASE_URL: memsync.apiUrl, MEMSYNC_PROBE_API_KEY: MEMSYNC_SEED_KEYS.alex });
    expect(await run.exit).toBe(1);
    expect(run.output()).toMatch(/GET \/profile\/bio\s+200\s+differs\s+.*envelope/);
    expect(run.output()).toMatch(/\d+ of \d+ checks differ from the documented behaviour/);
  });

  it('refuses to run without an upstream to probe, naming the variables (exit 2)', async () => {
    const run = runCli([], { MEMSYNC_BASE_URL: memsync.apiUrl });
    expect(await run.exit).toBe(2);
    expect(run.output()).toContain('MEMSYNC_PROBE_API_KEY: required with MEMSYNC_BASE_URL');
  });
});

describe('the probe checks', () => {
  it('catches a Synvo search that ignores sub_user_name', async () => {
    synvo.controls.addFault({ route: 'search', kind: 'shape', variant: 'unscoped' });
    const rows = await runProbe(options());
    expect(row(rows, 'POST /ai/search (sub_user_name scoping)')).toMatchObject({ verdict: 'differs', detail: expect.stringContaining('does not scope /ai/search') });
  });

  it('names a status, a body that does not fit and a base URL that is not MemSync\'s', async () => {
    synvo.controls.addFault({ route: 'events', kind: 'status', status: 500, body: { error: 'Internal error' } });
    synvo.controls.addFault({ route: 'fileList', kind: 'malformed' });
    const rows = await runProbe({ ...options(), memsync: { baseUrl: memsync.url, apiKey: MEMSYNC_SEED_KEYS.alex } });
    expect(row(rows, 'GET /metadata/get_user_event/')).toMatchObject({ status: '500', verdict: 'differs' });
    expect(row(rows, 'GET /file/list')).toMatchObject({ verdict: 'differs', detail: expect.stringContaining('not JSON') });
    expect(row(rows, 'GET /profile/bio')).toMatchObject({ status: '404', verdict: 'differs', detail: expect.stringContaining('is the base URL right?') });
  });

  it('with --write, checks every write on a sub-user and memories of its own, and leaves nothing behind', async () => {
    const memoryCount = async () => {
      const res = await request(`${memsync.apiUrl}/memories?page_size=1`, { headers: { 'x-api-key': MEMSYNC_SEED_KEYS.alex } });
      return ((await res.body.json()) as { pagination: { total: number } }).pagination.total;
    };
    const before = await memoryCount();
    const rows = await runProbe({ ...options(), write: true, webpageUrl: pageUrl, processingTimeoutMs: 20_000 });
    expect(rows.filter((r) => r.verdict !== 'ok')).toEqual([]);
    for (const endpoint of [
      'POST /ai/search (scoping, --write)', 'POST /file/create_dir (--write)', 'POST /file/move (--write)', 'GET /file/list (folder, --write)',
      'GET /file/download (--write)', 'GET <signed download URL> (--write)', 'GET /file/thumbnail (--write)', 'POST /webpage/add (--write)',
      'DELETE /file/delete/{id} (--write clean-up)', 'POST /memories (--write)', 'PATCH /memories/{id} (--write)', 'DELETE /memories/{id} (--write)',
      'POST /memories/batch-delete (--write)',
    ]) {
      expect(row(rows, endpoint), endpoint).toMatchObject({ status: '200', verdict: 'ok' });
    }
    expect(row(rows, 'POST /file/move onto an existing file (--write)')).toMatchObject({ status: '409', verdict: 'ok' });
    expect(row(rows, 'POST /memories without agent_id (--write)')).toMatchObject({ status: '400', verdict: 'ok' });
    expect(row(rows, 'PATCH /profile/bio over the limit (--write)')).toMatchObject({ status: '400', verdict: 'ok' });
    // Writes only on the probe's own sub-user: every Synvo call that writes names it, and nothing of it is left.
    const writes = ['upload', 'createDir', 'fileMove', 'webpage', 'fileDelete'].map((route) => synvo.controls.calls().routes[route]!);
    const subUsers = new Set(writes.flatMap((w) => Object.keys(w.byUser)));
    expect([...subUsers]).toEqual([expect.stringMatching(/^memgate-probe-/)]);
    expect(synvo.controls.calls().routes['fileDelete']?.total).toBe(3);
    // MemSync: the memories it stored are gone, the account's own untouched; the biography was never replaced.
    expect(await memoryCount()).toBe(before);
    expect(row(rows, 'GET /profile/bio')).toMatchObject({ verdict: 'ok' });
  });

  it('reports a move that overwrites an existing file instead of refusing with 409', async () => {
    synvo.controls.addFault({ route: 'fileMove', kind: 'status', status: 200, body: { message: 'moved', file_moves: [] }, times: 2 });
    const rows = await runProbe({ ...options(), memsync: undefined, write: true, webpageUrl: pageUrl, processingTimeoutMs: 20_000 });
    expect(row(rows, 'POST /file/move onto an existing file (--write)')).toMatchObject({ status: '200', verdict: 'differs' });
  });
});
