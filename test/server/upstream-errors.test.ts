import { GraphQLError } from 'graphql';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { InputError } from '../../src/memory/index.js';
import { isCallerError } from '../../src/server/upstream-errors.js';
import { UpstreamError } from '../../src/upstream/index.js';
import type { MemSyncClient, SynvoClient } from '../../src/upstream/types.js';

// yoga.fetch without a socket; the clients are stand-ins that fail the way the real ones do.
const SECRET = 'sk-live-SECRET-upstream-key';
let failure: () => unknown = () => new Error('nothing');

const synvo = {
  service: 'synvo',
  getProfile: async () => {
    throw failure();
  },
  getEvents: async () => [],
  ask: async () => {
    throw new UpstreamError('synvo ask: 400 CONTEXT_TOO_LONG', { code: 'CONTEXT_TOO_LONG', service: 'synvo', endpoint: 'query', status: 400, upstreamCode: 'CONTEXT_TOO_LONG' });
  },
  close: async () => {},
} as unknown as SynvoClient;
const memsync = {
  service: 'memsync',
  getBio: async () => {
    throw new UpstreamError('bio', { code: 'NOT_FOUND', service: 'memsync', endpoint: 'bio', status: 404, upstreamCode: 'BIO_NOT_FOUND', details: { suggestion: 'Store 2 more', currentMemoryCount: 3 } });
  },
  close: async () => {},
} as unknown as MemSyncClient;

function appFor(nodeEnv: string): Promise<App> {
  const config = loadConfig({
    NODE_ENV: nodeEnv,
    LOG_LEVEL: 'silent',
    SYNVO_BASE_URL: 'http://127.0.0.1:9',
    SYNVO_API_KEY: SECRET,
    MEMSYNC_BASE_URL: 'http://127.0.0.1:9',
    MEMSYNC_API_KEY: SECRET,
    // The stand-in clients need no keyring: the operator's key scopes by user here.
    MEMSYNC_SCOPING: 'user-param',
    MEMGATE_SERVICE_KEYS: 'unit-service-key',
    MEMGATE_CACHE_TTL_SECONDS: '0',
  });
  return createApp(config, { clients: { synvo, memsync } });
}

let prod: App;
let dev: App;
beforeAll(async () => {
  [prod, dev] = await Promise.all([appFor('production'), appFor('development')]);
});
afterAll(async () => {
  await Promise.all([prod?.stop(), dev?.stop()]);
});

async function run(app: App, query: string) {
  const res = await app.yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'unit-service-key' },
    body: JSON.stringify({ query }),
  });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text) as { data?: any; errors?: any[] } };
}

describe('error mapping', () => {
  test('an unexpected error is masked as INTERNAL_SERVER_ERROR with no message, cause or stack in production', async () => {
    failure = () => new Error(`database password=hunter2 ${SECRET}`);
    const { json, text } = await run(prod, '{ user(name: "alex") { name profile { attributes { category } } } }');
    expect(json.data.user).toEqual({ name: 'alex', profile: null });
    expect(json.errors).toHaveLength(1);
    expect(json.errors![0].extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(text).not.toMatch(/hunter2|SECRET|stack|at .*\.ts/);
  });

  test('an upstream error keeps its code and service and gets a message of our own', async () => {
    failure = () =>
      new UpstreamError(`synvo profile: upstream answered 503: key ${SECRET}`, { code: 'UPSTREAM_UNAVAILABLE', service: 'synvo', endpoint: 'profile', status: 503 });
    const { json, text } = await run(prod, '{ user(name: "alex") { profile { attributes { category } } } }');
    expect(json.errors![0]).toMatchObject({
      message: 'Synvo (profile) is unavailable',
      path: ['user', 'profile'],
      extensions: { code: 'UPSTREAM_UNAVAILABLE', service: 'synvo', upstreamStatus: 503 },
    });
    expect(text).not.toContain(SECRET);
  });

  test('a rate limit carries retryAfter', async () => {
    failure = () => new UpstreamError('429', { code: 'RATE_LIMITED', service: 'synvo', endpoint: 'profile', status: 429, retryAfter: 12 });
    const { json } = await run(prod, '{ user(name: "alex") { profile { attributes { category } } } }');
    expect(json.errors![0].extensions).toEqual({ code: 'RATE_LIMITED', service: 'synvo', upstreamStatus: 429, retryAfter: 12 });
  });

  test('a cancelled call is reported as UPSTREAM_UNAVAILABLE, not as an internal error', async () => {
    failure = () => new UpstreamError('aborted', { code: 'ABORTED', service: 'synvo', endpoint: 'profile' });
    const { json } = await run(prod, '{ user(name: "alex") { profile { attributes { category } } } }');
    expect(json.errors![0].extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE', service: 'synvo' });
  });

  test('CONTEXT_TOO_LONG from Synvo keeps its code', async () => {
    const { json } = await run(prod, '{ user(name: "alex") { ask(question: "a very long question") { text } } }');
    expect(json.errors![0].extensions).toMatchObject({ code: 'CONTEXT_TOO_LONG', service: 'synvo', upstreamStatus: 400 });
  });

  test('BIO_NOT_FOUND is the BiographyNotReady type, not an error', async () => {
    const { json } = await run(prod, '{ user(name: "alex") { biography { __typename ... on BiographyNotReady { suggestion currentMemoryCount } } } }');
    expect(json.errors).toBeUndefined();
    expect(json.data.user.biography).toEqual({ __typename: 'BiographyNotReady', suggestion: 'Store 2 more', currentMemoryCount: 3 });
  });

  test('in development an unexpected error shows its original message to help debugging', async () => {
    failure = () => new Error('the real reason');
    const { json } = await run(dev, '{ user(name: "alex") { profile { attributes { category } } } }');
    expect(json.errors![0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
    expect(JSON.stringify(json.errors![0].extensions)).toContain('the real reason');
  });
});

describe('what counts as the caller\'s own mistake (logged at info, not error)', () => {
  const located = (original: Error) => new GraphQLError(original.message, { originalError: original, path: ['user', 'memories'] });

  test('an argument the domain refuses, thrown as it is or located by graphql-js', () => {
    const refused = new InputError('limit', 'must be from 1 to 100');
    expect(isCallerError(refused)).toBe(true);
    expect(isCallerError(located(refused))).toBe(true);
    expect(isCallerError(located(new InputError('fileIds', 'must be files of the user', 'FORBIDDEN')))).toBe(true);
  });

  test('an error graphql-js raised about the request itself, such as a variable of the wrong type', () => {
    expect(isCallerError(new GraphQLError('Variable "$n" got invalid value 7; String cannot represent a non string value: 7'))).toBe(true);
  });

  test('not a bug in a resolver, nor an upstream failure', () => {
    expect(isCallerError(new TypeError('cannot read properties of undefined'))).toBe(false);
    expect(isCallerError(located(new TypeError('cannot read properties of undefined')))).toBe(false);
    expect(isCallerError(located(new UpstreamError('synvo profile: 503', { code: 'UPSTREAM_UNAVAILABLE', service: 'synvo', endpoint: 'profile', status: 503 })))).toBe(false);
  });
});
