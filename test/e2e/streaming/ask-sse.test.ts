/**
 * `Subscription.ask` over SSE on `/graphql` (graphql-sse distinct-connections mode): the same
 * chunks as over graphql-ws, the first bytes flushed at once, heartbeats while Synvo is silent,
 * typed errors then completion, and a client that leaves aborts the upstream stream.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ASK_SUBSCRIPTION, eventually, SERVICE_KEY, startHarness, type AskChunk, type Harness } from './harness.js';

const QUESTION = 'What is a neural network?';
const HEARTBEAT_MS = 20;

let h: Harness;

beforeAll(async () => {
  // Synvo's own keep-alive comments (every 100 ms) keep a slow stream alive; a stall sends none.
  h = await startHarness({
    synvo: { keepAliveMs: 100 },
    upstream: { streamIdleTimeoutMs: 600 },
    streaming: { sseHeartbeatMs: HEARTBEAT_MS },
  });
});
afterAll(async () => {
  await h?.stop();
});
beforeEach(() => {
  h.synvo.controls.reset();
});

interface SseRead {
  events: EventSourceMessage[];
  /** Comments (heartbeats), in order, with how many events had come before each. */
  comments: Array<{ afterEvents: number }>;
}

/** POSTs the subscription with `Accept: text/event-stream` and reads the stream to its end. */
async function readSse(variables: Record<string, unknown>, headers: Record<string, string>): Promise<SseRead> {
  const response = await request(h.httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ query: ASK_SUBSCRIPTION, variables }),
  });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
  const read: SseRead = { events: [], comments: [] };
  const parser = createParser({
    onEvent: (event) => read.events.push(event),
    onComment: () => read.comments.push({ afterEvents: read.events.length }),
  });
  for await (const chunk of response.body) parser.feed(Buffer.from(chunk as Buffer).toString('utf8'));
  return read;
}

const nextPayloads = (read: SseRead) =>
  read.events.filter((e) => e.event === 'next').map((e) => JSON.parse(e.data) as { data?: { ask: AskChunk } | null; errors?: unknown[] });

describe('Subscription.ask over SSE', () => {
  it('streams, through the graphql-sse client, the same tokens and answer as the non-streaming field', async () => {
    const whole = await h.post(
      { query: '{ viewer { ask(question: "What is a neural network?") { text } } }' },
      { authorization: `Bearer ${await h.token('default')}` },
    );
    const expected = (whole.data as { viewer: { ask: { text: string } } }).viewer.ask.text;
    const client = h.sseClient({ authorization: `Bearer ${await h.token('default')}` });
    const chunks: AskChunk[] = [];

    for await (const result of client.iterate({ query: ASK_SUBSCRIPTION, variables: { question: QUESTION } })) {
      expect(result.errors).toBeUndefined();
      chunks.push((result.data as { ask: AskChunk }).ask);
    }

    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.map((c) => c.token).join('')).toBe(expected);
    expect(chunks.at(-1)).toMatchObject({ token: '', answer: { text: expected } });
  });

  it('ends with a typed upstream error event and then a complete event when Synvo fails mid-stream', async () => {
    h.synvo.controls.addFault({ route: 'query', kind: 'streamError', afterTokens: 1, body: { error: 'Model crashed', code: 'MODEL_ERROR' } });

    const read = await readSse({ question: QUESTION, user: 'default' }, { 'x-api-key': SERVICE_KEY });

    const payloads = nextPayloads(read);
    expect(payloads).toHaveLength(2);
    expect(payloads[0]?.data?.ask.answer).toBeNull();
    expect(payloads[1]?.errors).toMatchObject([{ extensions: { service: 'synvo' } }]);
    expect(read.events.at(-1)?.event).toBe('complete');
  });

  it('sends heartbeats while Synvo is silent, then UPSTREAM_TIMEOUT when the silence outlasts the idle timeout', async () => {
    h.synvo.controls.addFault({ route: 'query', kind: 'stall', afterTokens: 1 });

    const read = await readSse({ question: QUESTION }, { authorization: `Bearer ${await h.token('default')}` });

    const payloads = nextPayloads(read);
    expect(payloads).toHaveLength(2);
    expect(payloads[1]?.errors).toMatchObject([{ extensions: { code: 'UPSTREAM_TIMEOUT', service: 'synvo' } }]);
    // Between the one token and the timeout error, the stream was kept alive by several heartbeats.
    const during = read.comments.filter((c) => c.afterEvents === 1);
    expect(during.length).toBeGreaterThanOrEqual(3);
    await eventually(() => h.synvo.controls.calls().openStreams === 0);
  });

  it('flushes the first bytes at once, before Synvo sends anything, and aborts Synvo when the client leaves', async () => {
    h.synvo.controls.addFault({ route: 'query', kind: 'stall', afterTokens: 0 });
    const controller = new AbortController();
    const response = await fetch(h.httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${await h.token('default')}` },
      body: JSON.stringify({ query: ASK_SUBSCRIPTION, variables: { question: QUESTION } }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();

    const first = await reader.read();

    expect(new TextDecoder().decode(first.value)).toMatch(/^:/);
    await eventually(() => h.synvo.controls.calls().openStreams === 1);
    controller.abort();
    await eventually(() => h.synvo.controls.calls().openStreams === 0);
  });

  it("refuses a JWT caller's stream of another user's answers with FORBIDDEN and calls no upstream", async () => {
    const read = await readSse({ question: QUESTION, user: 'alex' }, { authorization: `Bearer ${await h.token('default')}` });

    expect(nextPayloads(read)).toMatchObject([{ errors: [{ extensions: { code: 'FORBIDDEN' } }] }]);
    expect(h.synvo.controls.calls().routes['query']).toBeUndefined();
  });

  it('ends an open SSE subscription with UNAUTHENTICATED when the token expires', async () => {
    // Tokens 250 ms apart: inside the idle timeout, and far too slow to finish before the expiry.
    h.synvo.controls.addFault({ route: 'query', kind: 'slowStream', tokenDelayMs: 250 });
    const client = h.sseClient({ authorization: `Bearer ${await h.token('default', 2)}` });
    const results: Array<{ data?: unknown; errors?: readonly unknown[] }> = [];

    for await (const result of client.iterate({ query: ASK_SUBSCRIPTION, variables: { question: QUESTION } })) results.push(result);

    const last = results.at(-1);
    expect(last?.errors).toMatchObject([{ extensions: { code: 'UNAUTHENTICATED', reason: 'EXPIRED_TOKEN' } }]);
    expect(results.slice(0, -1).every((r) => (r.data as { ask: AskChunk }).ask.answer === null)).toBe(true);
    await eventually(() => h.synvo.controls.calls().openStreams === 0);
  });
});
