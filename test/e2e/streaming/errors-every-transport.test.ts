/**
 * One error pipeline for every result: an upstream failing under `@defer`, and a subscription
 * failing mid-stream, arrive with `extensions.code`, `service` and `upstreamStatus` over multipart
 * (read as Apollo Client asks for it, with meros), SSE (graphql-sse's client) and graphql-ws
 * (graphql-ws's client), and in production without a word of the upstream's own text.
 */
import { meros } from 'meros/node';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

/** The upstream's own error text: it names an internal host, and must never reach a client in production. */
const UPSTREAM_TEXT = 'db-7.internal.memsync.example refused: pool exhausted';
/** What Apollo Client sends for an operation with @defer. */
const APOLLO_ACCEPT = 'multipart/mixed;deferSpec=20220824,application/json';

const DEFERRED_BIO = /* GraphQL */ `
  query DeferredBio {
    viewer {
      name
      ... @defer(label: "bio") {
        biography { __typename ... on Biography { text } }
      }
    }
  }
`;

const FILE_STATUS = /* GraphQL */ `
  subscription Status($id: ID!) { fileStatus(id: $id) { id status } }
`;

interface Payload {
  data?: unknown;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  incremental?: Array<{ data?: unknown; path?: unknown[]; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }>;
  hasNext?: boolean;
}

/** Every error of every payload, top level and incremental. */
const allErrors = (payloads: Payload[]) => payloads.flatMap((p) => [...(p.errors ?? []), ...(p.incremental ?? []).flatMap((i) => i.errors ?? [])]);

async function multipart(h: Harness, query: string, headers: Record<string, string>): Promise<{ payloads: Payload[]; raw: string }> {
  const body = JSON.stringify({ query });
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = httpRequest(h.httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), accept: APOLLO_ACCEPT, ...headers },
    });
    req.once('response', resolve).once('error', reject).end(body);
  });
  expect(response.statusCode).toBe(200);
  const parts = await meros<Payload>(response);
  if (!(Symbol.asyncIterator in parts)) throw new Error(`not a multipart response: ${response.headers['content-type']}`);
  const payloads: Payload[] = [];
  for await (const part of parts) {
    if (!part.json) throw new Error(`a part that is not JSON: ${String(part.body)}`);
    payloads.push(part.body);
  }
  return { payloads, raw: JSON.stringify(payloads) };
}

async function sse(h: Harness, query: string, headers: Record<string, string>, variables?: Record<string, unknown>): Promise<Payload[]> {
  const client = h.sseClient(headers);
  const payloads: Payload[] = [];
  for await (const result of client.iterate({ query, variables })) payloads.push(result as Payload);
  return payloads;
}

async function ws(h: Harness, query: string, connectionParams: Record<string, unknown>, variables?: Record<string, unknown>): Promise<Payload[]> {
  const client = h.wsClient(connectionParams);
  const payloads: Payload[] = [];
  for await (const result of client.iterate({ query, variables })) payloads.push(result as Payload);
  return payloads;
}

function expectUpstreamError(payloads: Payload[], expected: Record<string, unknown>) {
  const errors = allErrors(payloads);
  expect(errors.length).toBeGreaterThan(0);
  for (const error of errors) expect(error.extensions).toMatchObject(expected);
}

describe('in production', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { NODE_ENV: 'production', MEMGATE_FILE_POLL_MS: '10' } });
  });
  afterAll(async () => {
    await h?.stop();
  });
  beforeEach(() => {
    h.synvo.controls.reset();
    h.memsync.controls.reset();
  });
  const failBio = () =>
    h.memsync.controls.addFault({ route: 'bio', kind: 'status', status: 503, body: { error: UPSTREAM_TEXT, code: 'POOL' } });
  const bioError = { code: 'UPSTREAM_UNAVAILABLE', service: 'memsync', upstreamStatus: 503 };

  it('maps a deferred field failing upstream over multipart, as Apollo Client reads it', async () => {
    failBio();
    const { payloads, raw } = await multipart(h, DEFERRED_BIO, { authorization: `Bearer ${await h.token('alex')}` });
    expect(payloads[0]).toMatchObject({ data: { viewer: { name: 'alex' } }, hasNext: true });
    expect(payloads.at(-1)).toMatchObject({ hasNext: false });
    expectUpstreamError(payloads.slice(1), bioError);
    expect(allErrors(payloads.slice(1))[0]).not.toHaveProperty('extensions.detail');
    expect(raw).not.toContain('internal');
    expect(raw).not.toContain('pool exhausted');
  });

  it('maps a deferred field failing upstream over SSE', async () => {
    failBio();
    const payloads = await sse(h, DEFERRED_BIO, { authorization: `Bearer ${await h.token('alex')}` });
    expect(payloads[0]).toMatchObject({ data: { viewer: { name: 'alex' } } });
    expectUpstreamError(payloads.slice(1), bioError);
    expect(JSON.stringify(payloads)).not.toContain('internal');
  });

  it('maps a deferred field failing upstream over graphql-ws', async () => {
    failBio();
    const payloads = await ws(h, DEFERRED_BIO, { authorization: `Bearer ${await h.token('alex')}` });
    expect(payloads[0]).toMatchObject({ data: { viewer: { name: 'alex' } } });
    expectUpstreamError(payloads.slice(1), bioError);
    expect(JSON.stringify(payloads)).not.toContain('internal');
  });

  const failStatus = () =>
    h.synvo.controls.addFault({ route: 'fileStatus', kind: 'status', status: 502, body: { detail: `gateway ${UPSTREAM_TEXT}` } });
  const statusError = { code: 'UPSTREAM_UNAVAILABLE', service: 'synvo', upstreamStatus: 502 };

  it('ends a subscription failing mid-stream over graphql-ws with one coded error, then completes', async () => {
    failStatus();
    const payloads = await ws(h, FILE_STATUS, { authorization: `Bearer ${await h.token('alex')}` }, { id: 'file-that-polls' });
    expect(payloads).toHaveLength(1);
    expectUpstreamError(payloads, statusError);
    expect(JSON.stringify(payloads)).not.toContain('internal');
  });

  it('ends a subscription failing mid-stream over SSE with one coded error, then completes', async () => {
    failStatus();
    const payloads = await sse(h, FILE_STATUS, { authorization: `Bearer ${await h.token('alex')}` }, { id: 'file-that-polls' });
    expect(payloads).toHaveLength(1);
    expectUpstreamError(payloads, statusError);
    expect(JSON.stringify(payloads)).not.toContain('internal');
  });
});

describe('in development', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { NODE_ENV: 'development' } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("adds the upstream's own text under extensions.detail", async () => {
    h.memsync.controls.addFault({ route: 'bio', kind: 'status', status: 503, body: { error: UPSTREAM_TEXT } });
    const { payloads } = await multipart(h, DEFERRED_BIO, { authorization: `Bearer ${await h.token('alex')}` });
    const [error] = allErrors(payloads);
    expect(error?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', service: 'memsync', upstreamStatus: 503 });
    expect(String(error?.extensions?.['detail'])).toContain('pool exhausted');
  });
});
