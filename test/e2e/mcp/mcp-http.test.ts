/**
 * The MCP server over Streamable HTTP at /mcp, with the SDK's own client, against a real gateway
 * on real emulators.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { asService, callsOf, startGraphHarness, type GraphHarness } from '../graph/harness.js';
import {
  callTool,
  expectBadArgumentsAreToolErrors,
  expectEveryToolWorks,
  expectInitialized,
  expectOtherUserForbidden,
  expectToolError,
  expectToolList,
  servePage,
  textOf,
} from './session.js';

let h: GraphHarness;
let mcpUrl: URL;
let page: Awaited<ReturnType<typeof servePage>>;
const clients: Client[] = [];

beforeAll(async () => {
  h = await startGraphHarness({ upstreamOptions: { maxAttempts: 1, breakerMinimumRps: 100_000 } });
  mcpUrl = new URL(h.url.replace(/\/graphql$/, '/mcp'));
  page = await servePage();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  h.resetUpstreams();
});
afterAll(async () => {
  await h?.stop();
  await page?.close();
});

async function connect(headers: Record<string, string>, url = mcpUrl): Promise<Client> {
  const client = new Client({ name: 'memgate-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
  clients.push(client);
  return client;
}

const bearer = async (user: string) => ({ authorization: `Bearer ${await h.jwt(user)}` });

test('initialize: the server names itself and offers tools', async () => {
  expectInitialized(await connect(await bearer('alex')));
});

test('tools/list: every tool, with input schemas generated from the operations', async () => {
  await expectToolList(await connect(await bearer('alex')));
});

test('a JWT caller calls every tool as itself; ask_files streams progress', async () => {
  await expectEveryToolWorks(await connect(await bearer('alex')), {
    hikingMemories: true,
    question: 'Which trails did Alex hike?',
    pageUrl: page.url,
  });
});

test('a bad argument is a tool error carrying BAD_USER_INPUT, and the session goes on', async () => {
  const client = await connect(await bearer('alex'));
  await expectBadArgumentsAreToolErrors(client);
  expect((await callTool(client, 'get_profile', {})).isError).toBeFalsy();
});

test('a JWT caller cannot reach another user: FORBIDDEN, and no upstream call is made for that user', async () => {
  await expectOtherUserForbidden(await connect(await bearer('alex')), 'default');
  const byUser = (e: typeof h.synvo) => Object.values(e.controls.calls().routes).map((r) => r.byUser['default'] ?? 0);
  expect([...byUser(h.synvo), ...byUser(h.memsync)].every((n) => n === 0)).toBe(true);
});

test('a service key names the user, and must', async () => {
  const client = await connect(asService);
  const profile = await callTool(client, 'get_profile', { user: 'default' });
  expect(textOf(profile)).toMatch(/Nanyang Technological University/);
  expectToolError(await callTool(client, 'get_context', { query: 'study' }), 'BAD_USER_INPUT');
  expectToolError(await callTool(client, 'ask_files', { question: 'What do I study?' }), 'BAD_USER_INPUT');
});

describe('an unauthenticated session is refused', () => {
  test.each<{ name: string; headers: Record<string, string> }>([
    { name: 'no credentials', headers: {} },
    { name: 'a token signed with another secret', headers: { authorization: 'Bearer x' } },
    { name: 'an unknown service key', headers: { 'x-api-key': 'not-a-service-key' } },
  ])('$name: the SDK client cannot initialize', async ({ headers }) => {
    const client = new Client({ name: 'memgate-test', version: '1.0.0' });
    await expect(client.connect(new StreamableHTTPClientTransport(mcpUrl, { requestInit: { headers } }))).rejects.toThrow();
  });

  test('HTTP 401 with a JSON-RPC error carrying UNAUTHENTICATED', async () => {
    const forged = { authorization: `Bearer ${await h.jwt('alex', { secret: 'another-secret-0123456789abcdef' })}` };
    for (const headers of [{}, forged]) {
      const res = await request(mcpUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
      });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      const body = (await res.body.json()) as { error: { data: { code: string } } };
      expect(body.error.data.code).toBe('UNAUTHENTICATED');
    }
  });

  test('an expired token is refused', async () => {
    const expired = { authorization: `Bearer ${await h.jwt('alex', { expiresIn: -60 })}` };
    const client = new Client({ name: 'memgate-test', version: '1.0.0' });
    await expect(client.connect(new StreamableHTTPClientTransport(mcpUrl, { requestInit: { headers: expired } }))).rejects.toThrow();
  });
});

test('the endpoint is stateless: GET and DELETE are 405 with Allow: POST', async () => {
  for (const method of ['GET', 'DELETE'] as const) {
    const res = await request(mcpUrl, { method, headers: { ...asService, accept: 'text/event-stream' } });
    expect(res.statusCode).toBe(405);
    expect(res.headers['allow']).toBe('POST');
    await res.body.dump();
  }
});

test('with MemSync down, get_context is a partial result that carries the typed errors', async () => {
  h.memsync.controls.addFault({ route: '*', kind: 'status', status: 503, body: { error: 'down' } });
  const result = await callTool(await connect(await bearer('alex')), 'get_context', { query: 'hiking' });
  expect(result.isError).toBeFalsy();
  expect(textOf(result)).toMatch(/Partial/);
  expect(textOf(result)).toMatch(/UPSTREAM_UNAVAILABLE/);
  const structured = result.structuredContent as { context: { complete: boolean }; errors: Array<{ extensions: Record<string, unknown> }> };
  expect(structured.context.complete).toBe(false);
  expect(structured.errors.map((e) => e.extensions)).toEqual([
    expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE', service: 'memsync' }),
    expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE', service: 'memsync' }),
  ]);
});

test("a tool call is a GraphQL request like any other: the read goes through the gateway's loaders once", async () => {
  await callTool(await connect(await bearer('alex')), 'get_context', { query: 'hiking' });
  expect(callsOf(h.synvo)).toEqual({ profile: 1, events: 1, search: 1 });
  expect(callsOf(h.memsync)).toEqual({ memoriesSearch: 1, bio: 1 });
});

describe('with persisted documents only', () => {
  let persisted: GraphHarness;
  beforeAll(async () => {
    persisted = await startGraphHarness({
      env: { MEMGATE_PERSISTED_ONLY: 'true', MEMGATE_PERSISTED_DOCUMENTS: 'test/gql/persisted-documents.json' },
    });
  });
  afterAll(async () => {
    await persisted?.stop();
  });

  test('the tools run (their operations are persisted documents) while a query text is refused', async () => {
    const url = new URL(persisted.url.replace(/\/graphql$/, '/mcp'));
    const client = await connect({ authorization: `Bearer ${await persisted.jwt('alex')}` }, url);
    const result = await callTool(client, 'get_context', { query: 'hiking' });
    expect(result.isError).toBeFalsy();
    const raw = await persisted.post({ query: '{ viewer { name } }' }, asService);
    expect(raw.json.errors[0].extensions.code).toBe('PERSISTED_QUERY_ONLY');
  });
});

describe("the gateway's rate limits apply to tool calls", () => {
  let limited: GraphHarness;
  beforeAll(async () => {
    limited = await startGraphHarness({ env: { MEMGATE_RATE_LIMIT_USER_PER_MINUTE: '2' } });
  });
  afterAll(async () => {
    await limited?.stop();
  });

  test('past the per-user budget a tool call is a RATE_LIMITED tool error with retryAfter', async () => {
    const url = new URL(limited.url.replace(/\/graphql$/, '/mcp'));
    const client = await connect({ authorization: `Bearer ${await limited.jwt('alex')}` }, url);
    for (let i = 0; i < 2; i++) expect((await callTool(client, 'get_profile', {})).isError).toBeFalsy();
    const refused = await callTool(client, 'get_profile', {});
    expectToolError(refused, 'RATE_LIMITED');
    const errors = (refused.structuredContent as { errors: Array<{ extensions: { retryAfter?: number } }> }).errors;
    expect(errors[0]!.extensions.retryAfter).toBeGreaterThan(0);
  });
});

test('each /mcp request is counted in the HTTP metrics by method and status', async () => {
  const metricsUrl = h.url.replace(/\/graphql$/, '/metrics');
  const count = async (method: string, status: number) => {
    const text = await (await request(metricsUrl)).body.text();
    const line = text.split('\n').find((l) => l.startsWith(`memgate_http_requests_total{method="${method}",status="${status}"}`));
    return line ? Number(line.split(' ').pop()) : 0;
  };
  const before = await count('DELETE', 405);
  const res = await request(mcpUrl, { method: 'DELETE', headers: asService });
  await res.body.dump();
  await expect.poll(() => count('DELETE', 405)).toBe(before + 1);
});
