/**
 * How the gateway refuses what it will not serve, as an attacker or a careless client meets it:
 * authentication before any parsing, a GraphQL error body with a code on every 4xx (never a 500),
 * connections that keep working after a refused body, limits that count every alias, nothing of
 * the request echoed back in production.
 */
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { Client, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asService, startGateway, SERVICE_KEY, type Gateway } from './harness.js';

let gw: Gateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(() => gw.stop());

/** The error codes of a GraphQL-over-HTTP error body (throws when it is not one). */
function codesOf(text: string): string[] {
  const body = JSON.parse(text) as { errors?: Array<{ extensions?: { code?: unknown } }> };
  expect(body.errors?.length).toBeGreaterThan(0);
  return body.errors!.map((e) => String(e.extensions?.code));
}

async function send({ path = '/graphql', ...options }: NonNullable<Parameters<typeof request>[1]> & { path?: string }) {
  const res = await request(`${gw.origin}${path}`, options);
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

/** Writes raw bytes on one socket and reads what comes back until the server closes it. */
function raw(bytes: string): Promise<string> {
  const { port } = new URL(gw.origin);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.end(bytes));
    let out = '';
    socket.on('data', (chunk) => (out += chunk.toString()));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
  });
}

describe('authentication before parsing', () => {
  it('answers 401 to a caller without credentials before looking at the document, so no field name is confirmed', async () => {
    const res = await send({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ nope }' }) });
    expect(res.status).toBe(401);
    expect(codesOf(res.text)).toEqual(['UNAUTHENTICATED']);
    expect(res.text).not.toContain('nope');
  });

  it('answers 401 to a wrong key or a forged token with a malformed document, not a parse error', async () => {
    for (const headers of [{ 'x-api-key': 'wrong' }, { authorization: 'Bearer a.b.c' }]) {
      const res = await send({ method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: '{ {{{' }) });
      expect(res.status).toBe(401);
      expect(codesOf(res.text)).toEqual(['UNAUTHENTICATED']);
    }
  });
});

describe('every 4xx has a GraphQL error body with a code', () => {
  it.each([
    ['variables', `query=${encodeURIComponent('{viewer{name}}')}&variables=not-json`],
    ['extensions', `query=${encodeURIComponent('{viewer{name}}')}&extensions=${encodeURIComponent('{broken')}`],
  ])('answers a GET whose %s is not JSON with 400 BAD_REQUEST', async (_what, search) => {
    const res = await send({ path: `/graphql?${search}`, headers: { ...asService, accept: 'application/json' } });
    expect(res.status).toBe(400);
    expect(codesOf(res.text)).toEqual(['BAD_REQUEST']);
  });

  it('answers a multipart request without a boundary with 400 BAD_USER_INPUT', async () => {
    const res = await send({ method: 'POST', headers: { ...asService, 'content-type': 'multipart/form-data' }, body: 'operations=x' });
    expect(res.status).toBe(400);
    expect(codesOf(res.text)).toEqual(['BAD_USER_INPUT']);
  });

  it('answers an unsupported content type with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const res = await send({ method: 'POST', headers: { ...asService, 'content-type': 'text/plain' }, body: '{ viewer { name } }' });
    expect(res.status).toBe(415);
    expect(res.headers['content-type']).toMatch(/json/);
    expect(codesOf(res.text)).toEqual(['UNSUPPORTED_MEDIA_TYPE']);
  });

  it('answers a subscription over GET for JSON only with 406 NOT_ACCEPTABLE', async () => {
    const token = await gw.jwt('default');
    const res = await send({
      path: `/graphql?query=${encodeURIComponent('subscription { events { content } }')}`,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    });
    expect(res.status).toBe(406);
    expect(codesOf(res.text)).toEqual(['NOT_ACCEPTABLE']);
  });

  it('answers a method GraphQL does not use with 405 and a code', async () => {
    const res = await send({ method: 'PUT', headers: { ...asService, 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(405);
    expect(codesOf(res.text)).toHaveLength(1);
  });

  it('answers headers over 16 KB with 431 REQUEST_HEADER_FIELDS_TOO_LARGE', async () => {
    const reply = await raw(`POST /graphql HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17_000)}\r\nContent-Length: 2\r\n\r\n{}`);
    expect(reply).toMatch(/^HTTP\/1\.1 431 /);
    expect(codesOf(reply.slice(reply.indexOf('\r\n\r\n') + 4))).toEqual(['REQUEST_HEADER_FIELDS_TOO_LARGE']);
  });

  it('does not echo a malformed JSON body back in production', async () => {
    const res = await send({
      method: 'POST',
      headers: { ...asService, 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: '{"query": "echo-me-CANARY',
    });
    expect(res.status).toBe(400);
    expect(codesOf(res.text)).toEqual(['BAD_REQUEST']);
    expect(res.text).not.toContain('CANARY');
    expect(res.text).not.toContain('originalError');
  });
});

describe('a refused body', () => {
  const bigBody = JSON.stringify({ query: '{ viewer { name } }', variables: { pad: 'x'.repeat(2 * 1024 * 1024) } });
  const small = JSON.stringify({ query: '{ user(name: "default") { name } }' });

  it('leaves its client able to send the next request at once (413 with Connection: close)', async () => {
    const client = new Client(gw.origin, { pipelining: 1 });
    try {
      const refused = await client.request({ path: '/graphql', method: 'POST', headers: { ...asService, 'content-type': 'application/json' }, body: bigBody });
      expect(refused.statusCode).toBe(413);
      expect(refused.headers['connection']).toBe('close');
      expect(codesOf(await refused.body.text())).toEqual(['REQUEST_ENTITY_TOO_LARGE']);
      const next = await client.request({ path: '/graphql', method: 'POST', headers: { ...asService, 'content-type': 'application/json' }, body: small });
      expect(next.statusCode).toBe(200);
      expect(JSON.parse(await next.body.text())).toEqual({ data: { user: { name: 'default' } } });
    } finally {
      await client.close();
    }
  });

  it('does the same for a body of unknown length refused as it streams', async () => {
    const client = new Client(gw.origin, { pipelining: 1 });
    try {
      // No Content-Length: sent chunked, so the limit is only seen as the body streams in.
      const chunks = Readable.from((function* () {
        for (let i = 0; i < 40; i++) yield Buffer.alloc(64 * 1024, 0x20);
      })());
      const refused = await client.request({ path: '/graphql', method: 'POST', headers: { ...asService, 'content-type': 'application/json' }, body: chunks });
      expect(refused.statusCode).toBe(413);
      await refused.body.text();
      const next = await client.request({ path: '/graphql', method: 'POST', headers: { ...asService, 'content-type': 'application/json' }, body: small });
      expect(next.statusCode).toBe(200);
      await next.body.text();
    } finally {
      await client.close();
    }
  });

  it('does the same for an unauthenticated upload, which is never read', async () => {
    const client = new Client(gw.origin, { pipelining: 1 });
    try {
      // Within the size limit, so that it is the missing credentials that refuse it.
      const body = JSON.stringify({ query: '{ viewer { name } }', variables: { pad: 'x'.repeat(900 * 1024) } });
      const refused = await client.request({ path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(refused.statusCode).toBe(401);
      await refused.body.text();
      const next = await client.request({ path: '/graphql', method: 'POST', headers: { 'x-api-key': SERVICE_KEY, 'content-type': 'application/json' }, body: small });
      expect(next.statusCode).toBe(200);
      await next.body.text();
    } finally {
      await client.close();
    }
  });
});

describe('limits', () => {
  it('counts __typename aliases in the alias limit', async () => {
    const query = `{ ${Array.from({ length: 600 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const res = await gw.post({ query }, asService);
    expect(res.status).toBe(400);
    expect(codesOf(res.text)).toEqual(['ALIAS_LIMIT_EXCEEDED']);
  });
});
