/**
 * Hostile requests over SSE (GraphQL over Server-Sent Events, distinct connections): refused
 * subscriptions, hostile documents, clients that leave mid-stream and clients that never read.
 * Every refusal is a coded error (as a 4xx JSON body, or as an `event: next` whose errors are all
 * coded); the gateway serves others meanwhile and closes the upstream streams of clients that left.
 */
import { connect } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asService, codedErrors, expectHandled, expectNoSecrets, startHostileGateway, type HostileGateway } from './support.js';

let gw: HostileGateway;
let sent = 0;
beforeAll(async () => {
  gw = await startHostileGateway({ env: { MEMGATE_FILE_POLL_MS: '20' } });
});
afterAll(async () => {
  await gw?.stop();
});

/** Reads an SSE response to its end (a deadline on each read); returns its status and the errors of every `next` event. */
async function sse(body: unknown, headers: Record<string, string> = asService) {
  sent += 1;
  const res = await request(gw.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify(body),
    headersTimeout: 15_000,
    bodyTimeout: 15_000,
  });
  const text = await res.body.text();
  expectNoSecrets(text);
  if (!String(res.headers['content-type']).startsWith('text/event-stream')) {
    return { status: res.statusCode, codes: expectHandled({ status: res.statusCode, headers: res.headers, text }) };
  }
  const events = text.split('\n\n').filter((e) => e.startsWith('event: next'));
  const codes = events.flatMap((e) => codedErrors(e.slice(e.indexOf('data: ') + 6)).map((error) => error.extensions.code));
  expect(text).toMatch(/event: complete/);
  return { status: res.statusCode, codes };
}

describe('hostile SSE clients', () => {
  it('refuses hostile subscriptions and documents with coded errors', async () => {
    const cases: Array<[unknown, Record<string, string>?]> = [
      [{ query: 'subscription { events { content } }' }, {}],
      [{ query: 'subscription { events { content } }' }, { authorization: 'Bearer forged.token.here' }],
      [{ query: 'subscription { events(user: "a/b") { content } }' }],
      [{ query: 'subscription { events { content } }' }],
      [{ query: 'subscription { fileStatus(id: "", user: "default") { status } }' }],
      [{ query: 'subscription { fileStatus(id: "a\\u0000b", user: "default") { status } }' }],
      [{ query: `subscription { fileStatus(id: "${'x'.repeat(300)}", user: "default") { status } }` }],
      [{ query: 'subscription { ask(question: "", user: "default") { token } }' }],
      [{ query: 'subscription { nope }' }],
      [{ query: 'subscription { events(user: "default") { content } ask(question: "hi", user: "default") { token } }' }],
      [{ query: '{ {{' }],
      [{ query: `subscription { ${Array.from({ length: 30 }, (_, i) => `a${i}: __typename`).join(' ')} }` }],
      [{ query: 'subscription S($u: String) { events(user: $u) { content } }', variables: { u: 7 } }],
      [{ query: 'subscription { events(user: "default") { content } }', extensions: 'x' }],
      [[{ query: 'subscription { events(user: "default") { content } }' }]],
    ];
    const results = await Promise.all(cases.map(([body, headers]) => sse(body, headers)));
    for (const [i, r] of results.entries()) {
      expect(r.status, JSON.stringify(cases[i])).toBeLessThan(500);
      expect(r.codes.length, JSON.stringify(cases[i])).toBeGreaterThan(0);
    }
    await gw.expectServing();
  });

  it('ends the upstream stream of each client that leaves mid-answer, and keeps serving', async () => {
    gw.synvo.controls.addFault({ route: 'query', kind: 'slowStream', tokenDelayMs: 200 });
    try {
      const leaving = await Promise.all(
        Array.from({ length: 10 }, async (_, i) => {
          sent += 1;
          const controller = new AbortController();
          const res = await request(gw.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...asService },
            body: JSON.stringify({ query: `subscription { ask(question: "question ${i}", user: "default") { token } }` }),
            signal: controller.signal,
          });
          // Wait for the first token, then leave.
          for await (const chunk of res.body) if (String(chunk).includes('event: next')) break;
          controller.abort();
          await res.body.text().catch(() => {});
        }),
      );
      expect(leaving).toHaveLength(10);
      await expect.poll(() => gw.synvo.controls.calls().openStreams, { timeout: 20_000 }).toBe(0);
    } finally {
      gw.synvo.controls.clearFaults();
    }
    await gw.expectServing();
  });

  it('serves others while clients never read their streams or send headers byte by byte', async () => {
    const { port } = new URL(gw.origin);
    const sockets = Array.from({ length: 10 }, (_, i) => {
      const socket = connect(Number(port), '127.0.0.1');
      socket.on('error', () => {});
      const body = JSON.stringify({ query: 'subscription { events(user: "default") { content } }' });
      // Half of them never read a byte of their event streams; the other half never finish their headers.
      socket.write(
        i % 2 === 0
          ? `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\nX-Api-Key: ${asService['x-api-key']}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
          : 'POST /graphql HTTP/1.1\r\nHost: x\r\nX-Slow: ',
      );
      if (i % 2 === 0) socket.pause();
      return socket;
    });
    sent += sockets.length;
    for (let i = 0; i < 5; i++) await gw.expectServing();
    for (const socket of sockets) socket.destroy();
    gw.expectCleanLogs();
    expect(sent).toBeGreaterThan(30);
  });
});
