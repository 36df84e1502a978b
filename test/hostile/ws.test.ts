/**
 * Hostile graphql-ws clients: protocol abuse, floods and hostile documents over a socket. Each
 * ends with the right close code (graphql-ws's own: 4400 bad message, 4401 unauthorized, 4403
 * forbidden, 4408 init timeout, 4409 duplicate id, 4429 second init; 1009 too big) or an `error`
 * message whose every error has a code; the gateway goes on serving others.
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asService, codedErrors, expectNoSecrets, ORDINARY, SECRETS, startHostileGateway, type HostileGateway } from './support.js';

let gw: HostileGateway;
let wsUrl: string;
const sockets: WebSocket[] = [];
let sent = 0;

beforeAll(async () => {
  gw = await startHostileGateway({
    app: { streaming: { ws: { connectionInitWaitTimeoutMs: 300, maxOperationsPerSocket: 5, maxPayloadBytes: 64 * 1024 } } },
  });
  wsUrl = gw.url.replace(/^http/, 'ws');
});
afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await gw?.stop();
});

interface Session {
  socket: WebSocket;
  frames: string[];
  closed: Promise<{ code: number; reason: string }>;
}

async function open(protocol = 'graphql-transport-ws'): Promise<Session> {
  const socket = new WebSocket(wsUrl, protocol);
  sockets.push(socket);
  const frames: string[] = [];
  socket.on('message', (data) => frames.push(String(data)));
  socket.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('close', () => resolve());
    socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
  return { socket, frames, closed };
}

const send = (s: Session, message: unknown) => {
  sent += 1;
  s.socket.send(typeof message === 'string' || Buffer.isBuffer(message) ? message : JSON.stringify(message));
};

async function acked(params: Record<string, unknown> = { apiKey: asService['x-api-key'] }): Promise<Session> {
  const s = await open();
  send(s, { type: 'connection_init', payload: params });
  await new Promise<void>((resolve, reject) => {
    s.socket.once('message', (data) => (JSON.parse(String(data)).type === 'connection_ack' ? resolve() : reject(new Error(String(data)))));
  });
  return s;
}

/** The first message for operation `id` of one of `types`. */
function frame(s: Session, id: string, ...types: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    /** Resolves with the frame once it has come; says whether it has. */
    const look = () => {
      for (const f of s.frames) {
        const m = JSON.parse(f) as Record<string, unknown>;
        if (m['id'] === id && types.includes(m['type'] as string)) {
          resolve(m);
          return true;
        }
      }
      return false;
    };
    if (look()) return;
    // Removed once the frame has come: a session awaits many frames (a listener each would pile up).
    const onMessage = () => {
      if (look()) s.socket.off('message', onMessage);
    };
    s.socket.on('message', onMessage);
    void s.closed.then((c) => reject(new Error(`closed ${c.code} ${c.reason} before ${types.join(' or ')} for ${id}`)));
  });
}

async function expectStillServing() {
  const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { apiKey: asService['x-api-key'] }, retryAttempts: 0 });
  try {
    const result = await new Promise((resolve, reject) => {
      client.subscribe({ query: ORDINARY }, { next: resolve, error: reject, complete: () => {} });
    });
    expect(result).toEqual({ data: { user: { name: 'default' } } });
  } finally {
    await client.dispose();
  }
  await gw.expectServing();
}

describe('hostile graphql-ws clients', () => {
  it('closes on protocol abuse with the protocol close codes', async () => {
    const cases: Array<[string, (s: Session) => void, number[]]> = [
      ['not JSON', (s) => send(s, '{nope'), [4400]],
      ['JSON but no type', (s) => send(s, { payload: 1 }), [4400]],
      ['unknown type', (s) => send(s, { type: 'hello' }), [4400]],
      ['a number', (s) => send(s, '42'), [4400]],
      ['null', (s) => send(s, 'null'), [4400]],
      ['subscribe before init', (s) => send(s, { type: 'subscribe', id: '1', payload: { query: ORDINARY } }), [4401]],
      ['init with a bad key', (s) => send(s, { type: 'connection_init', payload: { apiKey: 'wrong' } }), [4403]],
      ['init with a forged token', (s) => send(s, { type: 'connection_init', payload: { authorization: 'Bearer a.b.c' } }), [4403]],
      ['init with no credentials', (s) => send(s, { type: 'connection_init' }), [4403]],
      ['init with a payload that is not an object', (s) => send(s, { type: 'connection_init', payload: 'x' }), [4400]],
      ['a message over the size limit', (s) => send(s, { type: 'connection_init', payload: { pad: 'x'.repeat(100 * 1024) } }), [1009]],
      ['binary garbage', (s) => send(s, Buffer.from([0, 1, 2, 255, 254])), [4400]],
      ['nothing at all (init timeout)', () => {}, [4408]],
    ];
    await Promise.all(
      cases.map(async ([what, act, codes]) => {
        const s = await open();
        act(s);
        const { code, reason } = await s.closed;
        expect(codes, `${what}: ${code} ${reason}`).toContain(code);
        for (const secret of SECRETS) expect(reason).not.toContain(secret);
      }),
    );
    await expectStillServing();
  });

  it('refuses a socket without the graphql-transport-ws subprotocol', async () => {
    const s = await open('graphql-ws');
    const { code } = await s.closed;
    // The server answers the upgrade without the subprotocol; the client gives up (1006) or the server closes.
    expect([1002, 1006, 4406]).toContain(code);
  });

  it('closes a second init (4429) and a duplicate subscription id (4409)', async () => {
    const twice = await acked();
    send(twice, { type: 'connection_init', payload: { apiKey: asService['x-api-key'] } });
    expect((await twice.closed).code).toBe(4429);

    const dup = await acked();
    const slow = 'subscription { events(user: "default") { content } }';
    send(dup, { type: 'subscribe', id: 'same', payload: { query: slow } });
    send(dup, { type: 'subscribe', id: 'same', payload: { query: slow } });
    expect((await dup.closed).code).toBe(4409);
    await expectStillServing();
  });

  it('answers hostile documents and variables with coded errors, never closing the socket', async () => {
    const s = await acked();
    const payloads = [
      { query: '{ {{{' },
      { query: '{ nope }' },
      { query: `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: __typename`).join(' ')} }` },
      { query: 'query { ...A } fragment A on Query { ...A }' },
      { query: `{ ${'viewer { '.repeat(30)} name ${'} '.repeat(30)} }` },
      { query: 'query Q($n: String!) { user(name: $n) { name } }', variables: { n: 'a\u0000b' } },
      { query: 'query Q($n: String!) { user(name: $n) { name } }', variables: { n: 5 } },
      { query: 'query Q($n: String!) { user(name: $n) { name } }' },
      { query: '{ __schema { types { name } } }' },
      { query: 'subscription { fileStatus(id: "a\\u0000b", user: "default") { status } }' },
      { query: 'subscription { events(user: "../x") { content } }' },
      { query: 'subscription { events { content } }' },
      { query: `{ viewer { name } } # ${'x'.repeat(21_000)}` },
    ];
    for (const [i, payload] of payloads.entries()) send(s, { type: 'subscribe', id: String(i), payload });
    for (const i of payloads.keys()) {
      const answer = await frame(s, String(i), 'error', 'next');
      const errors = answer['type'] === 'error' ? answer['payload'] : (answer['payload'] as { errors?: unknown[] }).errors;
      expect(Array.isArray(errors) && errors.length > 0, `${i}: ${JSON.stringify(answer).slice(0, 200)}`).toBe(true);
      codedErrors(JSON.stringify({ errors }));
    }
    expect(s.socket.readyState).toBe(WebSocket.OPEN);
    expectNoSecrets(s.frames.join('\n'));
    s.socket.close();
    await expectStillServing();
  });

  it('floods: more operations than allowed per socket are refused with a code; many sockets at once are served', async () => {
    const s = await acked();
    const slow = 'subscription { events(user: "default") { content } }';
    for (let i = 0; i < 40; i++) send(s, { type: 'subscribe', id: `f${i}`, payload: { query: slow } });
    // The first 5 run; every one after is refused with RATE_LIMITED.
    const refused = await frame(s, 'f39', 'error');
    expect(refused['payload']).toMatchObject([{ extensions: { code: 'RATE_LIMITED' } }]);
    for (let i = 0; i < 40; i++) send(s, { type: 'complete', id: `f${i}` });
    // A burst of pings and pongs and completes for unknown ids: ignored.
    for (let i = 0; i < 200; i++) send(s, i % 2 ? { type: 'ping' } : { type: 'complete', id: `unknown${i}` });
    expect(s.socket.readyState).toBe(WebSocket.OPEN);
    s.socket.close();

    const many = await Promise.all(Array.from({ length: 30 }, () => acked()));
    for (const m of many) send(m, { type: 'subscribe', id: 'q', payload: { query: ORDINARY } });
    const results = await Promise.all(many.map((m) => frame(m, 'q', 'next')));
    for (const r of results) expect(r['payload']).toEqual({ data: { user: { name: 'default' } } });
    for (const m of many) m.socket.close();
    await expectStillServing();
  });

  it('cuts a client that stops reading without holding the others up, and logs no secret', async () => {
    const s = await acked();
    s.socket.pause();
    for (let i = 0; i < 3; i++) send(s, { type: 'subscribe', id: `p${i}`, payload: { query: 'subscription { events(user: "default") { content } }' } });
    await expectStillServing();
    s.socket.terminate();
    expect(sent).toBeGreaterThan(60);
    gw.expectCleanLogs();
  });
});
