import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_KEY, asService, startGateway, type Gateway } from './harness.js';

const PROFILE = '{ user(name: "default") { name profile { basicInfo { name } } } }';
const NORMAL = '{ user(name: "default") { name events(limit: 2) { type } } }';

describe('a production gateway (NODE_ENV=production)', () => {
  let gw: Gateway;

  beforeAll(async () => {
    gw = await startGateway({
      app: {
        production: {
          limits: { maxDepth: 3, maxAliases: 2, maxDirectives: 2, maxTokens: 120, maxCost: 30, maxQueryLength: 1500, maxBodyBytes: 8192 },
        },
      },
    });
  });
  afterAll(() => gw.stop());

  const rejected = async (query: string, code: string) => {
    const res = await gw.post({ query }, asService);
    expect(res.status).toBe(400);
    expect(res.json.data).toBeUndefined();
    expect(res.json.errors[0].extensions.code).toBe(code);
  };

  it('rejects a query over the depth limit with 400 and DEPTH_LIMIT_EXCEEDED', () =>
    // user > profile > basicInfo > name: depth 4, one over the limit of 3.
    rejected(PROFILE, 'DEPTH_LIMIT_EXCEEDED'));

  it('rejects more aliases than allowed with 400 and ALIAS_LIMIT_EXCEEDED', () =>
    rejected('{ a: user(name: "default") { name } b: user(name: "alex") { name } c: user(name: "x") { name } }', 'ALIAS_LIMIT_EXCEEDED'));

  it('rejects more directives than allowed with 400 and DIRECTIVE_LIMIT_EXCEEDED', () =>
    rejected('{ user(name: "default") @skip(if: false) { name @skip(if: false) profile @include(if: true) { attributes { values } } } }', 'DIRECTIVE_LIMIT_EXCEEDED'));

  it('rejects more tokens than allowed with 400 and TOKEN_LIMIT_EXCEEDED', () =>
    rejected(`{ user(name: "default") { ${'name '.repeat(150)} } }`, 'TOKEN_LIMIT_EXCEEDED'));

  it('rejects a costly query with 400 and COST_LIMIT_EXCEEDED', () =>
    rejected(
      '{ users(names: ["a", "b"]) { name events { type content time } memories(query: "x") { id text categories type createdAt } searchFiles(query: "y") { id name path mimeType createdAt } } }',
      'COST_LIMIT_EXCEEDED',
    ));

  it('rejects a query text over the character limit with 400 and QUERY_TOO_LONG', () =>
    rejected(`{ user(name: "default") { name } } # ${'x'.repeat(1600)}`, 'QUERY_TOO_LONG'));

  it('rejects a body over the size limit with 413 and REQUEST_ENTITY_TOO_LARGE', async () => {
    const res = await gw.post({ query: NORMAL, variables: { pad: 'x'.repeat(9000) } }, asService);
    expect(res.status).toBe(413);
    expect(res.json.errors[0].extensions.code).toBe('REQUEST_ENTITY_TOO_LARGE');
  });

  it('refuses a batch of operations with 400', async () => {
    const res = await gw.post([{ query: NORMAL }, { query: NORMAL }], asService);
    expect(res.status).toBe(400);
    expect(res.json.errors[0].message).toMatch(/batching/i);
  });

  it('applies the same limits to operations over graphql-ws', async () => {
    const client = createClient({ url: gw.url.replace('http', 'ws'), webSocketImpl: WebSocket, connectionParams: { apiKey: SERVICE_KEY }, retryAttempts: 0 });
    const codeOf = (query: string) =>
      new Promise<unknown>((resolve) => {
        client.subscribe({ query }, { next: () => resolve('next'), error: (e) => resolve((e as Array<{ extensions?: { code?: string } }>)[0]?.extensions?.code), complete: () => {} });
      });
    try {
      expect(await codeOf(`{ user(name: "default") { ${'name '.repeat(150)} } }`)).toBe('TOKEN_LIMIT_EXCEEDED');
      expect(await codeOf(PROFILE)).toBe('DEPTH_LIMIT_EXCEEDED');
      expect(await codeOf('{ a: user(name: "default") { name } b: user(name: "alex") { name } c: user(name: "x") { name } }')).toBe('ALIAS_LIMIT_EXCEEDED');
      expect(await codeOf(NORMAL)).toBe('next');
    } finally {
      await client.dispose();
    }
  });

  it('keeps serving normal queries after every rejection', async () => {
    const res = await gw.post({ query: NORMAL }, asService);
    expect(res.status).toBe(200);
    expect(res.json.data.user.name).toBe('default');
    expect(res.json.data.user.events.length).toBeGreaterThan(0);
  });

  it('refuses introspection', async () => {
    const res = await gw.post({ query: '{ __schema { types { name } } }' }, asService);
    expect(res.status).toBe(400);
    expect(res.json.data).toBeUndefined();
    expect(res.json.errors[0].message).toMatch(/introspection/i);
  });

  it('hides field suggestions', async () => {
    const res = await gw.post({ query: '{ viewr { name } }' }, asService);
    expect(res.json.errors[0].message).not.toMatch(/did you mean/i);
    expect(res.text).not.toContain('viewer');
  });

  it('serves no GraphiQL page to a browser', async () => {
    const res = await gw.get('/graphql', { accept: 'text/html' });
    expect(res.text).not.toMatch(/graphiql/i);
    expect(res.text).not.toMatch(/<html/i);
  });

  it('refuses a simple cross-site GET without a preflight header with 403 and CSRF_PREVENTED', async () => {
    const res = await gw.get(`/graphql?query=${encodeURIComponent('{ __typename }')}`);
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text).errors[0].extensions.code).toBe('CSRF_PREVENTED');
  });

  it('serves a GET from a client that sends its API key', async () => {
    const res = await gw.get(`/graphql?query=${encodeURIComponent('{ user(name: "default") { name } }')}`, { ...asService, accept: 'application/json' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text).data.user.name).toBe('default');
  });
});

describe('an unexpected error in production', () => {
  let gw: Gateway;

  beforeAll(async () => {
    gw = await startGateway();
    // A bug in the gateway, simulated: the profile read throws a plain Error.
    gw.app.state.clients.synvo.getProfile = async () => {
      throw new Error('internal detail at /srv/memgate/src/secret-path.ts');
    };
  });
  afterAll(() => gw.stop());

  it('is masked as INTERNAL_SERVER_ERROR without a stack trace or the original message, the rest still resolving', async () => {
    const res = await gw.post({ query: PROFILE }, asService);
    expect(res.status).toBe(200);
    expect(res.json.data.user).toEqual({ name: 'default', profile: null });
    expect(res.json.errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
    expect(res.text).not.toContain('secret-path');
    expect(res.text).not.toMatch(/stack|\bat \//);
    await expect.poll(() => gw.logs()).toContain('secret-path');
    expect(gw.logs()).not.toContain('"stack"');
  });
});

describe('a development gateway', () => {
  let gw: Gateway;

  beforeAll(async () => {
    gw = await startGateway({ env: { NODE_ENV: 'development' } });
  });
  afterAll(() => gw.stop());

  it('answers introspection, suggests fields and serves GraphiQL', async () => {
    const introspection = await gw.post({ query: '{ __schema { queryType { name } } }' }, asService);
    expect(introspection.json.data.__schema.queryType.name).toBe('Query');
    const typo = await gw.post({ query: '{ viewr { name } }' }, asService);
    expect(typo.json.errors[0].message).toMatch(/did you mean "viewer"/i);
    const page = await gw.get('/graphql', { accept: 'text/html' });
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/graphiql/i);
  });
});

describe('a production gateway with introspection and GraphiQL enabled by config', () => {
  let gw: Gateway;

  beforeAll(async () => {
    gw = await startGateway({ env: { MEMGATE_INTROSPECTION: 'true', MEMGATE_GRAPHIQL: 'true' } });
  });
  afterAll(() => gw.stop());

  it('answers introspection and serves GraphiQL', async () => {
    const introspection = await gw.post({ query: '{ __schema { queryType { name } } }' }, asService);
    expect(introspection.json.data.__schema.queryType.name).toBe('Query');
    const page = await gw.get('/graphql', { accept: 'text/html' });
    expect(page.text).toMatch(/graphiql/i);
  });
});
