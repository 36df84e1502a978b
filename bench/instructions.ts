/**
 * `npm run bench:instructions`: machine instructions per request, counted by valgrind's callgrind,
 * which counts instructions, not seconds: the same for the same code and inputs whatever else the
 * machine runs. On a machine shared with other test suites, CPU time per request moves by 2-5x with
 * the load (bench/factors.ts shows it); instruction counts do not, so design changes and the
 * settings that change the path a request takes (new users and the read cache, upstream latency,
 * connections) are compared here. What they cannot show is contention itself (pinning, the load
 * generator's core), nor cache misses and GC pauses as time.
 *
 * Each setting runs memgate compiled (lib/build.ts) under `valgrind --tool=callgrind` with
 * instrumentation off, sends a warm-up, switches it on (`callgrind_control -i on`), sends
 * BENCH_INSN_REQUESTS requests, switches it off and dumps. Slow: about 50x native per request.
 *
 * BENCH_INSN_REQUESTS (default 400), BENCH_INSN_WARMUP (default 600),
 * BENCH_INSN_ONLY=bench,fixed,...: only these settings; BENCH_INSN_WORKLOAD=b: the full user view;
 * BENCH_MEMGATE_DIR=/path: memgate from another checkout (`memgate-before`: BENCH_BASELINE_DIR).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema } from 'graphql';
import { memgateEntry } from './lib/build.js';
import { startPinnedChild, type PinnedChild } from './lib/child.js';
import { BENCH_SERVICE_KEY, BENCH_USER_PREFIX } from './lib/constants.js';
import { runLoad, type BuiltRequest } from './lib/load.js';
import { fieldSelection } from './lib/selection.js';
import { fmt } from './lib/stats.js';

const requests = Number(process.env.BENCH_INSN_REQUESTS ?? 400);
const warmup = Number(process.env.BENCH_INSN_WARMUP ?? 600);
const workload = process.env.BENCH_INSN_WORKLOAD === 'b' ? 'b' : 'a';
const only = process.env.BENCH_INSN_ONLY ? new Set(process.env.BENCH_INSN_ONLY.split(',')) : null;
const repoDir = fileURLToPath(new URL('..', import.meta.url));
const log = (line: string) => console.error(`[instructions ${new Date().toISOString().slice(11, 19)}] ${line}`);
const load = () => `load average ${os.loadavg()[0]!.toFixed(2)}`;

interface Setting {
  name: string;
  label: string;
  /** memgate checkout. */
  dir: string;
  tsx?: boolean;
  users: 'fresh' | 'fixed';
  cacheOff?: boolean;
  noLatency?: boolean;
  connections: number;
  /** Run only when named in BENCH_INSN_ONLY. */
  optional?: boolean;
}

const memgateDir = process.env.BENCH_MEMGATE_DIR ?? repoDir;
const baselineDir = process.env.BENCH_BASELINE_DIR;
// 4 connections, not the bench's 100: under valgrind a request takes about 50x longer, and on a
// busy machine more in flight would wait past memgate's own upstream timeouts. What the number of
// connections changes (batching) is measured by bench/factors.ts instead.
const bench: Pick<Setting, 'dir' | 'users' | 'connections'> = { dir: memgateDir, users: 'fresh', connections: 4 };
const allSettings: Setting[] = [
  { ...bench, name: 'bench', label: 'as the bench: a new user per request, read cache on, upstream latency, compiled (4 connections)' },
  ...(baselineDir ? [{ ...bench, dir: baselineDir, name: 'before', label: 'the bench setting, memgate-before (BENCH_BASELINE_DIR)' } satisfies Setting] : []),
  { ...bench, name: 'fixed', label: 'the same user every request (read cache hits)', users: 'fixed' },
  { ...bench, name: 'cache-off', label: 'read cache off (new users)', cacheOff: true },
  { ...bench, name: 'cache-off-fixed', label: 'read cache off, the same user', cacheOff: true, users: 'fixed' },
  { ...bench, name: 'no-latency', label: 'no upstream latency', noLatency: true },
  { ...bench, name: 'tsx', label: 'through tsx instead of compiled', tsx: true },
  { ...bench, name: 'independent', optional: true, label: 'the independent setting: same user, cache off, no latency', users: 'fixed', cacheOff: true, noLatency: true },
];
const settings = allSettings.filter((s) => (only ? only.has(s.name) : !s.optional));

const children: PinnedChild<Record<string, unknown>>[] = [];

function totalInstructions(dir: string): number {
  // The dump written by `callgrind_control -d`: its `summary:` (or `totals:`) line is the Ir count.
  let total = 0;
  for (const file of readdirSync(dir)) {
    const text = readFileSync(join(dir, file), 'utf8');
    const m = /^totals: (\d+)/m.exec(text);
    if (m && file.endsWith('.1')) total += Number(m[1]);
  }
  return total;
}

async function measure(setting: Setting, upstream: Record<string, string>): Promise<number> {
  const entry = memgateEntry(setting.dir, { tsx: setting.tsx, compilerDir: repoDir });
  const out = mkdtempSync(join(os.tmpdir(), 'memgate-callgrind-'));
  const child = await startPinnedChild<Record<string, unknown>>({
    name: setting.name,
    entry,
    // Not instrumented until the warm-up is over (start-up runs about 5x slower than native instead of 50x).
    wrapper: ['valgrind', '--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${join(out, 'cg.%p')}`],
    env: { ...upstream, ...(setting.cacheOff ? { BENCH_CACHE_TTL_SECONDS: '0' } : {}) },
    readyTimeoutMs: 600_000,
  });
  children.push(child);
  let seq = 0;
  const build = (): BuiltRequest => ({
    method: 'POST',
    path: '/graphql',
    headers: { 'x-api-key': BENCH_SERVICE_KEY },
    body: JSON.stringify({ query, variables: { n: setting.users === 'fixed' ? 'alex' : `${BENCH_USER_PREFIX}i${(seq++).toString(36)}` } }),
  });
  const url = (child.info.url as string).replace(/\/graphql$/, '');
  const ctl = (...args: string[]) => execFileSync('callgrind_control', [...args, String(child.pid)], { stdio: 'ignore' });
  // A few connections while valgrind still translates the code: none of them may time out.
  const warm = await runLoad({ url, build, connections: 4, durationSec: 0, amount: warmup, timeoutSec: 300 });
  ctl('-i', 'on');
  const res = await runLoad({ url, build, connections: setting.connections, durationSec: 0, amount: requests, timeoutSec: 300 });
  ctl('-i', 'off');
  ctl('-d');
  await child.stop();
  children.splice(children.indexOf(child), 1);
  const failed = res.non2xx + res.errors + res.timeouts + res.withErrors;
  const total = totalInstructions(out);
  rmSync(out, { recursive: true, force: true });
  const warmFailed = warm.non2xx + warm.errors + warm.timeouts + warm.withErrors;
  if (warmFailed) log(`${setting.name}: ${warmFailed} warm-up requests failed`);
  // A failed request runs a shorter path: up to 2 % are tolerated (and said), more make the count meaningless.
  const tolerated = failed <= requests * 0.02;
  if (failed) log(`${setting.name}: ${failed} counted requests failed, e.g. ${res.errorSamples.join(' || ').slice(0, 600)} (timeouts ${res.timeouts}, non-2xx ${res.non2xx}, errors ${res.errors})${tolerated ? '' : ': not comparable'}`);
  return tolerated ? total / Math.max(1, res.ok) : Number.NaN;
}

const schema = buildSchema(readFileSync(join(memgateDir, 'schema.graphql'), 'utf8'));
const opts = { only: { Profile: ['attributes'] } };
const profile = `profile ${fieldSelection(schema, 'User', 'profile', opts)}`;
const view = `${profile} events(limit: 10) ${fieldSelection(schema, 'User', 'events', opts)} biography ${fieldSelection(schema, 'User', 'biography', opts)}`;
const query = `query Q($n: String!) { user(name: $n) { ${workload === 'a' ? profile : view} } }`;

async function main(): Promise<void> {
  log(`${workload === 'a' ? '(a) one field' : '(b) full view'}; ${warmup} warm-up then ${requests} counted requests per setting; ${load()}`);
  const [latent, instant] = await Promise.all([
    startPinnedChild<Record<string, unknown>>({ name: 'emulators', entry: 'servers/emulators.ts' }),
    startPinnedChild<Record<string, unknown>>({ name: 'emulators (no latency)', entry: 'servers/emulators.ts', env: { BENCH_UPSTREAM_LATENCY: '0' } }),
  ]);
  children.push(latent, instant);
  const upstream = (e: PinnedChild<Record<string, unknown>>) => ({ BENCH_SYNVO_URL: e.info.synvoUrl as string, BENCH_MEMSYNC_URL: e.info.memsyncUrl as string });
  const results: [Setting, number][] = [];
  for (const s of settings) {
    const perRequest = await measure(s, upstream(s.noLatency ? instant : latent));
    log(`${s.name}: ${fmt(perRequest / 1e6, 3)} M instructions per request; ${load()}`);
    results.push([s, perRequest]);
  }
  const base = results[0]?.[1] ?? Number.NaN;
  console.log(`\n${workload === 'a' ? '(a) one field' : '(b) full view'}: instructions per request (callgrind), ${warmup} warm-up then ${requests} counted requests per setting.\n`);
  console.log('| setting (one change from the bench unless said) | M instructions/request | vs the first row |');
  console.log('|---|---|---|');
  for (const [s, n] of results) console.log(`| ${s.label} | ${fmt(n / 1e6, 3)} | ${fmt(n / base, 2)}x |`);
}

try {
  await main();
} finally {
  await Promise.all(children.map((c) => c.stop().catch(() => {})));
}
