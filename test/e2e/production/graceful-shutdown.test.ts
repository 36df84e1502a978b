import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createClient } from 'graphql-ws';
import { request } from 'undici';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../emulators/core/types.js';
import { startMemSyncEmulator } from '../../../emulators/memsync/index.js';
import { startSynvoEmulator } from '../../../emulators/synvo/index.js';
import { MEMSYNC_KEY, SERVICE_KEY, SYNVO_KEY } from './harness.js';
import { keyringEnv } from '../support/keyring-env.js';

const keyring = keyringEnv();
afterAll(() => keyring.remove());

/** A profile read for its own user, so no cache or loader merges two requests into one upstream call. */
const profileOf = (user: string) => JSON.stringify({ query: `{ user(name: "${user}") { name profile { attributes { category } } } }` });
/** Open until the user has a new event: it stays open across the signal. */
const EVENTS = 'subscription { events(user: "default") { type } }';

interface Outcome {
  status?: number;
  body?: string;
  error?: string;
}

interface Launched {
  child: ChildProcess;
  url: string;
  /** The gateway's node process. */
  pid: number;
  output(): string;
}

/** The production build (`node dist/main.js`, built by `npm test`) on a free port, in front of the given emulators. */
async function launch(synvo: RunningEmulator, memsync: RunningEmulator): Promise<Launched> {
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'warn',
      SYNVO_BASE_URL: synvo.url,
      SYNVO_API_KEY: SYNVO_KEY,
      MEMSYNC_BASE_URL: memsync.apiUrl,
      MEMSYNC_API_KEY: MEMSYNC_KEY,
      ...keyring.env,
      MEMGATE_SERVICE_KEYS: SERVICE_KEY,
      MEMGATE_DRAIN_TIMEOUT_MS: '5000',
      MEMGATE_CACHE_TTL_SECONDS: '0',
      REDIS_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const [url, pid] = await new Promise<[string, number]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${output}`)), 25_000);
    const look = () => {
      const match = /listening on (http:\/\/\S+) \(pid (\d+)\)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve([match[1]!, Number(match[2])]);
      }
    };
    child.stdout!.on('data', look);
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}:\n${output}`)));
  });
  return { child, url, pid, output: () => output };
}

describe('SIGTERM to a gateway process (node dist/main.js)', () => {
  let synvo: RunningEmulator;
  let memsync: RunningEmulator;
  let child: ChildProcess;
  let url: string;
  let pid: number;

  beforeAll(async () => {
    // Slow profiles keep requests in flight.
    synvo = await startSynvoEmulator({ apiKeys: [SYNVO_KEY], routeLatencyMs: { profile: 400 } });
    memsync = await startMemSyncEmulator({ apiKeys: [MEMSYNC_KEY] });
    ({ child, url, pid } = await launch(synvo, memsync));
  });
  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all([synvo.stop(), memsync.stop()]);
  });

  it('answers every accepted request, ends every subscription with SHUTTING_DOWN, closes sockets with 1001 and exits 0', async () => {
    // Two graphql-ws subscriptions, each on its own socket, and two over SSE.
    const wsEnds = [0, 1].map(() => {
      let closeCode = 0;
      const results: Array<{ errors?: Array<{ extensions?: { code?: string } }> }> = [];
      const client = createClient({
        url: url.replace('http', 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: { apiKey: SERVICE_KEY },
        retryAttempts: 0,
        // Keep the socket after the subscription completes, so the server is the one that closes it.
        lazy: false,
        // The server's 1001 is expected here, not an error to print.
        onNonLazyError: () => {},
        on: { closed: (event) => (closeCode = (event as { code: number }).code) },
      });
      const done = new Promise<void>((resolve, reject) =>
        client.subscribe({ query: EVENTS }, { next: (r) => results.push(r as never), error: reject, complete: resolve }),
      );
      return { client, results, done, closeCode: () => closeCode };
    });
    const sseEnds = [0, 1].map(async () => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': SERVICE_KEY },
        body: JSON.stringify({ query: EVENTS }),
      });
      return res.text();
    });
    const openSubscriptions = async () => {
      const text = await (await fetch(new URL('/metrics', url))).text();
      return [...text.matchAll(/^memgate_subscriptions_open\{transport="(ws|sse)"\} (\d+)$/gm)].reduce((n, m) => n + Number(m[2]), 0);
    };
    await expect.poll(openSubscriptions, { timeout: 10_000 }).toBe(4);

    // A burst of requests, each on a connection of its own, all in flight (the emulator has them).
    let sent = 0;
    const send = (): Promise<Outcome> =>
      request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': SERVICE_KEY },
        body: profileOf(`burst-${sent++}`),
        reset: true,
      }).then(
        async (res) => ({ status: res.statusCode, body: await res.body.text() }),
        (error: Error & { code?: string }) => ({ error: error.code ?? error.message }),
      );
    const burst = Array.from({ length: 12 }, send);
    await expect.poll(() => synvo.controls.calls().routes['profile']?.total ?? 0, { timeout: 10_000 }).toBe(12);

    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    process.kill(pid, 'SIGTERM');
    // Requests sent one after another while the gateway stops.
    const late: Array<Promise<Outcome>> = [];
    for (let i = 0; i < 4; i++) late.push(Promise.resolve(await send()));

    const accepted = await Promise.all(burst);
    for (const outcome of accepted) {
      expect(outcome.status).toBe(200);
      expect(JSON.parse(outcome.body!).data.user.name).toMatch(/^burst-/);
    }
    // Sent after the signal: answered in full, or turned away at the socket (refused, or reset from
    // the listen backlog once the server stopped accepting); never a partial or failed answer.
    for (const outcome of await Promise.all(late)) {
      if (outcome.error) expect(['ECONNREFUSED', 'ECONNRESET']).toContain(outcome.error);
      else expect(outcome.status).toBe(200);
    }

    for (const ws of wsEnds) {
      await ws.done;
      const last = ws.results.at(-1);
      expect(last?.errors?.[0]?.extensions?.code, JSON.stringify(ws.results)).toBe("SHUTTING_DOWN");
      await expect.poll(() => ws.closeCode()).toBe(1001);
      await ws.client.dispose();
    }
    for (const text of await Promise.all(sseEnds)) {
      expect(text).toContain('SHUTTING_DOWN');
      expect(text.lastIndexOf('event: complete')).toBeGreaterThan(text.indexOf('SHUTTING_DOWN'));
    }

    const [code, signal] = await exited;
    expect(signal).toBeNull();
    expect(code).toBe(0);
  });
});

describe('SIGINT to a gateway process', () => {
  let synvo: RunningEmulator;
  let memsync: RunningEmulator;
  let gateway: Launched;

  beforeAll(async () => {
    synvo = await startSynvoEmulator({ apiKeys: [SYNVO_KEY] });
    memsync = await startMemSyncEmulator({ apiKeys: [MEMSYNC_KEY] });
    gateway = await launch(synvo, memsync);
  });
  afterAll(async () => {
    if (gateway.child.exitCode === null) gateway.child.kill('SIGKILL');
    await Promise.all([synvo.stop(), memsync.stop()]);
  });

  it('ends an open SSE subscription with SHUTTING_DOWN and exits 0', async () => {
    const sse = fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': SERVICE_KEY },
      body: JSON.stringify({ query: EVENTS }),
    }).then((res) => res.text());
    await expect
      .poll(async () => /memgate_subscriptions_open\{transport="sse"\} 1/.test(await (await fetch(new URL('/metrics', gateway.url))).text()), { timeout: 10_000 })
      .toBe(true);
    const exited = once(gateway.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    process.kill(gateway.pid, 'SIGINT');
    expect(await sse).toContain('SHUTTING_DOWN');
    expect(await exited).toEqual([0, null]);
  });
});
