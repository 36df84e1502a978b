/**
 * `@defer` and `@stream` over multipart HTTP and SSE: a front-end gets the fast fields (name,
 * events) in the first payload, and the slow ones (MemSync's biography, Synvo's answer) in a later
 * one, without the first waiting for them.
 */
import { createParser } from 'eventsource-parser';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

/** Payloads of an incremental response, each with the index of the network chunk that completed it. */
interface Delivered {
  payload: {
    data?: Record<string, unknown>;
    incremental?: Array<{ data?: Record<string, unknown>; items?: unknown[]; path: unknown[]; label?: string }>;
    hasNext?: boolean;
    errors?: unknown[];
  };
  chunk: number;
}

const VIEWER_QUERY = /* GraphQL */ `
  query ViewerFirst($question: String!) {
    viewer {
      name
      events(limit: 3) { content }
      ... @defer(label: "slow") {
        biography { __typename ... on Biography { text } }
        ask(question: $question) { text }
      }
    }
  }
`;

const ANSWER_LATENCY_MS = 400;
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});
beforeEach(() => {
  h.synvo.controls.reset();
  h.memsync.controls.reset();
  // Synvo's answer is the slow field (a fresh question each time, so no cache can answer it).
  h.synvo.controls.addFault({ route: 'query', kind: 'latency', ms: ANSWER_LATENCY_MS });
});

async function post(query: string, accept: string, variables: Record<string, unknown> = {}) {
  const response = await request(h.httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${await h.token('alex')}` },
    body: JSON.stringify({ query, variables }),
  });
  expect(response.statusCode).toBe(200);
  return response;
}

/** Reads a `multipart/mixed` response (one JSON object per part, each with a Content-Length). */
async function readMultipart(query: string, variables?: Record<string, unknown>): Promise<Delivered[]> {
  const response = await post(query, 'multipart/mixed', variables);
  expect(response.headers['content-type']).toMatch(/^multipart\/mixed/);
  const delivered: Delivered[] = [];
  let buffer = Buffer.alloc(0);
  let chunk = 0;
  for await (const data of response.body) {
    buffer = Buffer.concat([buffer, data as Buffer]);
    for (;;) {
      const head = /Content-Length: (\d+)\r\n\r\n/i.exec(buffer.toString('latin1'));
      if (!head) break;
      const start = head.index + head[0].length;
      const length = Number(head[1]);
      if (buffer.length < start + length) break;
      delivered.push({ payload: JSON.parse(buffer.subarray(start, start + length).toString('utf8')), chunk });
      buffer = buffer.subarray(start + length);
    }
    chunk += 1;
  }
  return delivered;
}

/** Reads a `text/event-stream` response: the `next` events' payloads. */
async function readSse(query: string, variables?: Record<string, unknown>): Promise<Delivered[]> {
  const response = await post(query, 'text/event-stream', variables);
  const delivered: Delivered[] = [];
  let chunk = 0;
  const parser = createParser({
    onEvent: (event) => {
      if (event.event === 'next') delivered.push({ payload: JSON.parse(event.data), chunk });
    },
  });
  for await (const data of response.body) {
    parser.feed(Buffer.from(data as Buffer).toString('utf8'));
    chunk += 1;
  }
  return delivered;
}

describe.each([
  ['multipart HTTP', readMultipart],
  ['SSE', readSse],
])('@defer over %s', (transport, read) => {
  it('delivers name and events first, and the deferred biography and answer in a later payload', async () => {
    const [initial, ...rest] = await read(VIEWER_QUERY, { question: `Where does the user work? (${transport})` });

    expect(initial?.payload.hasNext).toBe(true);
    const viewer = initial?.payload.data?.['viewer'] as Record<string, unknown>;
    expect(viewer['name']).toBe('alex');
    expect((viewer['events'] as unknown[]).length).toBeGreaterThan(0);
    expect(viewer).not.toHaveProperty('biography');
    expect(viewer).not.toHaveProperty('ask');

    const deferred = rest.flatMap((d) => d.payload.incremental ?? []);
    expect(deferred).toMatchObject([
      { label: 'slow', path: ['viewer'], data: { biography: { __typename: 'Biography' }, ask: { text: expect.any(String) } } },
    ]);
    expect(rest.at(-1)?.payload.hasNext).toBe(false);
    // The first payload went out on its own, before the slow answer had come back.
    expect(rest[0]!.chunk).toBeGreaterThan(initial!.chunk);
    expect(h.synvo.controls.calls().routes['query']?.total).toBe(1);
  });

  it('streams a list with @stream: the first item at once, the others after', async () => {
    const delivered = await read(/* GraphQL */ `
      query { viewer { events(limit: 4) @stream(initialCount: 1) { content } } }
    `);

    const first = (delivered[0]?.payload.data?.['viewer'] as { events: unknown[] }).events;
    expect(first).toHaveLength(1);
    const items = delivered.slice(1).flatMap((d) => d.payload.incremental ?? []).flatMap((i) => i.items ?? []);
    expect(items.length).toBe(3);
    expect(delivered.at(-1)?.payload.hasNext).toBe(false);
  });
});
