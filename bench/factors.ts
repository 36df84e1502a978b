/**
 * `npm run bench:factors`: why the bench's CPU per request for (a) differs from a measurement of
 * the production entry with a fixed user, the read cache off, no upstream latency, 32 connections
 * and no pinning. Starting from the bench's own setting, each row changes one thing (and the last
 * row all of them), every row on its own memgate process, all alternating in one run, the order
 * rotated every run. The figure is the server process's CPU time per answered request
 * (process.cpuUsage, so what else the machine runs weighs far less than on req/s), with its
 * event-loop delay p99 and its heap after the run.
 *
 * BENCH_FACTORS_RUNS (default 3) measured runs of BENCH_FACTORS_SEC (default 3) seconds after a
 * warm-up. BENCH_FACTORS_WORKLOAD=b: the full user view instead of one field.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { buildSchema } from 'graphql';
import { Pool } from 'undici';
import { memgateEntry } from './lib/build.js';
import { startPinnedChild, type PinnedChild } from './lib/child.js';
import { BENCH_SERVICE_KEY, BENCH_USER_PREFIX } from './lib/constants.js';
import { runLoad, type BuiltRequest, type LoadResult } from './lib/load.js';
import { fieldSelection } from './lib/selection.js';
import { fmt, fmtSummary, summarize, type Summary } from './lib/stats.js';

const runs = Number(process.env.BENCH_FACTORS_RUNS ?? 3);
const seconds = Number(process.env.BENCH_FACTORS_SEC ?? 3);
const workload = process.env.BENCH_FACTORS_WORKLOAD === 'b' ? 'b' : 'a';
const repoDir = fileURLToPath(new URL('..', import.meta.url));
const log = (line: string) => console.error(`[factors ${new Date().toISOString().slice(11, 19)}] ${line}`);
const load = () => `load average ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')} on ${os.cpus().length} CPUs`;

let pinned = os.cpus().length >= 2;
try {
  execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
} catch {
  pinned = false;
}

const children: PinnedChild<Record<string, unknown>>[] = [];
async function start(name: string, entry: string, cpus: string | undefined, env: Record<string, string>): Promise<PinnedChild<Record<string, unknown>>> {
  const child = await startPinnedChild<Record<string, unknown>>({ name, entry, cpus: pinned ? cpus : undefined, env });
  children.push(child);
  return child;
}

/** The same closed loop as autocannon (N connections, one request in flight each), written on undici. */
async function runUndiciLoop(url: string, build: () => BuiltRequest, connections: number, durationSec: number): Promise<LoadResult> {
  const pool = new Pool(new URL(url).origin, { connections, pipelining: 1 });
  const end = performance.now() + durationSec * 1000;
  let ok = 0;
  let bad = 0;
  const loop = async () => {
    while (performance.now() < end) {
      const r = build();
      const res = await pool.request({ path: r.path, method: r.method, headers: { ...r.headers, 'content-type': 'application/json' }, body: r.body });
      const text = await res.body.text();
      if (res.statusCode === 200 && !text.includes('"errors":')) ok += 1;
      else bad += 1;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: connections }, loop));
  const elapsed = (performance.now() - t0) / 1000;
  await pool.close();
  return { rps: ok / elapsed, ok, sent: ok + bad, non2xx: bad, withErrors: 0, errorSamples: [], errors: 0, timeouts: 0, p50: Number.NaN, p99: Number.NaN, mean: Number.NaN };
}

interface Row {
  label: string;
  child: PinnedChild<Record<string, unknown>>;
  /** A fresh user per request, or always the same one. */
  users: 'fresh' | 'fixed';
  connections: number;
  generator: 'autocannon' | 'undici';
  query: 'memgate' | 'hello';
  /** Another process on the gateway's CPU during the run, walking 64 MiB (as other test suites do). */
  hog?: boolean;
}

/** A busy neighbour on CPU 0: it takes half the core and evicts the gateway's caches. */
function startHog(): ChildProcess {
  // Bounded: it ends by itself after 60 s even if this runner dies.
  const walk = 'const b=new Float64Array(8<<20),end=Date.now()+60000;for(let i=0,n=0;;i=(i+4099)%b.length){b[i]+=1;if(++n%1e6===0&&Date.now()>end)process.exit(0)}';
  return spawn('taskset', ['-c', '0', process.execPath, '-e', walk], { stdio: 'ignore' });
}

interface Sample {
  cpuMs: number;
  rps: number;
  eldP99: number;
  heapMiB: number;
  failed: number;
}

async function main(): Promise<void> {
  log(`${workload === 'a' ? '(a) one field' : '(b) full view'}; ${runs} runs of ${seconds} s after a warm-up; ${load()}`);
  const [latent, instant] = await Promise.all([
    start('emulators (latency)', 'servers/emulators.ts', '1', {}),
    start('emulators (no latency)', 'servers/emulators.ts', '1', { BENCH_UPSTREAM_LATENCY: '0' }),
  ]);
  const upstream = (e: PinnedChild<Record<string, unknown>>) => ({
    BENCH_SYNVO_URL: e.info.synvoUrl as string,
    BENCH_MEMSYNC_URL: e.info.memsyncUrl as string,
  });
  const compiled = memgateEntry(repoDir, { compilerDir: repoDir });
  const viaTsx = memgateEntry(repoDir, { tsx: true, compilerDir: repoDir });
  const noCache = { BENCH_CACHE_TTL_SECONDS: '0' };
  const [bench, tsx, cacheOff, zeroLatency, unpinned, independent, yogaPinned, yogaUnpinned] = await Promise.all([
    start('bench', compiled, '0', upstream(latent)),
    start('tsx', viaTsx, '0', upstream(latent)),
    start('cache-off', compiled, '0', { ...upstream(latent), ...noCache }),
    start('no-latency', compiled, '0', upstream(instant)),
    start('unpinned', compiled, undefined, upstream(latent)),
    start('independent', compiled, undefined, { ...upstream(instant), ...noCache }),
    start('yoga-pinned', 'servers/yoga-hello.ts', '0', {}),
    start('yoga-unpinned', 'servers/yoga-hello.ts', undefined, {}),
  ]);

  const schema = buildSchema(readFileSync(join(repoDir, 'schema.graphql'), 'utf8'));
  const opts = { only: { Profile: ['attributes'] } };
  const profile = `profile ${fieldSelection(schema, 'User', 'profile', opts)}`;
  const view = `${profile} events(limit: 10) ${fieldSelection(schema, 'User', 'events', opts)} biography ${fieldSelection(schema, 'User', 'biography', opts)}`;
  const query = `query Q($n: String!) { user(name: $n) { ${workload === 'a' ? profile : view} } }`;
  let seq = 0;
  const request = (row: Row): BuiltRequest =>
    row.query === 'hello'
      ? { method: 'POST', path: '/graphql', body: JSON.stringify({ query: '{ hello }' }) }
      : {
          method: 'POST',
          path: '/graphql',
          headers: { 'x-api-key': BENCH_SERVICE_KEY },
          // `alex` is a seed user of the emulators; bench users get alex's data (servers/emulators.ts).
          body: JSON.stringify({ query, variables: { n: row.users === 'fixed' ? 'alex' : `${BENCH_USER_PREFIX}f${(seq++).toString(36)}` } }),
        };

  const base = { users: 'fresh', connections: 100, generator: 'autocannon', query: 'memgate' } as const;
  const rows: Row[] = [
    { ...base, label: 'the bench: new user per request, read cache on, upstream latency, pinned, 100 connections, autocannon, compiled', child: bench },
    { ...base, label: 'through tsx instead of compiled', child: tsx },
    { ...base, label: 'the same user every request (read cache hits)', child: bench, users: 'fixed' },
    { ...base, label: 'read cache off (new users)', child: cacheOff },
    { ...base, label: 'read cache off, the same user', child: cacheOff, users: 'fixed' },
    { ...base, label: 'no upstream latency', child: zeroLatency },
    { ...base, label: '32 connections', child: bench, connections: 32 },
    { ...base, label: 'not pinned', child: unpinned },
    { ...base, label: 'undici closed loop instead of autocannon', child: bench, generator: 'undici' },
    { ...base, label: 'a busy neighbour process on the gateway\'s CPU (pinned, as on a shared machine)', child: bench, hog: true },
    { ...base, label: 'a busy neighbour process on CPU 0, gateway not pinned', child: unpinned, hog: true },
    { ...base, label: 'all of the independent setting: same user, cache off, no latency, 32 connections, not pinned', child: independent, users: 'fixed', connections: 32 },
    { ...base, label: 'bare yoga `{ hello }`, pinned, 100 connections', child: yogaPinned, query: 'hello' },
    { ...base, label: 'bare yoga `{ hello }`, not pinned, 32 connections', child: yogaUnpinned, query: 'hello', connections: 32 },
  ];
  const samples = new Map<Row, Sample[]>(rows.map((r) => [r, []]));
  for (let r = 0; r <= runs; r++) {
    for (let i = 0; i < rows.length; i++) {
      const row = rows[(i + r) % rows.length]!;
      const url = (row.child.info.url as string).replace(/\/graphql$/, '');
      const hog = row.hog ? startHog() : null;
      const before = await row.child.stats();
      const res = row.generator === 'undici'
        ? await runUndiciLoop(url, () => request(row), row.connections, seconds)
        : await runLoad({ url, build: () => request(row), connections: row.connections, durationSec: seconds });
      const after = await row.child.stats();
      hog?.kill('SIGKILL');
      const cpuMs = (after.cpu.user + after.cpu.system - before.cpuAfterGc.user - before.cpuAfterGc.system) / 1000;
      const s: Sample = {
        cpuMs: cpuMs / Math.max(1, res.ok),
        rps: res.rps,
        eldP99: after.eventLoopDelay.p99,
        heapMiB: after.memory.heapUsed / 2 ** 20,
        failed: res.non2xx + res.errors + res.timeouts + res.withErrors,
      };
      log(`${r === 0 ? 'warm-up' : `run ${r}`} ${row.child.name}/${row.users}/${row.connections}/${row.generator}${row.hog ? '/hog' : ''}: ${fmt(s.cpuMs, 3)} ms CPU/req, ${fmt(s.rps, 0)} req/s, eld p99 ${fmt(s.eldP99, 1)} ms, heap ${fmt(s.heapMiB, 1)} MiB${s.failed ? `, ${s.failed} FAILED` : ''}; ${load()}`);
      if (r > 0) samples.get(row)!.push(s);
    }
  }

  const of = (row: Row, k: keyof Sample): Summary => summarize(samples.get(row)!.map((s) => s[k]));
  const benchCpu = of(rows[0]!, 'cpuMs').median;
  console.log(`\n${workload === 'a' ? '(a) one field' : '(b) full view'}, ${runs} runs of ${seconds} s after a warm-up, alternating; median (min..max). Finished with ${load()}.\n`);
  console.log('| setting (one change from the bench unless said) | CPU ms/request | vs the bench | req/s | event-loop delay p99 ms | heap after MiB | failed |');
  console.log('|---|---|---|---|---|---|---|');
  for (const row of rows) {
    const cpu = of(row, 'cpuMs');
    console.log(`| ${row.label} | ${fmtSummary(cpu, 3)} | ${fmt(cpu.median / benchCpu, 2)}x | ${fmtSummary(of(row, 'rps'), 0)} | ${fmtSummary(of(row, 'eldP99'), 1)} | ${fmt(of(row, 'heapMiB').median, 1)} | ${samples.get(row)!.reduce((n, s) => n + s.failed, 0)} |`);
  }
}

try {
  await main();
} finally {
  await Promise.all(children.map((c) => c.stop().catch(() => {})));
}
