/**
 * `npx tsx bench/idle-heap.ts [count]`: what one idle `Subscription.events` holds in memgate. The
 * bench's workload (e) gives the total per subscription; this takes a V8 heap snapshot of memgate
 * (compiled, as the bench runs it) before and after opening `count` idle subscriptions (default
 * 200, one graphql-ws connection and a new user each) and prints, per subscription, the objects
 * added by constructor: what to cut to reach the goal. BENCH_MEMGATE_DIR=/path: another checkout.
 * BENCH_HEAP_ONE_USER=1: every subscription for the same user (what a watched user costs on top is
 * the difference); BENCH_HEAP_TOP=n: rows shown; BENCH_HEAP_KEEP=1: keep the two snapshots.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema } from 'graphql';
import { memgateEntry } from './lib/build.js';
import { startPinnedChild, type PinnedChild } from './lib/child.js';
import { BENCH_SERVICE_KEY, BENCH_USER_PREFIX } from './lib/constants.js';
import { fieldSelection } from './lib/selection.js';
import { fmt } from './lib/stats.js';
import { openIdleSubscriptions } from './lib/subscriptions.js';

const count = Number(process.argv[2] ?? 200);
const oneUser = process.env.BENCH_HEAP_ONE_USER === '1';
const repoDir = fileURLToPath(new URL('..', import.meta.url));
const memgateDir = process.env.BENCH_MEMGATE_DIR ?? repoDir;

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

/** Self size and count per `type name` of a heap snapshot. */
function byConstructor(path: string): Map<string, { size: number; count: number }> {
  const snap = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const out = new Map<string, { size: number; count: number }>();
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + iType]!]!;
    let name = snap.strings[snap.nodes[i + iName]!]!;
    // Strings and code by kind only: their text would make every one its own row.
    if (type === 'string' || type === 'sliced string' || type === 'number') name = '';
    if (type === 'concatenated string') name = name.slice(0, 30);
    if (name.length > 60) name = `${name.slice(0, 57)}...`;
    const key = `${type} ${name}`.trim();
    const entry = out.get(key) ?? { size: 0, count: 0 };
    entry.size += snap.nodes[i + iSize]!;
    entry.count += 1;
    out.set(key, entry);
  }
  return out;
}

const children: PinnedChild<Record<string, unknown>>[] = [];
const dir = mkdtempSync(join(os.tmpdir(), 'memgate-heap-'));
try {
  const emulators = await startPinnedChild<{ synvoUrl: string; memsyncUrl: string }>({ name: 'emulators', entry: 'servers/emulators.ts' });
  children.push(emulators);
  const memgate = await startPinnedChild<{ wsUrl: string }>({
    name: 'memgate',
    entry: memgateEntry(memgateDir, { compilerDir: repoDir }),
    env: { BENCH_SYNVO_URL: emulators.info.synvoUrl, BENCH_MEMSYNC_URL: emulators.info.memsyncUrl, BENCH_HEAP_SNAPSHOT_DIR: dir },
  });
  children.push(memgate);
  const schema = buildSchema(readFileSync(join(memgateDir, 'schema.graphql'), 'utf8'));
  const query = `subscription Events($u: String) { events(user: $u) ${fieldSelection(schema, 'Subscription', 'events')} }`;
  // One subscription opened and closed first, so that what the first one loads lazily is not counted.
  const warm = await openIdleSubscriptions({ wsUrl: memgate.info.wsUrl, apiKey: BENCH_SERVICE_KEY, count: 1, query, variables: () => ({ u: `${BENCH_USER_PREFIX}warm` }) });
  await new Promise((r) => setTimeout(r, 500));
  await warm.close();
  await new Promise((r) => setTimeout(r, 500));
  const before = await memgate.stats();
  const subs = await openIdleSubscriptions({ wsUrl: memgate.info.wsUrl, apiKey: BENCH_SERVICE_KEY, count, query, variables: (i) => ({ u: `${BENCH_USER_PREFIX}h${oneUser ? '' : i}` }) });
  await new Promise((r) => setTimeout(r, 1500));
  const after = await memgate.stats();
  if (subs.failures().length) console.log(`${subs.failures().length} subscriptions failed, e.g. ${subs.failures()[0]}`);
  const kib = (k: keyof NodeJS.MemoryUsage) => (after.memory[k] - before.memory[k]) / count / 1024;
  console.log(`${count} idle subscriptions: heapUsed ${fmt(kib('heapUsed'), 1)} KiB + external ${fmt(kib('external'), 1)} KiB (arrayBuffers ${fmt(kib('arrayBuffers'), 1)}) per subscription\n`);
  const [first, second] = readdirSync(dir).sort() as [string, string];
  const a = byConstructor(join(dir, first));
  const b = byConstructor(join(dir, second));
  const rows = [...b.entries()]
    .map(([key, v]) => ({ key, size: v.size - (a.get(key)?.size ?? 0), count: v.count - (a.get(key)?.count ?? 0) }))
    .filter((r) => r.size > 0)
    .sort((x, y) => y.size - x.size);
  const total = rows.reduce((s, r) => s + r.size, 0);
  console.log(`snapshot growth ${fmt(total / count / 1024, 1)} KiB per subscription (self sizes)\n`);
  console.log('| type and constructor | bytes per subscription | objects per subscription |');
  console.log('|---|---|---|');
  for (const r of rows.slice(0, Number(process.env.BENCH_HEAP_TOP ?? 45))) console.log(`| ${r.key.replace(/\|/g, '\\|')} | ${fmt(r.size / count, 0)} | ${fmt(r.count / count, 2)} |`);
  await subs.close();
} finally {
  await Promise.all(children.map((c) => c.stop().catch(() => {})));
  if (!process.env.BENCH_HEAP_KEEP) rmSync(dir, { recursive: true, force: true });
  else console.log(`snapshots kept in ${dir}`);
}
