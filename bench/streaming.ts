/**
 * Streaming answers, time to first token and memory per idle subscription: `npx tsx bench/streaming.ts` (not part of `npm test`).
 *
 * 1. Time to first token and tokens/s of one answer, sequentially, straight from the Synvo
 *    emulator (SSE, first token after 50 ms, then one every 5 ms) and through memgate's
 *    `Subscription.ask` over graphql-ws (a socket opened beforehand) and over SSE.
 * 2. Memory per idle subscription: 1,000 `ask` subscriptions held open on a silent upstream
 *    (the emulator's `stall` fault), over graphql-ws (one socket each) and then over SSE (one
 *    request each); the gateway's heap and RSS after two full GCs, before, with them open, and
 *    once they are all closed again (what an ended subscription leaves behind).
 *
 * The gateway runs in its own process (`--expose-gc`), so its memory is its own; the emulators and
 * the clients run in this one. Options: RUNS (per transport, default 30), IDLE (default 1000).
 */
import { performance } from 'node:perf_hooks';
import { createParser } from 'eventsource-parser';
import { createClient, type Client } from 'graphql-ws';
import { Agent, FormData, request } from 'undici';
import WebSocket from 'ws';
import { startMemSyncEmulator } from '../emulators/memsync/index.js';
import { startSynvoEmulator } from '../emulators/synvo/index.js';
import { startPinnedChild } from './lib/child.js';
import { serveChild } from './lib/serve-child.js';

const SERVICE_KEY = 'streaming-bench-service-key';
const SYNVO_KEY = 'synvo-dev-key';
const USER = 'default';
const QUESTION = 'What is a neural network and how is it trained?';
const SUBSCRIPTION = 'subscription Ask($q: String!, $u: String) { ask(question: $q, user: $u) { token answer { messageId } } }';

// ---------------------------------------------------------------- the gateway process

async function runGatewayChild(): Promise<void> {
  const { createApp } = await import('../src/app.js');
  const { loadConfig, withUpstreams } = await import('../src/config.js');
  await serveChild(async () => {
    const config = withUpstreams(
      loadConfig({
        NODE_ENV: 'production',
        LOG_LEVEL: 'silent',
        MEMGATE_SERVICE_KEYS: SERVICE_KEY,
        MEMGATE_JWT_SECRET: 'streaming-bench-secret-0123456789',
        // Streams are Synvo's; MemSync through the emulator's app key, no keyring on disk.
        MEMSYNC_SCOPING: 'user-param',
        // The bench opens thousands of operations a minute with one service key.
        MEMGATE_RATE_LIMIT_SERVICE_PER_MINUTE: '10000000',
      }),
      { synvo: { baseUrl: process.env['BENCH_SYNVO_URL']! }, memsync: { baseUrl: `${process.env['BENCH_MEMSYNC_URL']!}/v1` } },
      {
        port: 0,
        // Room for 1,000 silent upstream streams at once.
        upstreamOptions: {
          maxConnections: 4096,
          maxConcurrent: 4096,
          maxQueued: 4096,
          bodyTimeoutMs: 600_000,
          streamIdleTimeoutMs: 600_000,
        },
      },
    );
    const app = await createApp(config, { streaming: { ws: { maxOperationsPerSocket: 100 } } });
    const { url } = await app.start();
    return { info: { url }, stop: () => app.stop() };
  });
}

// ---------------------------------------------------------------- measurements

interface Timing {
  ttftMs: number;
  tokens: number;
  tokensPerSec: number;
}

function timing(start: number, first: number, last: number, tokens: number): Timing {
  return { ttftMs: first - start, tokens, tokensPerSec: tokens > 1 ? ((tokens - 1) * 1000) / (last - first) : Number.NaN };
}

async function direct(synvoUrl: string, dispatcher: Agent): Promise<Timing> {
  const form = new FormData();
  form.set('payload', JSON.stringify({ messages: [{ role: 'user', content: [{ type: 'text', text: QUESTION }] }] }));
  form.set('sub_user_name', USER);
  form.set('streaming', 'true');
  const start = performance.now();
  const res = await request(`${synvoUrl}/ai/query`, { method: 'POST', body: form, headers: { 'x-api-key': SYNVO_KEY }, dispatcher });
  let first = 0;
  let last = 0;
  let tokens = 0;
  const parser = createParser({
    onEvent(event) {
      if ((JSON.parse(event.data) as { type: string }).type !== 'token') return;
      last = performance.now();
      if (tokens++ === 0) first = last;
    },
  });
  for await (const chunk of res.body) parser.feed(chunk.toString());
  return timing(start, first, last, tokens);
}

async function overWs(client: Client): Promise<Timing> {
  const start = performance.now();
  let first = 0;
  let last = 0;
  let tokens = 0;
  for await (const result of client.iterate<{ ask: { token: string } }>({ query: SUBSCRIPTION, variables: { q: QUESTION, u: USER } })) {
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    if (!result.data?.ask.token) continue;
    last = performance.now();
    if (tokens++ === 0) first = last;
  }
  return timing(start, first, last, tokens);
}

async function overSse(url: string, dispatcher: Agent): Promise<Timing> {
  const start = performance.now();
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': SERVICE_KEY },
    body: JSON.stringify({ query: SUBSCRIPTION, variables: { q: QUESTION, u: USER } }),
    dispatcher,
  });
  let first = 0;
  let last = 0;
  let tokens = 0;
  const parser = createParser({
    onEvent(event) {
      if (event.event !== 'next') return;
      const payload = JSON.parse(event.data) as { data?: { ask: { token: string } }; errors?: unknown };
      if (payload.errors) throw new Error(JSON.stringify(payload.errors));
      if (!payload.data?.ask.token) return;
      last = performance.now();
      if (tokens++ === 0) first = last;
    },
  });
  for await (const chunk of res.body) parser.feed(chunk.toString());
  return timing(start, first, last, tokens);
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

async function measure(name: string, runs: number, once: () => Promise<Timing>) {
  for (let i = 0; i < 3; i++) await once(); // warm-up
  const results: Timing[] = [];
  for (let i = 0; i < runs; i++) results.push(await once());
  const ttft = results.map((r) => r.ttftMs);
  const rate = results.map((r) => r.tokensPerSec);
  return {
    path: name,
    runs,
    tokens: results[0]!.tokens,
    'ttft p50 ms': percentile(ttft, 50).toFixed(1),
    'ttft p95 ms': percentile(ttft, 95).toFixed(1),
    'tokens/s p50': percentile(rate, 50).toFixed(0),
    'tokens/s min': Math.min(...rate).toFixed(0),
  };
}

const describe = (failure: unknown) => {
  const f = failure as { code?: unknown; reason?: unknown; message?: unknown; type?: unknown } | undefined;
  return JSON.stringify({ code: f?.code, reason: f?.reason, message: f?.message, type: f?.type, json: failure });
};
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const kib = (bytes: number) => (bytes / 1024).toFixed(1);

async function waitFor(probe: () => boolean, what: string, state: () => string = () => '', timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} ${state()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// ---------------------------------------------------------------- the run

async function main(): Promise<void> {
  const runs = Number(process.env['RUNS'] ?? 30);
  const idle = Number(process.env['IDLE'] ?? 1000);
  const synvo = await startSynvoEmulator({ firstTokenDelayMs: 50, tokenDelayMs: 5, rateLimitPerMinute: 10_000_000 });
  const memsync = await startMemSyncEmulator({});
  const gateway = await startPinnedChild<{ url: string }>({
    entry: 'streaming.ts',
    name: 'memgate',
    env: { STREAMING_BENCH_CHILD: '1', BENCH_SYNVO_URL: synvo.url, BENCH_MEMSYNC_URL: memsync.url },
  });
  const httpUrl = gateway.info.url;
  const wsUrl = httpUrl.replace(/^http/, 'ws');
  const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: idle + 16 });
  const cleanups: Array<() => unknown> = [];
  try {
    console.log(`# Streaming answers (emulator: first token after 50 ms, then one every 5 ms); ${runs} sequential runs each\n`);
    const ws = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { apiKey: SERVICE_KEY }, lazy: false, retryAttempts: 0 });
    cleanups.push(() => ws.dispose());
    const rows = [
      await measure('direct (Synvo SSE)', runs, () => direct(synvo.url, dispatcher)),
      await measure('memgate graphql-ws', runs, () => overWs(ws)),
      await measure('memgate SSE', runs, () => overSse(httpUrl, dispatcher)),
    ];
    console.table(rows);

    console.log(`\n# Memory of the gateway process with ${idle} idle ask subscriptions (after two full GCs)\n`);
    synvo.controls.addFault({ route: 'query', kind: 'stall', afterTokens: 0 });
    const memoryRows: Record<string, string>[] = [];

    // graphql-ws: one socket and one subscription per front-end.
    const base = (await gateway.stats()).memory;
    const clients: Client[] = [];
    const failures: unknown[] = [];
    for (let i = 0; i < idle; i++) {
      const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { apiKey: SERVICE_KEY }, lazy: true, retryAttempts: 0 });
      clients.push(client);
      client.subscribe(
        { query: SUBSCRIPTION, variables: { q: QUESTION, u: USER } },
        { next: (r) => r.errors && failures.push(r.errors), error: (e) => failures.push(e), complete: () => {} },
      );
    }
    await waitFor(() => synvo.controls.calls().openStreams === idle, `${idle} upstream streams (graphql-ws)`, () =>
      `${synvo.controls.calls().openStreams} open; ${failures.length} failed, e.g. ${describe(failures[0])}`,
    );
    const withWs = (await gateway.stats()).memory;
    await Promise.all(clients.map((c) => c.dispose()));
    await waitFor(() => synvo.controls.calls().openStreams === 0, 'upstream streams to close (graphql-ws)');
    memoryRows.push(memoryRow('graphql-ws', idle, base, withWs, (await gateway.stats()).memory));

    // SSE: one request per front-end.
    const baseSse = (await gateway.stats()).memory;
    const aborts: AbortController[] = [];
    const sseFailures: unknown[] = [];
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < idle; i++) {
      const abort = new AbortController();
      aborts.push(abort);
      pending.push(
        request(httpUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': SERVICE_KEY },
          body: JSON.stringify({ query: SUBSCRIPTION, variables: { q: QUESTION, u: USER } }),
          dispatcher,
          signal: abort.signal,
        })
          .then((res) => {
            if (res.statusCode !== 200) sseFailures.push(`HTTP ${res.statusCode}`);
            res.body.on('error', () => {}).on('data', (chunk: Buffer) => {
              if (chunk.includes('"errors"')) sseFailures.push(chunk.toString().slice(0, 300));
            });
          })
          .catch((error: unknown) => {
            if (!abort.signal.aborted) sseFailures.push(error);
          }),
      );
    }
    await waitFor(() => synvo.controls.calls().openStreams === idle, `${idle} upstream streams (SSE)`, () =>
      `${synvo.controls.calls().openStreams} open; ${sseFailures.length} failed, e.g. ${describe(sseFailures[0])}`,
    );
    const withSse = (await gateway.stats()).memory;
    for (const abort of aborts) abort.abort();
    await Promise.all(pending);
    await waitFor(() => synvo.controls.calls().openStreams === 0, 'upstream streams to close (SSE)');
    memoryRows.push(memoryRow('SSE', idle, baseSse, withSse, (await gateway.stats()).memory));
    console.table(memoryRows);
  } finally {
    for (const cleanup of cleanups) await cleanup();
    await gateway.stop();
    await dispatcher.close();
    await Promise.all([synvo.stop(), memsync.stop()]);
  }
}

function memoryRow(
  transport: string,
  idle: number,
  before: NodeJS.MemoryUsage,
  open: NodeJS.MemoryUsage,
  closed: NodeJS.MemoryUsage,
): Record<string, string> {
  return {
    transport,
    subscriptions: String(idle),
    'heap before MiB': mib(before.heapUsed),
    'heap open MiB': mib(open.heapUsed),
    'heap closed MiB': mib(closed.heapUsed),
    'RSS before MiB': mib(before.rss),
    'RSS open MiB': mib(open.rss),
    'heap/sub KiB': kib((open.heapUsed - before.heapUsed) / idle),
    'RSS/sub KiB': kib((open.rss - before.rss) / idle),
    'heap kept/sub KiB': kib((closed.heapUsed - before.heapUsed) / idle),
  };
}

if (process.env['STREAMING_BENCH_CHILD']) await runGatewayChild();
else await main();
