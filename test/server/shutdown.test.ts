import { once } from 'node:events';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShutdown, drainHttpServer, endOnAbort, useGracefulShutdown } from '../../src/server/shutdown.js';
import { post, startPluginServer, type PluginServer } from './plugin-server.js';

async function readSse(response: Response): Promise<string[]> {
  const events: string[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let at: number;
    while ((at = buffer.indexOf('\n\n')) >= 0) {
      events.push(buffer.slice(0, at));
      buffer = buffer.slice(at + 2);
    }
  }
  return events;
}

describe('graceful shutdown', () => {
  const shutdown = createShutdown();
  let server: PluginServer;

  beforeAll(async () => {
    server = await startPluginServer({ ws: true, plugins: [useGracefulShutdown({ shutdown })] });
  });
  afterAll(() => server.stop());

  it('ends ws and SSE subscriptions with SHUTTING_DOWN, finishes in-flight requests, then refuses new subscriptions', async () => {
    const client = createClient({ url: server.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false });
    const wsResults: unknown[] = [];
    const wsDone = new Promise<void>((resolve, reject) => {
      client.subscribe({ query: 'subscription { ticks(everyMs: 10) }' }, {
        next: (r) => wsResults.push(r),
        error: reject,
        complete: resolve,
      });
    });
    const sse = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { ticks(everyMs: 10) }' }),
    });
    const sseEvents = readSse(sse);
    const inFlight = post(server.url, { query: '{ slow(ms: 150) }' });
    await expect.poll(() => shutdown.openSubscriptions).toBe(2);
    await expect.poll(() => wsResults.length).toBeGreaterThan(1);

    shutdown.begin();
    await shutdown.subscriptionsEnded(2000);
    await wsDone;
    const last = wsResults.at(-1) as { errors: Array<{ extensions: { code: string } }> };
    expect(last.errors[0]?.extensions.code).toBe('SHUTTING_DOWN');
    const events = await sseEvents;
    expect(events.at(-1)).toContain('complete');
    expect(events.at(-2)).toContain('SHUTTING_DOWN');
    expect(shutdown.openSubscriptions).toBe(0);

    const refused = await post(server.url, { query: 'subscription { ticks }' }, { accept: 'application/graphql-response+json' });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('SHUTTING_DOWN');

    const drained = drainHttpServer(server.server, { timeoutMs: 5000 });
    expect((await inFlight).body).toEqual({ data: { slow: 'waited 150' } });
    await client.dispose();
    expect(await drained).toBe(0);
  });

  it('cuts connections still open when the drain timeout passes', async () => {
    const other = await startPluginServer({ plugins: [] });
    const arrived = once(other.server, 'request');
    const slow = post(other.url, { query: '{ slow(ms: 3000) }' }).catch((error: unknown) => error);
    await arrived;
    expect(await drainHttpServer(other.server, { timeoutMs: 100 })).toBe(1);
    expect(await slow).toBeInstanceOf(Error);
  });
});

describe('endOnAbort', () => {
  it('passes values through, then ends with the final value when the signal aborts', async () => {
    const controller = new AbortController();
    let closed = false;
    async function* source() {
      try {
        yield 1;
        yield 2;
        await new Promise(() => {});
      } finally {
        closed = true;
      }
    }
    let ended = 0;
    const it = endOnAbort(source(), controller.signal, () => 99, () => ended++);
    expect(await it.next()).toEqual({ done: false, value: 1 });
    expect(await it.next()).toEqual({ done: false, value: 2 });
    const pending = it.next();
    controller.abort();
    expect(await pending).toEqual({ done: false, value: 99 });
    expect(ended).toBe(0);
    expect(await it.next()).toEqual({ done: true, value: undefined });
    expect(ended).toBe(1);
    expect(closed).toBe(false); // parked on a read that never ends; closed in the background
  });

  it('returns at once when the consumer stops, even while the source is parked', async () => {
    let ended = 0;
    const parked = { [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<number>>(() => {}) }) };
    const it = endOnAbort(parked, new AbortController().signal, () => 0, () => ended++);
    void it.next();
    expect(await it.return!()).toEqual({ done: true, value: undefined });
    expect(ended).toBe(1);
  });
});
