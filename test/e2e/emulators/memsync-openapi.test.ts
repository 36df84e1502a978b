import { loadGraphQLSchemaFromOpenAPI } from '@omnigraph/openapi';
import { graphql, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../emulators/core/types.js';
import { startMemSyncEmulator } from '../../../emulators/memsync/index.js';
import { STORE_FIELDS, call, type HttpResult } from './memsync-http.js';

type Schema = Record<string, any>;

/** A small JSON-schema checker for the OpenAPI 3.0 subset the document uses; returns the violations. */
function violations(value: unknown, schema: Schema, doc: Schema, at = '$'): string[] {
  if (schema.$ref) return violations(value, doc.components.schemas[schema.$ref.split('/').at(-1)], doc, at);
  if (value === null) return schema.nullable ? [] : [`${at}: null but not nullable`];
  const out: string[] = [];
  if (schema.enum && !schema.enum.includes(value)) out.push(`${at}: ${JSON.stringify(value)} not in ${schema.enum.join('|')}`);
  switch (schema.type) {
    case 'string':
      if (typeof value !== 'string') return [`${at}: not a string`];
      if (schema.format === 'date-time' && !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value)) out.push(`${at}: not a UTC date-time`);
      if (schema.minLength && value.length < schema.minLength) out.push(`${at}: too short`);
      break;
    case 'integer':
    case 'number':
      if (typeof value !== 'number' || (schema.type === 'integer' && !Number.isInteger(value))) return [`${at}: not an ${schema.type}`];
      if (schema.minimum !== undefined && value < schema.minimum) out.push(`${at}: below ${schema.minimum}`);
      if (schema.maximum !== undefined && value > schema.maximum) out.push(`${at}: above ${schema.maximum}`);
      break;
    case 'boolean':
      if (typeof value !== 'boolean') out.push(`${at}: not a boolean`);
      break;
    case 'array':
      if (!Array.isArray(value)) return [`${at}: not an array`];
      value.forEach((item, i) => out.push(...violations(item, schema.items, doc, `${at}[${i}]`)));
      break;
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return [`${at}: not an object`];
      const record = value as Record<string, unknown>;
      for (const key of schema.required ?? []) if (!(key in record)) out.push(`${at}.${key}: missing`);
      for (const [key, v] of Object.entries(record)) {
        const property = schema.properties?.[key];
        if (property) out.push(...violations(v, property, doc, `${at}.${key}`));
        else if (schema.additionalProperties === false) out.push(`${at}.${key}: not in the schema`);
      }
      break;
    }
  }
  return out;
}

describe('MemSync emulator: /openapi.json', () => {
  let emu: RunningEmulator;
  let doc: Schema;
  beforeAll(async () => {
    emu = await startMemSyncEmulator({ generationDelayMs: 1, rateLimitPerMinute: 1000 });
    doc = (await call(emu.url, 'GET', '/openapi.json')).body;
  });
  afterAll(() => emu.stop());
  beforeEach(() => emu.controls.reset());

  /** Checks a real answer against the schema the document gives for its path, method and status. */
  function expectDocumented(path: string, method: 'get' | 'post' | 'patch' | 'delete', res: HttpResult) {
    const response = doc.paths[path][method].responses[String(res.status)];
    expect(response, `${method} ${path} ${res.status} is documented`).toBeDefined();
    expect(violations(res.body, response.content['application/json'].schema, doc)).toEqual([]);
  }

  it('is an OpenAPI 3.0 document of every endpoint, with unique operationIds and the X-API-Key scheme', () => {
    expect(doc.openapi).toMatch(/^3\.0\./);
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item as Schema).map(([method, op]) => ({ path, method, id: (op as Schema).operationId })),
    );
    expect(operations.map((o) => `${o.method} ${o.path}`).sort()).toEqual([
      'delete /v1/memories/{memory_id}',
      'get /v1/memories',
      'get /v1/profile',
      'get /v1/profile/bio',
      'patch /v1/memories/{memory_id}',
      'patch /v1/profile/bio',
      'post /v1/memories',
      'post /v1/memories/batch-delete',
      'post /v1/memories/search',
    ]);
    expect(new Set(operations.map((o) => o.id)).size).toBe(9);
    expect(doc.components.securitySchemes.ApiKey).toEqual({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
    expect(doc.security).toEqual([{ ApiKey: [] }]);
    expect(doc.servers[0].url).toBe(emu.url);
  });

  it('resolves every $ref to a schema of the document', () => {
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) expect(doc.components.schemas[ref.split('/').at(-1)!.replace('"', '')]).toBeDefined();
  });

  it('describes every bio answer the emulator sends', async () => {
    const base = '/v1/profile/bio';
    for (const format of ['full', 'short', 'bullets', 'professional']) {
      expectDocumented(base, 'get', await call(emu.url, 'GET', `${base}?user_id=alex&format=${format}&style=casual`));
    }
    expectDocumented(base, 'get', await call(emu.url, 'GET', `${base}?user_id=default`));
    expectDocumented(base, 'get', await call(emu.url, 'GET', `${base}?format=poem`));
    expectDocumented(base, 'get', await call(emu.url, 'GET', `${base}?style=poem`));
    expectDocumented(base, 'get', await call(emu.url, 'GET', `${base}?refresh=maybe`));
    expectDocumented(base, 'get', await call(emu.url, 'GET', `${base}?user_id=alex`, { key: 'wrong' }));
    await call(emu.url, 'GET', `${base}?user_id=alex&refresh=true`);
    const cooldown = await call(emu.url, 'GET', `${base}?user_id=alex&refresh=true`);
    expect(cooldown.status).toBe(429);
    expectDocumented(base, 'get', cooldown);
  });

  it('describes every store and search answer the emulator sends', async () => {
    const stored = await call(emu.url, 'POST', '/v1/memories', {
      json: { user_id: 'sam', messages: [{ role: 'user', content: 'I work as a nurse. I visited Tokyo last year.' }], ...STORE_FIELDS },
    });
    expect(stored.body.memories_created).toBe(2);
    expectDocumented('/v1/memories', 'post', stored);
    expectDocumented('/v1/memories', 'post', await call(emu.url, 'POST', '/v1/memories', { json: { messages: [] } }));
    expectDocumented('/v1/memories', 'post', await call(emu.url, 'POST', '/v1/memories', { raw: 'nope' }));

    const search = '/v1/memories/search';
    for (const body of [
      { user_id: 'alex', query: 'startup colleagues' },
      { user_id: 'alex', query: 'startup colleagues', rerank: true, include_bio: false },
      { user_id: 'sam', query: 'nurse', categories: ['career'] },
    ]) {
      const res = await call(emu.url, 'POST', search, { json: body });
      expect(res.body.memories.length).toBeGreaterThan(0);
      expectDocumented(search, 'post', res);
    }
    expectDocumented(search, 'post', await call(emu.url, 'POST', search, { json: { user_id: 'newcomer', query: 'x' } }));
    expectDocumented(search, 'post', await call(emu.url, 'POST', search, { json: { query: 'x', limit: 0 } }));
    emu.controls.addFault({ route: 'memoriesSearch', kind: 'rateLimit', retryAfter: 2, times: 1 });
    expectDocumented(search, 'post', await call(emu.url, 'POST', search, { json: { query: 'x' } }));
  });

  it('describes every profile, list, update, delete and bio-update answer the emulator sends', async () => {
    for (const include of ['bio,categories,insights,stats,traits', 'categories', 'traits']) {
      expectDocumented('/v1/profile', 'get', await call(emu.url, 'GET', `/v1/profile?user_id=alex&include=${include}`));
    }
    expectDocumented('/v1/profile', 'get', await call(emu.url, 'GET', '/v1/profile?user_id=default&include=bio,insights'));
    expectDocumented('/v1/profile', 'get', await call(emu.url, 'GET', '/v1/profile?user_id=newcomer'));
    expectDocumented('/v1/profile', 'get', await call(emu.url, 'GET', '/v1/profile?category=poems'));
    expectDocumented('/v1/profile', 'get', await call(emu.url, 'GET', '/v1/profile?include=everything'));

    expectDocumented('/v1/memories', 'get', await call(emu.url, 'GET', '/v1/memories?user_id=alex&page=2&page_size=5'));
    expectDocumented('/v1/memories', 'get', await call(emu.url, 'GET', '/v1/memories?user_id=alex&page_size=500'));
    expectDocumented('/v1/memories', 'get', await call(emu.url, 'GET', '/v1/memories?user_id=alex&category=poems'));

    const item = '/v1/memories/{memory_id}';
    expectDocumented(item, 'patch', await call(emu.url, 'PATCH', '/v1/memories/mem_000001', { json: { user_id: 'alex', content: 'User works as a staff engineer.', importance: 0.9, metadata: { tags: ['job'] } } }));
    expectDocumented(item, 'patch', await call(emu.url, 'PATCH', '/v1/memories/mem_000001', { json: { user_id: 'alex', category: 'poems' } }));
    expectDocumented(item, 'patch', await call(emu.url, 'PATCH', '/v1/memories/mem_000001', { json: { user_id: 'alex', importance: 3 } }));
    expectDocumented(item, 'patch', await call(emu.url, 'PATCH', '/v1/memories/mem_999999', { json: { user_id: 'alex', content: 'x' } }));
    expectDocumented(item, 'delete', await call(emu.url, 'DELETE', '/v1/memories/mem_000002?user_id=alex&cascade=true'));
    expectDocumented(item, 'delete', await call(emu.url, 'DELETE', '/v1/memories/mem_000002?user_id=alex'));
    expectDocumented(item, 'delete', await call(emu.url, 'DELETE', '/v1/memories/mem_000003?user_id=alex&backup=maybe'));
    const batch = '/v1/memories/batch-delete';
    expectDocumented(batch, 'post', await call(emu.url, 'POST', batch, { json: { user_id: 'alex', memory_ids: ['mem_000003', 'mem_999999'] } }));
    expectDocumented(batch, 'post', await call(emu.url, 'POST', batch, { json: { user_id: 'alex', memory_ids: [] } }));

    const bio = '/v1/profile/bio';
    expectDocumented(bio, 'patch', await call(emu.url, 'PATCH', bio, { json: { user_id: 'alex', bio: 'A software engineer in San Francisco.', manual_override: true } }));
    expectDocumented(bio, 'get', await call(emu.url, 'GET', `${bio}?user_id=alex`));
    expectDocumented(bio, 'patch', await call(emu.url, 'PATCH', bio, { json: { user_id: 'alex', bio: 'word '.repeat(501) } }));
    expectDocumented(bio, 'patch', await call(emu.url, 'PATCH', bio, { json: { user_id: 'alex', regenerate: true, format: 'short' } }));
    expectDocumented(bio, 'patch', await call(emu.url, 'PATCH', bio, { json: { user_id: 'alex', regenerate: true } }));
    expectDocumented(bio, 'patch', await call(emu.url, 'PATCH', bio, { json: { user_id: 'default', regenerate: true } }));
    expectDocumented(bio, 'patch', await call(emu.url, 'PATCH', bio, { json: { user_id: 'alex', style: 'poem', bio: 'x' } }));
  });

  describe('as a GraphQL Mesh OpenAPI source', () => {
    let schema: GraphQLSchema;
    beforeAll(async () => {
      schema = await loadGraphQLSchemaFromOpenAPI('MemSync', {
        source: `${emu.url}/openapi.json`,
        endpoint: emu.url,
        operationHeaders: { 'X-API-Key': 'memsync-dev-key' },
        cwd: process.cwd(),
      });
    });

    it('reads bios and the not-ready state through the generated schema', async () => {
      const res = await graphql({
        schema,
        source: `{
          alex: getBio(user_id: "alex", format: bullets) { __typename ... on Bio { format word_count categories_included generated_at } }
          student: getBio(user_id: "default") { __typename ... on BioNotFound { code current_memory_count } }
        }`,
      });
      expect(res.errors).toBeUndefined();
      expect(res.data).toMatchObject({
        alex: { __typename: 'Bio', format: 'bullets', categories_included: expect.arrayContaining(['career']) },
        student: { __typename: 'BioNotFound', code: 'BIO_NOT_FOUND', current_memory_count: 3 },
      });
    });

    it('stores and searches memories through the generated schema', async () => {
      const stored = await graphql({
        schema,
        source: `mutation {
          storeMemories(input: { user_id: "kim", agent_id: "mesh", thread_id: "t-1", source: "chat", messages: [{ role: user, content: "I love climbing in Yosemite with my brother." }] }) {
            __typename ... on StoreMemoriesResponse { memories_created memories { id memory type categories created_at } }
          }
        }`,
      });
      expect(stored.errors).toBeUndefined();
      expect(stored.data).toMatchObject({ storeMemories: { __typename: 'StoreMemoriesResponse', memories_created: 1 } });

      const found = await graphql({
        schema,
        source: `mutation {
          searchMemories(input: { user_id: "kim", query: "climbing Yosemite", rerank: true }) {
            __typename ... on SearchMemoriesResponse { user_bio memories { memory vector_distance rerank_score source updated_at agent_id thread_id } }
          }
        }`,
      });
      expect(found.errors).toBeUndefined();
      expect(found.data).toMatchObject({
        searchMemories: {
          __typename: 'SearchMemoriesResponse',
          user_bio: null,
          memories: [{ memory: 'User loves climbing in Yosemite with their brother.', source: 'chat', agent_id: 'mesh' }],
        },
      });
    });
  });
});
