/**
 * The graphql-ws server: credentials at `connection_init`, every protocol close code, the
 * operation cap, the payload bound, keep-alive pings and token expiry. Raw `ws` sockets play the
 * misbehaving clients; graphql-ws's own client plays the well-behaved ones.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  ASK_SUBSCRIPTION,
  closed,
  eventually,
  nextMessage,
  SERVICE_KEY,
  startHarness,
  type AskChunk,
  type Harness,
} from './harness.js';

const QUESTION = 'What is a neural network?';
const subscribe = (id: string, variables: Record<string, unknown> = { question: QUESTION }) =>
  JSON.stringify({ id, type: 'subscribe', payload: { query: ASK_SUBSCRIPTION, variables } });

let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    // Pings every 500 ms: quick enough for the dead-peer test, slow enough that a busy (2-core)
    // machine never makes a live test client look dead.
    streaming: { ws: { connectionInitWaitTimeoutMs: 150, keepAliveMs: 500, maxOperationsPerSocket: 2, maxPayloadBytes: 4096 } },
  });
});
afterAll(async () => {
  await h?.stop();
});
beforeEach(() => {
  h.synvo.controls.reset();
});

/** A raw socket past `connection_init` and its ack. */
async function acknowledged(payload: Record<string, unknown>) {
  const socket = await h.rawSocket();
  socket.send(JSON.stringify({ type: 'connection_init', payload }));
  expect(await nextMessage(socket)).toMatchObject({ type: 'connection_ack' });
  return socket;
}

describe('graphql-ws connection rules', () => {
  it('acknowledges a valid JWT with its user and expiry, and a service key as a service', async () => {
    const token = await h.token('default');
    const exp = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).exp as number;
    for (const [payload, ack] of [
      [{ authorization: `Bearer ${token}` }, { user: 'default', expiresAt: new Date(exp * 1000).toISOString() }],
      [{ apiKey: SERVICE_KEY }, { service: true }],
    ] as const) {
      const socket = await h.rawSocket();
      socket.send(JSON.stringify({ type: 'connection_init', payload }));
      expect(await nextMessage(socket)).toEqual({ type: 'connection_ack', payload: ack });
    }
  });

  it('closes with 4403 when connection_init carries an unknown service key', async () => {
    const socket = await h.rawSocket();
    socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: 'not-a-real-key' } }));
    expect(await closed(socket)).toMatchObject({ code: 4403 });
  });

  it('closes with 4403 when connection_init carries an expired or forged token, or nothing', async () => {
    const forged = `${(await h.token('default')).slice(0, -4)}AAAA`;
    for (const payload of [{ authorization: `Bearer ${forged}` }, { authorization: 'Bearer not.a.jwt' }, {}]) {
      const socket = await h.rawSocket();
      socket.send(JSON.stringify({ type: 'connection_init', payload }));
      const { code, reason } = await closed(socket);
      expect(code).toBe(4403);
      expect(reason).toMatch(/^Forbidden/);
    }
  });

  it('closes with 4406 when a client does not ask for the graphql-transport-ws subprotocol', async () => {
    const plain = new WebSocket(h.wsUrl);
    const closing = closed(plain);
    expect(await closing).toMatchObject({ code: 4406 });
  });

  it('closes with 4401 when a client subscribes before its connection is acknowledged', async () => {
    const socket = await h.rawSocket();
    socket.send(subscribe('1'));
    expect(await closed(socket)).toMatchObject({ code: 4401 });
  });

  it('closes with 4408 when no connection_init arrives in time', async () => {
    const socket = await h.rawSocket();
    expect(await closed(socket)).toMatchObject({ code: 4408 });
  });

  it('closes with 4429 on a second connection_init', async () => {
    const socket = await acknowledged({ apiKey: SERVICE_KEY });
    socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: SERVICE_KEY } }));
    expect(await closed(socket)).toMatchObject({ code: 4429 });
  });

  it('closes with 4400 on a message that is not a graphql-ws message', async () => {
    const socket = await acknowledged({ apiKey: SERVICE_KEY });
    socket.send('{"type": "not-a-message-type"');
    expect(await closed(socket)).toMatchObject({ code: 4400 });
  });

  it('closes with 4409 when a client reuses the id of a running subscription', async () => {
    h.synvo.controls.addFault({ route: 'query', kind: 'slowStream', tokenDelayMs: 60_000 });
    const socket = await acknowledged({ authorization: `Bearer ${await h.token('default')}` });
    socket.send(subscribe('same'));
    expect(await nextMessage(socket)).toMatchObject({ id: 'same', type: 'next' });
    socket.send(subscribe('same'));
    expect(await closed(socket)).toMatchObject({ code: 4409 });
    await eventually(() => h.synvo.controls.calls().openStreams === 0);
  });

  it('closes with 1009 when a message exceeds the payload bound', async () => {
    const socket = await acknowledged({ apiKey: SERVICE_KEY });
    socket.send(subscribe('1', { question: 'x'.repeat(8192), user: 'default' }));
    expect(await closed(socket)).toMatchObject({ code: 1009 });
  });

  it('refuses an operation beyond the per-socket cap with a RATE_LIMITED error and keeps the others running', async () => {
    h.synvo.controls.addFault({ route: 'query', kind: 'slowStream', tokenDelayMs: 60_000 });
    const socket = await acknowledged({ authorization: `Bearer ${await h.token('default')}` });
    socket.send(subscribe('a'));
    expect(await nextMessage(socket)).toMatchObject({ id: 'a', type: 'next' });
    socket.send(subscribe('b'));
    expect(await nextMessage(socket)).toMatchObject({ id: 'b', type: 'next' });

    socket.send(subscribe('c'));
    const refused = await nextMessage(socket);

    expect(refused).toMatchObject({ id: 'c', type: 'error', payload: [{ extensions: { code: 'RATE_LIMITED', limit: 2 } }] });
    expect(h.synvo.controls.calls().openStreams).toBe(2);
    socket.send(JSON.stringify({ id: 'a', type: 'complete' }));
    await eventually(() => h.synvo.controls.calls().openStreams === 1);
    socket.send(subscribe('c'));
    expect(await nextMessage(socket)).toMatchObject({ id: 'c', type: 'next' });

    socket.close();
    await eventually(() => h.synvo.controls.calls().openStreams === 0);
  });

  it('pings idle clients and terminates one that stops answering', async () => {
    const answering = await acknowledged({ apiKey: SERVICE_KEY });
    let pings = 0;
    answering.on('ping', () => (pings += 1));
    const silent = await h.rawSocket({ autoPong: false });
    silent.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: SERVICE_KEY } }));

    const { code } = await closed(silent);

    expect(code).toBe(1006);
    expect(pings).toBeGreaterThan(0);
    expect(answering.readyState).toBe(answering.OPEN);
  });
});

describe('token expiry on an open socket', () => {
  it('ends an open subscription with UNAUTHENTICATED at expiry, aborts the upstream, and refuses new ones', async () => {
    h.synvo.controls.addFault({ route: 'query', kind: 'slowStream', tokenDelayMs: 60_000 });
    const client = h.wsClient({ authorization: `Bearer ${await h.token('default', 2)}` });
    const chunks: AskChunk[] = [];
    const errors: unknown[] = [];

    for await (const result of client.iterate({ query: ASK_SUBSCRIPTION, variables: { question: QUESTION } })) {
      if (result.errors) errors.push(...result.errors);
      if (result.data) chunks.push((result.data as { ask: AskChunk }).ask);
    }

    expect(chunks).toHaveLength(1);
    expect(errors).toMatchObject([{ extensions: { code: 'UNAUTHENTICATED', reason: 'EXPIRED_TOKEN' } }]);
    expect(JSON.stringify(errors)).not.toContain('"http"');
    await eventually(() => h.synvo.controls.calls().openStreams === 0);

    // The lazy client reconnects for the next operation: the expired token no longer opens a socket.
    const again = client.iterate({ query: ASK_SUBSCRIPTION, variables: { question: QUESTION } });
    await expect(again.next()).rejects.toMatchObject({ code: 4403, reason: 'Forbidden: The token has expired' });
    expect(h.synvo.controls.calls().routes['query']?.total).toBe(1);
  });
  it('refuses a new subscription on an open socket once its token has expired, with UNAUTHENTICATED', async () => {
    const token = await h.token('default', 2);
    const expiresAt = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).exp * 1000;
    const socket = await acknowledged({ authorization: `Bearer ${token}` });
    await eventually(() => Date.now() >= expiresAt + 50, 'the token expired', { intervalMs: 50 });

    socket.send(subscribe('late'));

    expect(await nextMessage(socket)).toMatchObject({
      id: 'late',
      type: 'error',
      payload: [{ extensions: { code: 'UNAUTHENTICATED', reason: 'EXPIRED_TOKEN' } }],
    });
    expect(h.synvo.controls.calls().routes['query']).toBeUndefined();
    expect(socket.readyState).toBe(socket.OPEN);
  });
});
