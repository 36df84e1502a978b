/**
 * The read cache under load: `npx tsx bench/cache.ts` (not part of npm test).
 *
 * One process runs both emulators (profile, events and biography answer after 10, 15 and 20 ms)
 * with 100 users who each have a processed file and enough memories for a biography; two gateway
 * processes run on them, one with the read cache (in memory, 30 s) and one without, and a third
 * with the cache in the machine's Redis (REDIS_URL, default redis://127.0.0.1:6379; skipped when
 * unreachable). This process loads them with the full user view, round-robin over the 100 users,
 * and prints in the same run:
 *   1. requests/s with a warm cache (in memory, in Redis) and without (autocannon, same load);
 *   2. upstream calls per 1,000 full views from a cold start, with and without the cache
 *      (counted by the emulators).
 *
 * Options: --connections N (50), --duration S (8), --warmup S (2), --users N (100).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';

const ROUTE_LATENCY_MS = { profile: 10, events: 15, bio: 20 };
const SERVICE_KEY = 'bench-cache-service-key';
const SYNVO_KEY = 'synvo-dev-key';
const MEMSYNC_KEY = 'memsync-dev-key';

const FULL_VIEW = `query FullView($name: String!) {
  user(name: $name) {
    name
    profile { contactInfo { city } work { company title } attributes { category subtopic values } }
    events(limit: 10) { type content time }
    biography(format: SHORT) { __typename ... on Biography { text keyThemes } ... on BiographyNotReady { suggestion currentMemoryCount } }
    memories(query: "work", limit: 5) { id text categories }
    searchFiles(query: "notes") { id name path }
  }
}`;

const MESSAGES = [
  'I work as a data engineer at Globex, designing pipelines for the analytics team.',
  'I love cooking Thai food for my friends on Saturday evenings at home.',
  'I am studying for a masters degree in statistics at the open university.',
  'I cycle to the office every morning, about twelve kilometres along the canal.',
  'I am saving a part of my salary every month to buy a flat next year.',
  'I volunteer at the local library on Sundays, teaching children to code.',
].map((content) => ({ role: 'user', content }));

type Ready = { type: 'ready'; urls: Record<string, string> };
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisReachable(): Promise<boolean> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
type Calls = { type: 'calls'; total: number; byRoute: Record<string, number> };

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

const userName = (i: number) => `bench-cache-${String(i).padStart(3, '0')}`;

async function serveEmulators(users: number): Promise<void> {
  const { startSynvoEmulator } = await import('../emulators/synvo/index.js');
  const { startMemSyncEmulator } = await import('../emulators/memsync/index.js');
  const synvo = await startSynvoEmulator({ routeLatencyMs: ROUTE_LATENCY_MS, rateLimitPerMinute: 100_000_000, processingDelayMs: 10 });
  const memsync = await startMemSyncEmulator({ routeLatencyMs: ROUTE_LATENCY_MS, rateLimitPerMinute: 100_000_000, generationDelayMs: 5 });
  // Every user gets a processed file (profile, events, search) and memories (biography, memory search).
  for (let i = 0; i < users; i++) {
    const user = userName(i);
    const form = new FormData();
    form.set('file', new Blob([`City: Leeds\nCompany: Globex\nTitle: Data engineer\nMy notes: I started at Globex on 2024-0${1 + (i % 9)}-15.\n`], { type: 'text/plain' }), 'notes.txt');
    form.set('sub_user_name', user);
    const up = await fetch(`${synvo.url}/file/upload`, { method: 'POST', headers: { 'x-api-key': SYNVO_KEY }, body: form });
    if (!up.ok) throw new Error(`seeding upload for ${user}: ${up.status}`);
    const mem = await fetch(`${memsync.url}/v1/memories`, {
      method: 'POST',
      headers: { 'x-api-key': MEMSYNC_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: user, messages: MESSAGES, agent_id: 'bench', thread_id: `bench-${user}`, source: 'chat' }),
    });
    if (!mem.ok) throw new Error(`seeding memories for ${user}: ${mem.status}`);
  }
  await new Promise((r) => setTimeout(r, 200));
  synvo.controls.resetCalls();
  memsync.controls.resetCalls();
  process.on('message', (m: { type?: string }) => {
    if (m.type === 'calls') {
      const byRoute: Record<string, number> = {};
      for (const [service, e] of [['synvo', synvo], ['memsync', memsync]] as const) {
        for (const [route, c] of Object.entries(e.controls.calls().routes)) byRoute[`${service}.${route}`] = c.total;
      }
      process.send!({ type: 'calls', total: Object.values(byRoute).reduce((a, b) => a + b, 0), byRoute } satisfies Calls);
    }
  });
  process.send!({ type: 'ready', urls: { synvo: synvo.url, memsync: memsync.url } } satisfies Ready);
  process.on('disconnect', () => void Promise.all([synvo.stop(), memsync.stop()]).then(() => process.exit(0)));
}

async function serveGateway(synvoUrl: string, memsyncUrl: string, cacheSeconds: string, redisPrefix?: string): Promise<void> {
  const { loadConfig } = await import('../src/config.js');
  const { createApp } = await import('../src/app.js');
  const config = loadConfig({
    NODE_ENV: 'production',
    PORT: '0',
    LOG_LEVEL: 'silent',
    SYNVO_BASE_URL: synvoUrl,
    SYNVO_API_KEY: SYNVO_KEY,
    MEMSYNC_BASE_URL: `${memsyncUrl}/v1`,
    MEMSYNC_API_KEY: MEMSYNC_KEY,
    // The emulator's app key with user_id: the comparison servers (Hive, direct) address users the same way.
    MEMSYNC_SCOPING: 'user-param',
    MEMGATE_SERVICE_KEYS: SERVICE_KEY,
    MEMGATE_CACHE_TTL_SECONDS: cacheSeconds,
    MEMGATE_RATE_LIMIT_SERVICE_PER_MINUTE: '100000000',
    MEMGATE_RATE_LIMIT_USER_PER_MINUTE: '100000000',
    ...(redisPrefix ? { REDIS_URL: redisUrl, MEMGATE_REDIS_PREFIX: redisPrefix } : {}),
  });
  const app = await createApp(config);
  const { url } = await app.start();
  process.send!({ type: 'ready', urls: { gateway: url } } satisfies Ready);
  process.on('disconnect', () => void app.stop().then(() => process.exit(0)));
}

function start(args: string[]): Promise<{ child: ChildProcess; urls: Record<string, string> }> {
  const child = fork(fileURLToPath(import.meta.url), args, {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: 'inherit',
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m: Ready) => resolve({ child, urls: m.urls }));
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}`)));
  });
}

function upstreamCalls(emulators: ChildProcess): Promise<Calls> {
  return new Promise((resolve) => {
    const onMessage = (m: Calls) => {
      if (m.type !== 'calls') return;
      emulators.off('message', onMessage);
      resolve(m);
    };
    emulators.on('message', onMessage);
    emulators.send({ type: 'calls' });
  });
}

async function main(): Promise<void> {
  const connections = arg('connections', 50);
  const duration = arg('duration', 8);
  const warmup = arg('warmup', 2);
  const users = arg('users', 100);
  const emulators = await start(['--emulators', String(users)]);
  const { synvo, memsync } = emulators.urls as { synvo: string; memsync: string };
  const cached = await start(['--gateway', synvo, memsync, '30']);
  const uncached = await start(['--gateway', synvo, memsync, '0']);
  const redisPrefix = `memgate-bench:${randomUUID()}:`;
  const inRedis = (await redisReachable()) ? await start(['--gateway', synvo, memsync, '30', redisPrefix]) : null;
  const headers = { 'content-type': 'application/json', 'x-api-key': SERVICE_KEY };
  const bodies = Array.from({ length: users }, (_, i) => JSON.stringify({ query: FULL_VIEW, variables: { name: userName(i) } }));

  const view = async (url: string, i: number) => {
    const res = await fetch(url, { method: 'POST', headers, body: bodies[i % users] });
    const json = (await res.json()) as { errors?: unknown; data?: { user?: { biography?: { __typename?: string } } } };
    if (json.errors) throw new Error(`the full view failed: ${JSON.stringify(json.errors)}`);
    return json;
  };

  // Part 2 first, from cold caches: 1,000 full views, round-robin over the users, 10 at a time.
  const thousand = async (url: string) => {
    const before = await upstreamCalls(emulators.child);
    let next = 0;
    await Promise.all(Array.from({ length: 10 }, async () => {
      while (next < 1000) await view(url, next++);
    }));
    const after = await upstreamCalls(emulators.child);
    const byRoute = Object.fromEntries(Object.entries(after.byRoute).map(([r, n]) => [r, n - (before.byRoute[r] ?? 0)]).filter(([, n]) => n !== 0));
    return { total: after.total - before.total, byRoute };
  };
  const probe = await view(uncached.urls['gateway']!, 0);
  if (probe.data?.user?.biography?.__typename !== 'Biography') throw new Error('seeding failed: no biography for the first user');
  const callsWithout = await thousand(uncached.urls['gateway']!);
  const callsWith = await thousand(cached.urls['gateway']!);
  const callsRedis = inRedis ? await thousand(inRedis.urls['gateway']!) : null;

  // Part 1: throughput, same load on both; the cached gateway is warm from part 2 and its warm-up.
  const load = (url: string, seconds: number) => {
    let i = 0;
    return autocannon({
      url,
      method: 'POST',
      headers,
      connections,
      duration: seconds,
      pipelining: 1,
      requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, body: bodies[i++ % users] }) }],
    });
  };
  await load(uncached.urls['gateway']!, warmup);
  const without = await load(uncached.urls['gateway']!, duration);
  await load(cached.urls['gateway']!, warmup);
  const withCache = await load(cached.urls['gateway']!, duration);
  let withRedis: autocannon.Result | null = null;
  if (inRedis) {
    await load(inRedis.urls['gateway']!, warmup);
    withRedis = await load(inRedis.urls['gateway']!, duration);
  }

  const failed = (r: autocannon.Result) => r.non2xx + r.errors + r.timeouts;
  const routes = (byRoute: Record<string, number>) => Object.entries(byRoute).map(([r, n]) => `${r} ${n}`).join(', ');
  console.log(`full view over ${users} users; upstream latency profile ${ROUTE_LATENCY_MS.profile} ms, events ${ROUTE_LATENCY_MS.events} ms, biography ${ROUTE_LATENCY_MS.bio} ms`);
  console.log(`1. throughput, ${connections} connections, ${duration} s each (after ${warmup} s warm-up)`);
  console.log(`   without cache   ${without.requests.average.toFixed(0)} req/s  (median ${without.latency.p50} ms, p99 ${without.latency.p99} ms, ${without.requests.total} requests, ${failed(without)} failed)`);
  console.log(`   warm cache      ${withCache.requests.average.toFixed(0)} req/s  (median ${withCache.latency.p50} ms, p99 ${withCache.latency.p99} ms, ${withCache.requests.total} requests, ${failed(withCache)} failed)`);
  if (withRedis) {
    console.log(`   warm Redis      ${withRedis.requests.average.toFixed(0)} req/s  (median ${withRedis.latency.p50} ms, p99 ${withRedis.latency.p99} ms, ${withRedis.requests.total} requests, ${failed(withRedis)} failed)`);
  }
  console.log(`   speed-up        x${(withCache.requests.average / Math.max(1, without.requests.average)).toFixed(1)} in memory${withRedis ? `, x${(withRedis.requests.average / Math.max(1, without.requests.average)).toFixed(1)} in Redis` : ''}`);
  console.log(`2. upstream calls per 1,000 full views (${users} distinct users, round-robin, from a cold start)`);
  console.log(`   without cache   ${callsWithout.total}  (${routes(callsWithout.byRoute)})`);
  console.log(`   with cache      ${callsWith.total}  (${routes(callsWith.byRoute)})`);
  if (callsRedis) console.log(`   with Redis      ${callsRedis.total}  (${routes(callsRedis.byRoute)})`);

  inRedis?.child.disconnect();
  if (inRedis) {
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${redisPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }
  cached.child.disconnect();
  uncached.child.disconnect();
  emulators.child.disconnect();
}

const role = process.argv[2];
if (role === '--emulators') await serveEmulators(Number(process.argv[3]));
else if (role === '--gateway') await serveGateway(process.argv[3]!, process.argv[4]!, process.argv[5]!, process.argv[6]);
else await main();
