/**
 * `npm run bench`: memgate side by side with (1) direct parallel upstream calls, (3) Hive Gateway
 * over the emulators' OpenAPI documents and (4) bare graphql-yoga `{ hello }`. Emulators run in
 * their own process on CPU 1, every gateway under test on CPU 0, the load generator on CPU 1.
 * Contenders alternate; one warm-up run, then the measured runs; medians with min..max.
 *
 * BENCH_QUICK=1: fewer and shorter runs. BENCH_PROFILE=1: also profile memgate under workload (b)
 * with --cpu-prof and rank its hot spots (BENCH_PROFILE_WORKLOAD=a: under workload (a)). BENCH_BASELINE_DIR=/path: also run the memgate of
 * another checkout (bench/servers/memgate.ts there), as `memgate-before`; BENCH_MEMGATE_DIR=/path:
 * run `memgate` itself from another checkout (e.g. a frozen copy, while the tree keeps changing).
 * BENCH_ONLY=a,b,c,d,e,f,g: run only these workloads. BENCH_MEMGATE_NODE_FLAGS='--flag ...': Node flags for `memgate` only.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, type GraphQLSchema } from 'graphql';
import { memgateEntry } from './lib/build.js';
import { startPinnedChild, type PinnedChild } from './lib/child.js';
import { BENCH_SERVICE_KEY, BENCH_USER_PREFIX } from './lib/constants.js';
import { hotSpots } from './lib/cpu-profile.js';
import { runLoad, runRate, type BuiltRequest, type LoadResult } from './lib/load.js';
import { fieldSelection, fetchSchema } from './lib/selection.js';
import { fmt, fmtSummary, median, ratio, summarize, type Summary } from './lib/stats.js';
import { createDirectStreamer, createMemgateStreamer, type StreamTiming } from './lib/streams.js';
import { measureScaleOut, scaleOutRows, startBenchRedis } from './lib/scale-out.js';
import { openIdleSubscriptions } from './lib/subscriptions.js';
import { hiveFields, hiveOneQuery, hiveUsersQuery, hiveViewQuery, type HiveFields } from './hive/queries.js';

const quick = process.env.BENCH_QUICK === '1';
const only = new Set((process.env.BENCH_ONLY ?? 'a,b,c,d,e,f,g').split(',').map((s) => s.trim()));
const plan = quick
  ? { runs: 2, maxSec: 2, halfSec: 2, usersSec: 2, connections: 50, streams: 5, subscriptions: 200, profileSec: 4 }
  : { runs: 5, maxSec: 3, halfSec: 3, usersSec: 2, connections: 100, streams: 10, subscriptions: 1000, profileSec: 6 };
const benchDir = fileURLToPath(new URL('.', import.meta.url));
const resultsDir = join(benchDir, 'results');
const repoDir = join(benchDir, '..');
const SYNVO_KEY = 'synvo-dev-key';
/** BENCH_TSX=1: run memgate's TypeScript through tsx instead of the compiled build. */
const viaTsx = process.env.BENCH_TSX === '1';
const builtEntries = new Map<string, string>();
/** memgate's entry for a checkout, compiled once per run (see lib/build.ts). */
function memgateAt(dir: string | undefined): string {
  const checkout = dir ?? repoDir;
  let entry = builtEntries.get(checkout);
  if (!entry) builtEntries.set(checkout, (entry = memgateEntry(checkout, { tsx: viaTsx, compilerDir: repoDir })));
  return entry;
}
const MEMSYNC_KEY = 'memsync-dev-key';

const out: string[] = [];
/** Prints and keeps a line for bench/results/latest.md. */
function say(line = ''): void {
  console.log(line);
  out.push(line);
}
const log = (line: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

// ------------------------------------------------------------------ machine and pinning

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const pinned = hasTaskset() && os.cpus().length >= 2;
if (pinned) execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
else log('taskset missing or a single CPU: processes are not pinned (apt-get install util-linux)');
const GATEWAY_CPU = pinned ? '0' : undefined;
const UPSTREAM_CPU = pinned ? '1' : undefined;

function version(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(join(repoDir, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'n/a';
  }
}

/** memgate's schema as `npm run schema` printed it (production memgate answers no introspection). */
function memgateSchema(dir = repoDir): GraphQLSchema {
  return buildSchema(readFileSync(join(dir, 'schema.graphql'), 'utf8'));
}

// ------------------------------------------------------------------ processes

let seq = 0;
/** A user nobody asked for before: no gateway can answer it from a cache. */
const freshUser = () => `${BENCH_USER_PREFIX}${(seq++).toString(36)}`;

const children: PinnedChild<Record<string, unknown>>[] = [];
async function start<Info extends Record<string, unknown>>(name: string, entry: string, cpus: string | undefined, env: Record<string, string> = {}, nodeFlags: string[] = []): Promise<PinnedChild<Info> | null> {
  try {
    const child = await startPinnedChild<Info>({ name, entry, cpus, env, nodeFlags });
    children.push(child as PinnedChild<Record<string, unknown>>);
    return child;
  } catch (err) {
    log(`${name} did not start: ${(err as Error).message}`);
    return null;
  }
}

async function stopAll(): Promise<void> {
  await Promise.all(children.splice(0).map((c) => c.stop().catch(() => {})));
}

// ------------------------------------------------------------------ contenders

interface Contender {
  name: string;
  child: PinnedChild<Record<string, unknown>>;
  one?(user: string): BuiltRequest;
  view?(user: string): BuiltRequest;
  users?(names: string[]): BuiltRequest;
}

const gql = (path: string, query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}): BuiltRequest => ({
  method: 'POST',
  path,
  headers,
  body: JSON.stringify({ query, variables }),
});

function memgateContender(name: string, child: PinnedChild<Record<string, unknown>>, schema: GraphQLSchema): Contender {
  const path = new URL(child.info.url as string).pathname;
  const auth = { 'x-api-key': BENCH_SERVICE_KEY };
  const opts = { only: { Profile: ['attributes'] } };
  const profile = `profile ${fieldSelection(schema, 'User', 'profile', opts)}`;
  const events = `events(limit: 10) ${fieldSelection(schema, 'User', 'events', opts)}`;
  const biography = `biography ${fieldSelection(schema, 'User', 'biography', opts)}`;
  const oneQ = `query One($n: String!) { user(name: $n) { ${profile} } }`;
  const viewQ = `query View($n: String!) { user(name: $n) { name ${profile} ${events} ${biography} } }`;
  const usersQ = `query Users($names: [String!]!) { users(names: $names) { name ${profile} ${events} ${biography} } }`;
  return {
    name,
    child,
    one: (u) => gql(path, oneQ, { n: u }, auth),
    view: (u) => gql(path, viewQ, { n: u }, auth),
    users: (names) => gql(path, usersQ, { names }, auth),
  };
}

function hiveContender(child: PinnedChild<Record<string, unknown>>, fields: HiveFields): Contender {
  const path = new URL(child.info.url as string).pathname;
  const oneQ = hiveOneQuery(fields);
  const viewQ = hiveViewQuery(fields);
  const usersQ = new Map<number, string>();
  return {
    name: 'hive-gateway',
    child,
    one: (u) => gql(path, oneQ, { u }),
    view: (u) => gql(path, viewQ, { u }),
    users(names) {
      let q = usersQ.get(names.length);
      if (!q) usersQ.set(names.length, (q = hiveUsersQuery(fields, names.length)));
      return gql(path, q, Object.fromEntries(names.map((n, i) => [`u${i}`, n])));
    },
  };
}

function directContender(child: PinnedChild<Record<string, unknown>>): Contender {
  return {
    name: 'direct',
    child,
    one: (u) => ({ method: 'GET', path: `/one?user=${encodeURIComponent(u)}` }),
    view: (u) => ({ method: 'GET', path: `/view?user=${encodeURIComponent(u)}` }),
    users: (names) => ({ method: 'POST', path: '/users', body: JSON.stringify({ names }) }),
  };
}

function yogaContender(child: PinnedChild<Record<string, unknown>>): Contender {
  const path = new URL(child.info.url as string).pathname;
  return { name: 'yoga-hello', child, one: () => gql(path, '{ hello }', {}) };
}

// ------------------------------------------------------------------ counters

interface Upstreams {
  synvoUrl: string;
  memsyncUrl: string;
}

async function resetCalls(u: Upstreams): Promise<void> {
  await Promise.all([u.synvoUrl, u.memsyncUrl].map((base) => fetch(`${base}/__emulator/calls`, { method: 'DELETE' })));
}

async function countCalls(u: Upstreams): Promise<number> {
  const all = await Promise.all(
    [u.synvoUrl, u.memsyncUrl].map(async (base) => (await (await fetch(`${base}/__emulator/calls`)).json()) as { routes: Record<string, { total: number }> }),
  );
  return all.reduce((sum, c) => sum + Object.values(c.routes).reduce((s, r) => s + r.total, 0), 0);
}

// ------------------------------------------------------------------ measuring

interface RunRecord extends LoadResult {
  /** Share of one CPU the contender's process used during the run. */
  cpu: number;
  /** CPU milliseconds the contender's process spent per answered request. */
  cpuMsPerRequest: number;
  /** The contender's event-loop delay p99 during the run, ms. */
  eldP99: number;
  /** Longest GC pause of the run, ms, and the share of the run's wall time spent in GC pauses. */
  gcMaxMs: number;
  gcShare: number;
  /** Times a second the OS preempted the contender's process during the run (another process wanted its CPU). */
  preemptionsPerSec: number;
}

interface Measured {
  rps: Summary;
  p50: Summary;
  p99: Summary;
  /** Upstream calls per query, from the emulators' counters over a separate run of `callSample` answered queries. */
  callsPerQuery: number;
  cpu: Summary;
  cpuMsPerRequest: Summary;
  /** Event-loop delay p99 of the contender's process, per run. */
  eldP99: Summary;
  gcMaxMs: Summary;
  gcShare: Summary;
  preemptionsPerSec: Summary;
  failures: number;
}

function toMeasured(runs: RunRecord[], callsPerQuery: number): Measured {
  return {
    callsPerQuery,
    rps: summarize(runs.map((r) => r.rps)),
    p50: summarize(runs.map((r) => r.p50)),
    p99: summarize(runs.map((r) => r.p99)),
    cpu: summarize(runs.map((r) => r.cpu)),
    cpuMsPerRequest: summarize(runs.map((r) => r.cpuMsPerRequest)),
    eldP99: summarize(runs.map((r) => r.eldP99)),
    gcMaxMs: summarize(runs.map((r) => r.gcMaxMs)),
    gcShare: summarize(runs.map((r) => r.gcShare)),
    preemptionsPerSec: summarize(runs.map((r) => r.preemptionsPerSec)),
    failures: runs.reduce((s, r) => s + r.non2xx + r.errors + r.timeouts + r.withErrors, 0),
  };
}

interface Job {
  contender: Contender;
  build: () => BuiltRequest;
  connections: number;
  durationSec: number;
  overallRate?: number;
}

/** One warm-up then `plan.runs` measured runs of every job, alternating, the order rotated each run. */
/** Answered queries over which upstream calls per query are counted. */
const callSample = 100;

/** The machine is shared: say how busy it was. */
function loadNote(): string {
  return `machine load average (1 min) ${os.loadavg()[0]!.toFixed(2)} on ${os.cpus().length} CPUs`;
}

async function measure(label: string, jobs: Job[], upstreams: Upstreams, countUpstreamCalls: number | false = callSample): Promise<Map<string, Measured>> {
  const loadBefore = loadNote();
  const runs = new Map<string, RunRecord[]>(jobs.map((j) => [j.contender.name, []]));
  for (let r = 0; r <= plan.runs; r++) {
    const order = jobs.map((_, i) => jobs[(i + r) % jobs.length]!);
    for (const job of order) {
      const before = await job.contender.child.stats();
      const url = (job.contender.child.info.url as string).replace(/\/graphql$/, '');
      const res = job.overallRate
        ? await runRate({ url, build: () => job.build(), rate: job.overallRate, durationSec: job.durationSec })
        : await runLoad({ url, build: () => job.build(), connections: job.connections, durationSec: job.durationSec });
      const after = await job.contender.child.stats();
      const cpuUs = after.cpu.user + after.cpu.system - before.cpuAfterGc.user - before.cpuAfterGc.system;
      const wallMs = after.uptimeMs - before.uptimeAfterGcMs;
      const gc = after.gc ?? { count: 0, totalMs: Number.NaN, maxMs: Number.NaN, major: 0, majorMaxMs: Number.NaN };
      const record: RunRecord = {
        ...res, cpu: cpuUs / 1000 / wallMs, cpuMsPerRequest: cpuUs / 1000 / Math.max(1, res.ok), eldP99: after.eventLoopDelay.p99,
        gcMaxMs: gc.maxMs, gcShare: gc.totalMs / wallMs,
        preemptionsPerSec: ((after.involuntarySwitches ?? Number.NaN) - (before.involuntarySwitches ?? Number.NaN)) / (wallMs / 1000),
      };
      log(`${label} ${r === 0 ? 'warm-up' : `run ${r}`} ${job.contender.name}: ${fmt(res.rps, 0)} req/s p50 ${fmt(res.p50, 2)} ms p99 ${fmt(res.p99, 2)} ms cpu ${fmt(record.cpu * 100, 0)}% ${fmt(record.cpuMsPerRequest, 2)} ms/req eld p99 ${fmt(record.eldP99, 1)} ms gc ${fmt(record.gcShare * 100, 1)}% max ${fmt(record.gcMaxMs, 1)} ms (${gc.count} pauses, ${gc.major} major, longest major ${fmt(gc.majorMaxMs, 1)} ms) preempted ${fmt(record.preemptionsPerSec, 0)}/s${res.non2xx + res.errors + res.timeouts + res.withErrors ? ` FAILURES non2xx=${res.non2xx} errors=${res.errors} timeouts=${res.timeouts} graphqlErrors=${res.withErrors} ${res.errorSamples.join(' || ')}` : ''}`);
      if (r > 0) runs.get(job.contender.name)!.push(record);
    }
  }
  const calls = new Map<string, number>();
  if (countUpstreamCalls) {
    for (const job of jobs) {
      // Requests cut off at the end of a timed run may still be calling upstreams: let them finish.
      await new Promise((r) => setTimeout(r, 1000));
      await resetCalls(upstreams);
      const res = await runLoad({ url: (job.contender.child.info.url as string).replace(/\/graphql$/, ''), build: () => job.build(), connections: 10, durationSec: 0, amount: countUpstreamCalls });
      calls.set(job.contender.name, (await countCalls(upstreams)) / Math.max(1, res.ok + res.non2xx));
    }
  }
  say(`\n_${label}: ${loadBefore} at the start, ${loadNote().replace('machine ', '')} at the end._\n`);
  return new Map([...runs.entries()].map(([name, rs]) => [name, toMeasured(rs, calls.get(name) ?? Number.NaN)]));
}

/** Sends one request and says whether the answer is a clean 200 (no GraphQL errors). */
async function probe(c: Contender, req: BuiltRequest): Promise<string | null> {
  const base = (c.child.info.url as string).replace(/\/graphql$/, '');
  const res = await fetch(`${base}${req.path}`, {
    method: req.method,
    headers: { ...req.headers, ...(req.body ? { 'content-type': 'application/json' } : {}) },
    body: req.body,
  });
  const text = await res.text();
  if (res.status !== 200) return `HTTP ${res.status}: ${text.slice(0, 300)}`;
  const body = JSON.parse(text) as { errors?: unknown[]; data?: unknown };
  if (body.errors?.length) return `GraphQL errors: ${JSON.stringify(body.errors).slice(0, 400)}`;
  if (!body.data) return `no data: ${text.slice(0, 300)}`;
  return null;
}

async function probeAll(label: string, contenders: Contender[], make: (c: Contender) => BuiltRequest | undefined): Promise<Contender[]> {
  const ok: Contender[] = [];
  for (const c of contenders) {
    const req = make(c);
    if (!req) continue;
    const problem = await probe(c, req).catch((err: Error) => err.message);
    if (problem) {
      log(`${label}: ${c.name} left out, its answer is not clean: ${problem}`);
      say(`- ${label}: **${c.name} left out**: ${problem.slice(0, 200).replace(/\|/g, '\\|')}`);
    } else ok.push(c);
  }
  return ok;
}

function table(headers: string[], rows: string[][]): void {
  say(`| ${headers.join(' | ')} |`);
  say(`|${headers.map(() => '---').join('|')}|`);
  for (const r of rows) say(`| ${r.join(' | ')} |`);
}

// ------------------------------------------------------------------ workloads

const goals: string[][] = [];
function goal(what: string, target: string, reached: number, fmtd: string, met: boolean | null): void {
  goals.push([what, target, fmtd, met === null ? 'n/a' : met ? 'met' : '**missed**']);
  void reached;
}

async function loadWorkload(key: 'one' | 'view', label: string, contenders: Contender[], upstreams: Upstreams): Promise<void> {
  say(`\n### (${key === 'one' ? 'a' : 'b'}) ${label}\n`);
  const usable = await probeAll(label, contenders, (c) => c[key]?.(freshUser()));
  if (!usable.length) return;
  const max = await measure(`${label} max`, usable.map((c) => ({ contender: c, build: () => c[key]!(freshUser()), connections: plan.connections, durationSec: plan.maxSec })), upstreams);
  say(`Maximum load: ${plan.connections} connections, ${plan.maxSec} s per run, ${plan.runs} runs after a warm-up; median (min..max).\n`);
  table(
    ['contender', 'req/s', 'p50 ms', 'p99 ms', 'upstream calls/query', 'gateway CPU', 'CPU ms/request', 'req/s per core', 'event-loop delay p99 ms', 'wall time in GC pauses', 'failed (non-2xx, GraphQL errors, timeouts)'],
    usable.map((c) => {
      const m = max.get(c.name)!;
      return [
        c.name, fmtSummary(m.rps, 0), fmtSummary(m.p50, 2), fmtSummary(m.p99, 2), fmt(m.callsPerQuery, 2), `${fmt(m.cpu.median * 100, 0)}%`,
        fmtSummary(m.cpuMsPerRequest, 2), fmt(1000 / m.cpuMsPerRequest.median, 0), fmtSummary(m.eldP99, 1), `${fmt(m.gcShare.median * 100, 1)}%`, String(m.failures),
      ];
    }),
  );
  say('\n"req/s per core" = 1000 / CPU ms per request: the capacity of one dedicated core, less sensitive than req/s to what else the machine runs.');

  const mem = max.get('memgate');
  const hive = max.get('hive-gateway');
  const yoga = max.get('yoga-hello');
  const perCore = (m: Measured) => 1000 / m.cpuMsPerRequest.median;
  if (mem && hive) {
    const r = ratio(mem.rps.median, hive.rps.median);
    const rc = ratio(perCore(mem), perCore(hive));
    say(`\nmemgate / Hive Gateway: requests/s **${fmt(r, 2)}x**, requests/s per core **${fmt(rc, 2)}x**`);
    if (key === 'view') {
      goal('(b) req/s vs Hive Gateway', '>= 3x', r, `${fmt(r, 2)}x`, r >= 3);
      goal('(b) req/s per core vs Hive Gateway', '>= 3x', rc, `${fmt(rc, 2)}x`, rc >= 3);
    }
  }
  if (mem && yoga) {
    const r = ratio(mem.rps.median, yoga.rps.median);
    const rc = ratio(perCore(mem), perCore(yoga));
    say(`memgate / bare yoga \`{ hello }\`: requests/s **${fmt(r, 2)}x**, requests/s per core **${fmt(rc, 2)}x**`);
    goal('(a) req/s vs bare yoga', '>= 0.7x', r, `${fmt(r, 2)}x`, r >= 0.7);
    goal('(a) req/s per core vs bare yoga', '>= 0.7x', rc, `${fmt(rc, 2)}x`, rc >= 0.7);
  }
  const before = max.get('memgate-before');
  if (mem && before) {
    say(`memgate / memgate-before: requests/s **${fmt(ratio(mem.rps.median, before.rps.median), 2)}x**, CPU ms per request ${fmt(before.cpuMsPerRequest.median, 2)} -> ${fmt(mem.cpuMsPerRequest.median, 2)} (**${fmt((1 - mem.cpuMsPerRequest.median / before.cpuMsPerRequest.median) * 100, 0)}%** less)`);
  }
  if (!mem) return;

  const rate = mem.rps.median / 2;
  const halfJobs = usable
    .filter((c) => c.name !== 'yoga-hello')
    .filter((c) => (max.get(c.name)?.rps.median ?? 0) >= rate * 1.05)
    .map((c) => ({ contender: c, build: () => c[key]!(freshUser()), connections: plan.connections, durationSec: plan.halfSec, overallRate: rate }));
  const half = await measure(`${label} half`, halfJobs, upstreams, false);
  say(`\nLatency at half of memgate's maximum load: ${fmt(rate, 0)} req/s offered to each at even intervals (open loop, latency from the scheduled send), ${plan.halfSec} s per run:\n`);
  const direct = half.get('direct');
  const slowest = key === 'one' ? 10 : 20;
  table(
    ['contender', 'req/s', 'p50 ms', 'p99 ms', `p50 over slowest upstream (${slowest} ms)`, 'p50 over direct', 'p99 over direct', 'CPU ms/request', 'event-loop delay p99 ms', 'longest GC pause ms', 'wall time in GC pauses', 'preempted by the OS /s'],
    halfJobs.map(({ contender: c }) => {
      const m = half.get(c.name)!;
      return [
        c.name, fmtSummary(m.rps, 0), fmtSummary(m.p50, 2), fmtSummary(m.p99, 2), fmt(m.p50.median - slowest, 2),
        direct ? fmt(m.p50.median - direct.p50.median, 2) : 'n/a', direct ? fmt(m.p99.median - direct.p99.median, 2) : 'n/a',
        fmtSummary(m.cpuMsPerRequest, 2), fmtSummary(m.eldP99, 1), fmtSummary(m.gcMaxMs, 1), `${fmt(m.gcShare.median * 100, 1)}%`, fmt(m.preemptionsPerSec.median, 0),
      ];
    }),
  );
  const m = half.get('memgate');
  if (m && direct) {
    const o50 = m.p50.median - direct.p50.median;
    const o99 = m.p99.median - direct.p99.median;
    goal(`(${key === 'one' ? 'a' : 'b'}) overhead p50 at half load`, '<= 2 ms', o50, `${fmt(o50, 2)} ms`, o50 <= 2);
    goal(`(${key === 'one' ? 'a' : 'b'}) overhead p99 at half load`, '<= 10 ms', o99, `${fmt(o99, 2)} ms`, o99 <= 10);
  }
}

async function usersWorkload(contenders: Contender[], upstreams: Upstreams): Promise<void> {
  say('\n### (c) `users(names)` with duplicates\n');
  say(`${plan.usersSec} s per run, 10 / 3 / 1 connections for 1 / 10 / 50 names (so the emulators are not the bottleneck); a fifth of the names are repeats; every name is new to the gateway.\n`);
  const rows: string[][] = [];
  for (const n of [1, 10, 50]) {
    const distinct = Math.max(1, Math.round(n * 0.8));
    const names = () => {
      const base = Array.from({ length: distinct }, () => freshUser());
      return Array.from({ length: n }, (_, i) => base[i % distinct]!);
    };
    const usable = await probeAll(`users(${n})`, contenders, (c) => c.users?.(names()));
    const res = await measure(`users(${n})`, usable.map((c) => ({ contender: c, build: () => c.users!(names()), connections: Math.max(1, Math.round(10 / Math.sqrt(n))), durationSec: plan.usersSec })), upstreams, Math.max(20, Math.round(callSample / n)));
    for (const c of usable) {
      const m = res.get(c.name)!;
      rows.push([String(n), String(distinct * 3), c.name, fmtSummary(m.rps, 0), fmtSummary(m.p50, 2), fmtSummary(m.p99, 2), fmt(m.callsPerQuery, 2), String(m.failures)]);
    }
  }
  table(['names', 'calls needed', 'contender', 'req/s', 'p50 ms', 'p99 ms', 'upstream calls/query', 'failed'], rows);
}

async function streamWorkload(memgate: Contender | undefined, upstreams: Upstreams): Promise<void> {
  say('\n### (d) one answer stream\n');
  if (!memgate) {
    say('memgate is not running: nothing to compare.');
    return;
  }
  const question = 'Where does the user work and what do they do?';
  const direct = createDirectStreamer(upstreams.synvoUrl, SYNVO_KEY);
  let mg: Awaited<ReturnType<typeof createMemgateStreamer>> | null = null;
  try {
    mg = await createMemgateStreamer(memgate.child.info.wsUrl as string, BENCH_SERVICE_KEY);
    await mg.ask(freshUser(), question);
  } catch (err) {
    say(`memgate's \`Subscription.ask\` failed: ${(err as Error).message.slice(0, 300)}`);
    await mg?.close();
    await direct.close();
    return;
  }
  const all: Record<'direct' | 'memgate', StreamTiming[]> = { direct: [], memgate: [] };
  const perRun: Record<'direct' | 'memgate', { ttft: number[]; tps: number[] }> = { direct: { ttft: [], tps: [] }, memgate: { ttft: [], tps: [] } };
  for (let r = 0; r <= plan.runs; r++) {
    const order = r % 2 ? (['memgate', 'direct'] as const) : (['direct', 'memgate'] as const);
    for (const who of order) {
      const timings: StreamTiming[] = [];
      for (let i = 0; i < plan.streams; i++) timings.push(await (who === 'direct' ? direct : mg).ask(freshUser(), question));
      if (r === 0) continue;
      all[who].push(...timings);
      perRun[who].ttft.push(median(timings.map((t) => t.ttft)));
      perRun[who].tps.push(median(timings.map((t) => t.tokensPerSec)));
    }
  }
  await mg.close();
  await direct.close();
  say(`${plan.streams} sequential streams per run, ${plan.runs} runs after a warm-up, alternating; per-run medians, then their median (min..max). Emulator: first token after 50 ms, then one every 5 ms.\n`);
  table(
    ['path', 'time to first token ms', 'tokens/s', 'tokens per answer'],
    (['direct', 'memgate'] as const).map((who) => [
      who === 'direct' ? 'direct SSE (undici)' : 'memgate `Subscription.ask` (graphql-ws)',
      fmtSummary(summarize(perRun[who].ttft), 2),
      fmtSummary(summarize(perRun[who].tps), 0),
      fmt(median(all[who].map((t) => t.tokens)), 0),
    ]),
  );
  const overhead = median(perRun.memgate.ttft) - median(perRun.direct.ttft);
  say(`\nTime-to-first-token overhead: **${fmt(overhead, 2)} ms**`);
  goal('(d) time-to-first-token overhead', '<= 5 ms', overhead, `${fmt(overhead, 2)} ms`, overhead <= 5);
}

async function subscriptionWorkload(memgate: Contender | undefined, schema: GraphQLSchema | null, upstreams: Upstreams): Promise<void> {
  say('\n### (e) idle subscriptions\n');
  if (!memgate || !schema) {
    say('memgate is not running: nothing to measure.');
    return;
  }
  const subType = schema.getSubscriptionType();
  if (!subType?.getFields().events) {
    say('memgate has no `Subscription.events` yet: nothing to measure.');
    return;
  }
  const selection = fieldSelection(schema, subType.name, 'events');
  const before = await memgate.child.stats();
  const subs = await openIdleSubscriptions({
    wsUrl: memgate.child.info.wsUrl as string,
    apiKey: BENCH_SERVICE_KEY,
    count: plan.subscriptions,
    query: `subscription Events($u: String) { events(user: $u) ${selection} }`,
    variables: () => ({ u: freshUser() }),
  });
  await new Promise((r) => setTimeout(r, 500));
  await resetCalls(upstreams);
  const idleMs = 3000;
  await new Promise((r) => setTimeout(r, idleMs));
  const idleCalls = await countCalls(upstreams);
  const after = await memgate.child.stats();
  const failures = subs.failures();
  await subs.close();
  const n = plan.subscriptions;
  const per = (k: keyof NodeJS.MemoryUsage) => (after.memory[k] - before.memory[k]) / n / 1024;
  say(`${n} graphql-ws connections, one \`Subscription.events\` each, idle; memory of the memgate process after a full GC, before and after.\n`);
  table(
    ['measure', 'before MiB', 'after MiB', 'per subscription KiB'],
    (['rss', 'heapUsed', 'external'] as const).map((k) => [k, fmt(before.memory[k] / 2 ** 20, 1), fmt(after.memory[k] / 2 ** 20, 1), fmt(per(k), 1)]),
  );
  say(`\nUpstream calls while the ${n} subscriptions sat idle for ${idleMs / 1000} s: ${idleCalls}.`);
  if (failures.length) say(`\n${failures.length} subscriptions failed, e.g. ${failures[0]}`);
  // RSS barely moves while V8 reuses heap it had reserved; what the gateway holds is heap + external.
  const held = per('heapUsed') + per('external');
  say(`Held per subscription (heapUsed + external): **${fmt(held, 1)} KiB**; RSS grew ${fmt(per('rss'), 1)} KiB per subscription.`);
  goal('(e) memory per idle subscription (heap + external)', '<= 30 KiB', held, `${fmt(held, 1)} KiB`, held <= 30 && failures.length === 0);
}

async function scaleOutWorkload(memgate: Contender | undefined, env: Record<string, string>): Promise<void> {
  say('\n### (g) scale-out: two instances on one Redis\n');
  if (!memgate) {
    say('memgate is not running: nothing to measure.');
    return;
  }
  let redis: Awaited<ReturnType<typeof startBenchRedis>>;
  try {
    redis = await startBenchRedis(UPSTREAM_CPU);
  } catch (err) {
    say(`No redis-server to run on: ${(err as Error).message}`);
    return;
  }
  const entry = memgateAt(process.env.BENCH_MEMGATE_DIR);
  const withRedis = { ...env, BENCH_REDIS_URL: redis.url };
  const started = await Promise.all(['memgate-redis', 'memgate-redis-a', 'memgate-redis-b'].map((name) => start(name, entry, GATEWAY_CPU, withRedis)));
  try {
    const [one, a, b] = started;
    if (!one || !a || !b) {
      say('memgate on Redis did not start (see the log).');
      return;
    }
    const loadBefore = loadNote();
    const measured = await measureScaleOut({
      setups: [
        { name: '1 instance, no Redis (in-process cache)', instances: [memgate.child] },
        { name: '1 instance on Redis', instances: [one] },
        { name: '2 instances on one Redis', instances: [a, b] },
        // What each of the two instances sees: half the connections, so fewer requests share each
        // turn of its event loop. Tells that effect from the cost of sharing Redis.
        { name: '1 instance on Redis, half the connections', instances: [one], connections: plan.connections / 2 },
      ],
      build: () => memgate.view!(freshUser()),
      runs: plan.runs,
      connections: plan.connections,
      durationSec: plan.maxSec,
      log,
    });
    say(`Workload (b) at maximum load, ${plan.connections} connections split evenly over the instances, every instance on the gateway CPU; ` +
      `${plan.maxSec} s per run, ${plan.runs} runs after a warm-up, alternating; median (min..max). _${loadBefore} at the start, ${loadNote().replace('machine ', '')} at the end._\n`);
    table(['setup', 'req/s (all instances)', 'CPU ms/request (all instances)', 'req/s per core', 'p99 ms (slowest instance)', 'failed'], scaleOutRows(measured));
    const x1 = measured.get('1 instance on Redis')!;
    const x2 = measured.get('2 instances on one Redis')!;
    const r = x1.cpuMsPerRequest.median / x2.cpuMsPerRequest.median;
    const half = measured.get('1 instance on Redis, half the connections')!;
    say(`\nreq/s per core, 2 instances / 1 instance on the same Redis: **${fmt(r, 2)}x**; ` +
      `2 instances / 1 instance with half the connections (each instance's share): **${fmt(half.cpuMsPerRequest.median / x2.cpuMsPerRequest.median, 2)}x**. ` +
      'On this machine both instances share the gateway CPU: two event loops take turns on one core.');
    goal('(g) req/s per core, 2 instances on one Redis vs 1', '>= 0.95x (must not fall beyond noise)', r, `${fmt(r, 2)}x`, r >= 0.95);
  } finally {
    for (const c of started) {
      if (!c) continue;
      await c.stop().catch(() => {});
      children.splice(children.indexOf(c), 1);
    }
    await redis.stop();
  }
}

/** The query the context workload asks each user's context for. */
const CONTEXT_QUERY = 'hiking trails and machine learning in healthcare';

async function contextWorkload(memgate: Contender | undefined, schema: GraphQLSchema | null, upstreams: Upstreams): Promise<void> {
  say('\n### (f) `User.context`: one prompt-ready context per request\n');
  if (!memgate || !schema) {
    say('memgate is not running: nothing to measure.');
    return;
  }
  if (!schema.getType('UserContext')) {
    say('memgate has no `User.context` yet: nothing to measure.');
    return;
  }
  const path = new URL(memgate.child.info.url as string).pathname;
  const auth = { 'x-api-key': BENCH_SERVICE_KEY };
  const contextQ = `query Context($n: String!, $q: String!) { user(name: $n) { context(query: $q, maxTokens: 1500) { text tokens items { kind service sourceId score } } } }`;
  // The same five reads as plain fields, without the assembly: what ranking, deduplication and the tokenizer cost on top.
  const readsQ = `query Reads($n: String!, $q: String!) { user(name: $n) {
    profile { attributes { category subtopic values } } events(limit: 100) { type content time }
    memories(query: $q, limit: 20) { id text createdAt } biography(format: SHORT) { __typename ... on Biography { text } }
    searchFiles(query: $q) { id path createdAt } } }`;
  const context: Contender = { name: 'context', child: memgate.child, one: (u) => gql(path, contextQ, { n: u, q: CONTEXT_QUERY }, auth) };
  const reads: Contender = { name: 'five reads as fields', child: memgate.child, one: (u) => gql(path, readsQ, { n: u, q: CONTEXT_QUERY }, auth) };
  const usable = await probeAll('context', [context, reads], (c) => c.one!(freshUser()));
  if (usable.length === 0) return;
  const sample = await fetch(`${(memgate.child.info.url as string)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: context.one!(freshUser()).body as string,
  }).then((r) => r.json() as Promise<{ data: { user: { context: { tokens: number; items: unknown[] } } } }>);
  const rows: string[][] = [];
  for (const [label, connections] of [['one at a time', 1], ['under load', plan.connections / 2]] as const) {
    const res = await measure(`context ${label}`, usable.map((c) => ({ contender: c, build: () => c.one!(freshUser()), connections, durationSec: plan.maxSec })), upstreams);
    for (const c of usable) {
      const m = res.get(c.name)!;
      rows.push([c.name, `${connections}`, fmtSummary(m.rps, 0), fmtSummary(m.p50, 2), fmtSummary(m.p99, 2), fmt(m.callsPerQuery, 2), fmtSummary(m.cpuMsPerRequest, 2), String(m.failures)]);
    }
  }
  say(`Every request a new user (the bench emulators answer each with the seed user alex's data), query "${CONTEXT_QUERY}", maxTokens 1500; ` +
    `a context there is ${sample.data.user.context.items.length} items, ${sample.data.user.context.tokens} tokens. ${plan.maxSec} s per run, ${plan.runs} runs after a warm-up; median (min..max).\n`);
  table(['request', 'connections', 'req/s', 'p50 ms', 'p99 ms', 'upstream calls/context', 'CPU ms/request', 'failed'], rows);
  say('\nUpstream calls per context: profile, events, memory search, biography, file search, each once (5); the two rows differ by the assembly (ranking, near-duplicates, tokenizer).');
}

async function profileMemgate(env: Record<string, string>): Promise<void> {
  say(`\n### memgate CPU profile under (${process.env.BENCH_PROFILE_WORKLOAD === 'a' ? 'a' : 'b'})\n`);
  const dir = join(resultsDir, 'profiles');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const memgateDir = process.env.BENCH_MEMGATE_DIR;
  const entry = memgateAt(memgateDir);
  const child = await start<Record<string, unknown>>('memgate-profiled', entry, GATEWAY_CPU, env, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  if (!child) return;
  const c = memgateContender('memgate-profiled', child, memgateSchema(memgateDir ?? repoDir));
  const build = process.env.BENCH_PROFILE_WORKLOAD === 'a' ? () => c.one!(freshUser()) : () => c.view!(freshUser());
  await runLoad({ url: (child.info.url as string).replace(/\/graphql$/, ''), build, connections: plan.connections, durationSec: 2 });
  const res = await runLoad({ url: (child.info.url as string).replace(/\/graphql$/, ''), build, connections: plan.connections, durationSec: plan.profileSec });
  await child.stop();
  children.splice(children.indexOf(child as PinnedChild<Record<string, unknown>>), 1);
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) {
    say('No profile was written.');
    return;
  }
  const spots = hotSpots(join(dir, file), plan.profileSec * 1000);
  say(`${fmt(res.rps, 0)} req/s while profiled; ${fmt(spots.totalMs, 0)} ms of CPU samples over the last ${plan.profileSec} s of load (idle excluded). Profile: \`bench/results/profiles/${file}\`.\n`);
  table(['self time by package / file', 'share'], spots.places.map((s) => [s.name, `${fmt(s.share * 100, 1)}%`]));
  say('');
  table(['self time by function', 'share'], spots.functions.map((s) => [`\`${s.name.replace(/\|/g, '\\|')}\``, `${fmt(s.share * 100, 1)}%`]));
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  const started = Date.now();
  say(`# memgate benchmark (${quick ? 'quick' : 'full'} run)\n`);
  say(`${new Date().toISOString()}; ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, ${fmt(os.totalmem() / 2 ** 30, 0)} GiB; Node ${process.version}; ` +
    `graphql ${version('graphql')}, graphql-yoga ${version('graphql-yoga')}, @pothos/core ${version('@pothos/core')}, undici ${version('undici')}, ` +
    `graphql-ws ${version('graphql-ws')}, @graphql-hive/gateway ${version('@graphql-hive/gateway')}, @omnigraph/openapi ${version('@omnigraph/openapi')}, autocannon ${version('autocannon')}.`);
  say(viaTsx ? 'memgate runs its TypeScript through tsx (BENCH_TSX=1).' : 'memgate runs compiled by tsc (bench/.build/), on plain Node, as in production.');
  say(pinned ? 'Pinned: emulators and load generator on CPU 1, each gateway under test on CPU 0.' : 'Not pinned (no taskset or one CPU).');

  const emulators = await start<{ synvoUrl: string; memsyncUrl: string }>('emulators', 'servers/emulators.ts', UPSTREAM_CPU);
  if (!emulators) throw new Error('the emulators did not start');
  const upstreams: Upstreams = emulators.info;
  const env = { BENCH_SYNVO_URL: upstreams.synvoUrl, BENCH_MEMSYNC_URL: upstreams.memsyncUrl, BENCH_SYNVO_KEY: SYNVO_KEY, BENCH_MEMSYNC_KEY: MEMSYNC_KEY };

  const memgateDir = process.env.BENCH_MEMGATE_DIR;
  const [direct, memgate, hive, yoga] = await Promise.all([
    start('direct', 'servers/direct.ts', GATEWAY_CPU, env),
    // BENCH_MEMGATE_NODE_FLAGS: Node/V8 flags for `memgate` only (e.g. a GC setting, A/B against memgate-before).
    start('memgate', memgateAt(memgateDir), GATEWAY_CPU, env, (process.env.BENCH_MEMGATE_NODE_FLAGS ?? '').split(' ').filter(Boolean)),
    start<Record<string, unknown>>('hive-gateway', 'servers/hive.ts', GATEWAY_CPU, env),
    start('yoga-hello', 'servers/yoga-hello.ts', GATEWAY_CPU, env),
  ]);
  const baselineDir = process.env.BENCH_BASELINE_DIR;
  const before = baselineDir ? await start('memgate-before', memgateAt(baselineDir), GATEWAY_CPU, env) : null;

  const contenders: Contender[] = [];
  if (direct) contenders.push(directContender(direct));
  let mgSchema: GraphQLSchema | null = null;
  let memgateC: Contender | undefined;
  if (memgate) {
    try {
      mgSchema = memgateSchema(memgateDir ?? repoDir);
      memgateC = memgateContender('memgate', memgate, mgSchema);
      contenders.push(memgateC);
    } catch (err) {
      say(`- memgate left out: ${(err as Error).message.slice(0, 300)}`);
    }
  } else say('- memgate left out: it did not start (see the log).');
  if (before) {
    try {
      contenders.push(memgateContender('memgate-before', before, memgateSchema(baselineDir)));
    } catch (err) {
      say(`- memgate-before left out: ${(err as Error).message.slice(0, 300)}`);
    }
  }
  if (hive) {
    try {
      const schema = await fetchSchema(hive.info.url as string);
      contenders.push(hiveContender(hive, hiveFields(hive.info.supergraph as string, schema)));
    } catch (err) {
      say(`- hive-gateway left out: ${(err as Error).message.slice(0, 300)}`);
    }
  } else say('- hive-gateway left out: it did not start (see the log).');
  if (yoga) contenders.push(yogaContender(yoga));

  say('\nEvery request names a user never seen before (`bench-<n>`; the bench emulators give each the seed user `alex`\'s data), ' +
    'so no gateway can answer from a cache or merge requests across queries.');

  if (only.has('a')) await loadWorkload('one', 'one field (`user(name) { profile }`: one upstream call, 10 ms)', contenders, upstreams);
  if (only.has('b')) await loadWorkload('view', 'the full user view (profile 10 ms + events 15 ms + biography 20 ms)', contenders.filter((c) => c.name !== 'yoga-hello'), upstreams);
  if (only.has('c')) await usersWorkload(contenders.filter((c) => c.users), upstreams);
  if (only.has('d')) await streamWorkload(memgateC, upstreams);
  if (only.has('e')) await subscriptionWorkload(memgateC, mgSchema, upstreams);
  if (only.has('f')) await contextWorkload(memgateC, mgSchema, upstreams);
  if (only.has('g')) await scaleOutWorkload(memgateC, env);
  if (process.env.BENCH_PROFILE === '1') await profileMemgate(env);

  say('\n### Goals\n');
  table(['goal', 'target', 'reached', ''], goals);
  say(`\nTotal bench time: ${fmt((Date.now() - started) / 1000, 0)} s.`);
  mkdirSync(resultsDir, { recursive: true });
  // Only a complete full run replaces the committed results; quick and partial runs go aside.
  const complete = !quick && ['a', 'b', 'c', 'd', 'e', 'f', 'g'].every((w) => only.has(w));
  writeFileSync(join(resultsDir, complete ? 'latest.md' : 'latest-partial.md'), `${out.join('\n')}\n`);
}

try {
  await main();
} finally {
  await stopAll();
}
