/**
 * `npm run soak` (never part of `npm test`): N minutes of mixed load on a production gateway
 * (`src/main.ts`) in front of the emulators (`npm run emulators`, a process of their own), with its
 * read cache, rate limits and live updates on a Redis of its own, faults injected into both upstreams and that
 * Redis restarted along the way. Every minute it prints the gateway's RSS, heap, event-loop delay
 * p99 (from its /metrics), the requests sent and the answers by kind and error code, so a leak or
 * a stall shows as a column that keeps growing.
 *
 * SOAK_MINUTES (default 5), SOAK_CONNECTIONS (default 16). Needs `redis-server` on the PATH.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createClient as createWsClient } from 'graphql-ws';
import { createClient as createSseClient } from 'graphql-sse';
import { Agent, request } from 'undici';
import WebSocket from 'ws';

const minutes = Number(process.env.SOAK_MINUTES ?? 5);
const connections = Number(process.env.SOAK_CONNECTIONS ?? 16);
const SERVICE_KEY = 'soak-service-key';
const repo = fileURLToPath(new URL('..', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startRedis(port: number): Promise<ChildProcess> {
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    redis.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
    redis.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) resolve();
    });
  });
  redis.stdout!.resume();
  return redis;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

/** Starts `script` under tsx and resolves with its output once `ready` matches it. */
async function startScript(script: string, env: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repo, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}:\n${out}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (ready.test(out)) resolve();
    });
  });
  child.stdout!.resume();
  return { child, out };
}

/**
 * The emulators in a process of their own (`npm run emulators`), and the gateway as production runs
 * it (`src/main.ts`), so the figures are the gateway's alone.
 */
async function startGateway(redisUrl: string) {
  const emulators = await startScript('emulators/main.ts', { SYNVO_EMULATOR_PORT: '0', MEMSYNC_EMULATOR_PORT: '0' }, /MemSync emulator\s+\S+/);
  const synvo = /Synvo emulator\s+(\S+)/.exec(emulators.out)![1]!;
  const memsync = /MemSync emulator\s+(\S+)/.exec(emulators.out)![1]!;
  const gateway = await startScript(
    'src/main.ts',
    {
      NODE_ENV: 'production',
      PORT: '0',
      LOG_LEVEL: 'error',
      SYNVO_BASE_URL: synvo,
      SYNVO_API_KEY: 'synvo-dev-key',
      MEMSYNC_BASE_URL: memsync,
      MEMSYNC_API_KEY: 'memsync-dev-key',
      MEMGATE_SERVICE_KEYS: SERVICE_KEY,
      MEMGATE_JWT_SECRET: 'soak-secret-0123456789abcdef0123',
      REDIS_URL: redisUrl,
      MEMGATE_REDIS_PREFIX: `soak-${process.pid}:`,
      // The load is one service key: its rate limit would answer most of it, not the gateway.
      MEMGATE_RATE_LIMIT_SERVICE_PER_MINUTE: '100000000',
    },
    /listening on (\S+)/,
  );
  return { child: gateway.child, emulators: emulators.child, url: /listening on (\S+)/.exec(gateway.out)![1]!, synvo, memsync };
}

/** The figures of one Prometheus text exposition. */
function metric(text: string, name: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : null;
}

/** Open subscriptions, all transports together. */
function subscriptions(text: string): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith('memgate_subscriptions_open'))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

const QUERIES = {
  fullView: '{ user(name: "default") { name profile { attributes { values } } events(limit: 5) { content } biography { __typename } memories(query: "work") { text } } }',
  deferred: '{ user(name: "alex") { name ... @defer { biography { __typename } ask(question: "what do I do?") { text } } } }',
  users: '{ users(names: ["default", "alex", "newcomer"]) { name events(limit: 2) { content } } }',
  store: 'mutation { storeMemories(user: "default", messages: [{ role: USER, content: "I started running in the mornings." }]) { __typename } }',
  hostile: `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: __typename`).join(' ')} }`,
  malformed: '{ user(name: "default") { name ',
};

async function main(): Promise<void> {
  const redisPort = await freePort();
  let redis = await startRedis(redisPort);
  const gateway = await startGateway(`redis://127.0.0.1:${redisPort}`);
  const agent = new Agent({ connections: connections * 2, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const counts = new Map<string, number>();
  const count = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  let stopping = false;

  const post = async (kind: keyof typeof QUERIES, accept = 'application/graphql-response+json') => {
    try {
      const res = await request(gateway.url, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json', accept, 'x-api-key': SERVICE_KEY },
        body: JSON.stringify({ query: QUERIES[kind] }),
      });
      const text = await res.body.text();
      if (res.statusCode >= 500) count(`http ${res.statusCode}`);
      const codes = [...text.matchAll(/"code":"([A-Z_]+)"/g)].map((m) => m[1]);
      if (codes.length === 0) count(res.statusCode === 200 ? 'ok' : `http ${res.statusCode} without code`);
      for (const code of new Set(codes)) count(code!);
    } catch (error) {
      count(`client error ${(error as { code?: string }).code ?? (error as Error).name}`);
    }
  };

  const httpWorker = async (i: number) => {
    const kinds = Object.keys(QUERIES) as Array<keyof typeof QUERIES>;
    for (let n = i; !stopping; n++) {
      const kind = kinds[n % kinds.length]!;
      await post(kind, kind === 'deferred' ? 'multipart/mixed' : undefined);
    }
  };

  const sse = createSseClient({ url: gateway.url, headers: { 'x-api-key': SERVICE_KEY }, retryAttempts: 0 });
  const streamWorker = async (i: number) => {
    for (let n = 0; !stopping; n++) {
      try {
        for await (const result of sse.iterate({ query: `subscription { ask(question: "soak ${i} ${n}", user: "default") { token } }` })) {
          if (result.errors) for (const e of result.errors) count(String(e.extensions?.['code']));
        }
        count('sse stream done');
      } catch (error) {
        count(`sse error ${(error as Error).message.slice(0, 40)}`);
      }
    }
  };

  // Long-lived graphql-ws subscriptions, reopened when they end.
  const ws = createWsClient({ url: gateway.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { apiKey: SERVICE_KEY }, retryAttempts: 1000, shouldRetry: () => !stopping });
  const wsWorker = async (i: number) => {
    while (!stopping) {
      try {
        for await (const result of ws.iterate({ query: `subscription { events(user: "${i % 2 ? 'default' : 'alex'}") { content } }` })) {
          count(result.errors ? String(result.errors[0]?.extensions?.['code']) : 'ws event');
          if (stopping) break;
        }
      } catch (error) {
        count(`ws error ${String((error as Error).message ?? error).slice(0, 40)}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  };

  const control = (base: string, method: string, path: string, body?: unknown) =>
    request(`${base}/__emulator/${path}`, { method: method as 'POST', headers: { 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined }).then((r) => r.body.text());

  // Faults, one kind after another, each for a while; Redis restarted at every third step.
  const FAULTS: Array<[string, unknown]> = [
    ['memsync', { route: 'bio', kind: 'status', status: 503 }],
    ['synvo', { route: '*', kind: 'latency', ms: 400, jitterMs: 200 }],
    ['synvo', { route: 'query', kind: 'cutStream', afterTokens: 3 }],
    ['memsync', { route: 'memoriesSearch', kind: 'rateLimit', retryAfter: 1 }],
    ['synvo', { route: 'events', kind: 'reset' }],
    ['memsync', { route: '*', kind: 'malformed' }],
  ];
  const faultLoop = async () => {
    for (let step = 0; !stopping; step++) {
      const [service, fault] = FAULTS[step % FAULTS.length]!;
      await control(service === 'synvo' ? gateway.synvo : gateway.memsync, 'POST', 'faults', fault);
      count(`fault ${service} ${(fault as { kind: string }).kind}`);
      if (step % 3 === 2) {
        await stopChild(redis);
        count('redis restart');
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        redis = await startRedis(redisPort);
      }
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      await Promise.all([control(gateway.synvo, 'DELETE', 'faults'), control(gateway.memsync, 'DELETE', 'faults')]);
      await new Promise((resolve) => setTimeout(resolve, 10_000));
    }
  };

  // /metrics read every 5 s: the heap's minimum over a minute is what survives collections.
  const samples: Array<{ rss: number; heap: number; p99: number; subs: number }> = [];
  const scrape = async () => {
    try {
      const text = await request(`${new URL(gateway.url).origin}/metrics`, { dispatcher: agent }).then((r) => r.body.text());
      samples.push({
        rss: metric(text, 'memgate_process_resident_memory_bytes') ?? NaN,
        heap: metric(text, 'memgate_nodejs_heap_size_used_bytes') ?? NaN,
        p99: metric(text, 'memgate_nodejs_eventloop_lag_p99_seconds') ?? NaN,
        subs: subscriptions(text),
      });
    } catch (error) {
      count(`metrics error ${(error as Error).message.slice(0, 40)}`);
    }
  };
  const scraper = setInterval(() => void scrape(), 5_000);
  const mb = (v: number) => (v / 1024 / 1024).toFixed(1).padStart(6);
  const report = async (minute: number) => {
    await scrape();
    const taken = samples.splice(0);
    const last = taken.at(-1)!;
    const heaps = taken.map((t) => t.heap);
    const p99 = Math.max(...taken.map((t) => t.p99));
    const snapshot = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}=${v}`).join(' ');
    counts.clear();
    console.log(
      `${String(minute).padStart(3)}  ${mb(last.rss)}  ${mb(Math.min(...heaps))}  ${mb(Math.max(...heaps))}  ${(p99 * 1000).toFixed(1).padStart(7)}  ${String(last.subs).padStart(4)}  | ${snapshot}`,
    );
  };

  console.log(`soak: ${minutes} min, ${connections} HTTP workers, 4 SSE and 8 graphql-ws subscribers, gateway ${gateway.url}, redis :${redisPort}`);
  console.log('min  rss MB  heap min/max MB  loop p99 ms  subs  | answers in that minute, by kind or error code');
  const workers = [
    ...Array.from({ length: connections }, (_, i) => httpWorker(i)),
    ...Array.from({ length: 4 }, (_, i) => streamWorker(i)),
    ...Array.from({ length: 8 }, (_, i) => wsWorker(i)),
    faultLoop(),
  ];
  await report(0);
  for (let minute = 1; minute <= minutes; minute++) {
    await new Promise((resolve) => setTimeout(resolve, 60_000));
    await report(minute);
  }
  clearInterval(scraper);
  stopping = true;
  await ws.dispose();
  sse.dispose();
  await Promise.race([Promise.allSettled(workers), new Promise((resolve) => setTimeout(resolve, 15_000))]);
  await agent.close();
  await stopChild(gateway.child);
  await stopChild(gateway.emulators);
  await stopChild(redis);
  const exitOk = gateway.child.exitCode === 0;
  console.log(`gateway stopped on SIGTERM with exit code ${gateway.child.exitCode}`);
  process.exit(exitOk ? 0 : 1);
}

await main();
