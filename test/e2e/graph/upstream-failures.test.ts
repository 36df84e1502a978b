import type { GraphQLFormattedError } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { FaultSpec } from '../../../emulators/core/types.js';
import { FullViewDocument } from './operations.js';
import { MEMSYNC_CANARY_KEY, SYNVO_CANARY_KEY, asService, errorAt, startGraphHarness, type GraphHarness } from './harness.js';

// One attempt per call keeps each failure quick and its code exact; the timeouts leave the healthy
// calls of a loaded machine ample time (the latency fault is three times the timeout, past undici's
// coarse timer); a high breaker minimum keeps one test's failures from opening the circuit for the next.
let h: GraphHarness;
beforeAll(async () => {
  h = await startGraphHarness({
    upstreamOptions: { maxAttempts: 1, headersTimeoutMs: 1_000, answerHeadersTimeoutMs: 1_000, bodyTimeoutMs: 1_000, breakerMinimumRps: 100_000 },
  });
});
afterAll(async () => {
  await h?.stop();
});
beforeEach(() => h.resetUpstreams());

type Field = 'profile' | 'events' | 'biography' | 'memories' | 'searchFiles' | 'file' | 'ask';
const endpoints: { field: Field; service: 'synvo' | 'memsync'; route: string }[] = [
  { field: 'profile', service: 'synvo', route: 'profile' },
  { field: 'events', service: 'synvo', route: 'events' },
  { field: 'biography', service: 'memsync', route: 'bio' },
  { field: 'memories', service: 'memsync', route: 'memoriesSearch' },
  { field: 'searchFiles', service: 'synvo', route: 'search' },
  { field: 'file', service: 'synvo', route: 'fileList' },
  { field: 'ask', service: 'synvo', route: 'query' },
];

interface Expectation {
  code: string;
  upstreamStatus: number | undefined;
  retryAfter?: number;
}
const faults: { name: string; fault: Omit<FaultSpec, 'route'>; expected: Expectation }[] = [
  { name: 'latency beyond the timeout', fault: { kind: 'latency', ms: 3_000 }, expected: { code: 'UPSTREAM_TIMEOUT', upstreamStatus: undefined } },
  { name: 'status 500', fault: { kind: 'status', status: 500, body: { error: 'boom' } }, expected: { code: 'UPSTREAM_UNAVAILABLE', upstreamStatus: 500 } },
  { name: 'rateLimit', fault: { kind: 'rateLimit', retryAfter: 30 }, expected: { code: 'RATE_LIMITED', upstreamStatus: 429, retryAfter: 30 } },
  // The clients do not attach the (200) status to a body that fails to parse, so none is reported.
  { name: 'malformed', fault: { kind: 'malformed' }, expected: { code: 'UPSTREAM_BAD_RESPONSE', upstreamStatus: undefined } },
  { name: 'reset', fault: { kind: 'reset' }, expected: { code: 'UPSTREAM_UNAVAILABLE', upstreamStatus: undefined } },
  { name: 'truncate', fault: { kind: 'truncate' }, expected: { code: 'UPSTREAM_UNAVAILABLE', upstreamStatus: undefined } },
];

const cases = endpoints.flatMap((e) => faults.map((f) => ({ ...e, ...f })));

function expectUpstreamError(error: GraphQLFormattedError | undefined, service: string, expected: Expectation) {
  expect(error).toBeDefined();
  expect(error!.extensions).toMatchObject({ code: expected.code, service });
  expect(error!.extensions?.['upstreamStatus']).toBe(expected.upstreamStatus);
  if (expected.retryAfter !== undefined) expect(error!.extensions?.['retryAfter']).toBe(expected.retryAfter);
  expect(error!.message).not.toMatch(/127\.0\.0\.1|http:\/\//);
  expect(error!.extensions).not.toHaveProperty('stacktrace');
}

describe('one upstream endpoint failing', () => {
  test.each(cases)('$field ($service $route) with $name: that field is null with $expected.code, the rest resolves', async ({ field, service, route, fault, expected }) => {
    const emulator = service === 'synvo' ? h.synvo : h.memsync;
    emulator.controls.addFault({ route, ...fault } as FaultSpec);
    const res = await h.execute(FullViewDocument, { name: 'default' });
    expect(res.status).toBe(200);
    const user = res.data!.user as Record<string, unknown>;
    expect(user['name']).toBe('default');
    expect(user[field]).toBeNull();
    expect(res.errors).toHaveLength(1);
    expectUpstreamError(errorAt(res.errors, ['user', field]), service, expected);
    for (const other of endpoints.filter((e) => e.field !== field)) expect(user[other.field], other.field).not.toBeNull();
    expect(res.text).not.toContain(SYNVO_CANARY_KEY);
    expect(res.text).not.toContain(MEMSYNC_CANARY_KEY);
  });
});

// The files and memory-management reads, each asked alone beside `name` (the listing `file(id)` reads
// is the one `files` reads, so they cannot share the full view's one-failure-per-field check).
const readFields: { field: string; service: 'synvo' | 'memsync'; route: string; selection: string; path: string[] }[] = [
  { field: 'files', service: 'synvo', route: 'fileList', selection: 'files { name }', path: ['user', 'files'] },
  { field: 'downloadUrl', service: 'synvo', route: 'download', selection: 'file(id: "f_default_wellfest") { name downloadUrl }', path: ['user', 'file', 'downloadUrl'] },
  { field: 'thumbnail', service: 'synvo', route: 'thumbnail', selection: 'file(id: "f_default_campus_photo") { name thumbnail }', path: ['user', 'file', 'thumbnail'] },
  { field: 'memoryProfile', service: 'memsync', route: 'profile', selection: 'memoryProfile { lastUpdated }', path: ['user', 'memoryProfile'] },
  { field: 'memoryList', service: 'memsync', route: 'memoriesList', selection: 'memoryList { total }', path: ['user', 'memoryList'] },
];
const readCases = readFields.flatMap((e) => faults.map((f) => ({ ...e, ...f })));

describe('one files or memory-management read failing', () => {
  test.each(readCases)('$field ($service $route) with $name: null with $expected.code, one call, the rest resolves', async ({ service, route, selection, path, fault, expected }) => {
    const emulator = service === 'synvo' ? h.synvo : h.memsync;
    emulator.controls.addFault({ route, ...fault } as FaultSpec);
    const res = await h.post({ query: `{ user(name: "default") { name ${selection} } }` }, asService);
    expect(res.status).toBe(200);
    expect(res.json.data.user.name).toBe('default');
    expect(path.reduce((value, key) => value?.[key], res.json.data)).toBeNull();
    expect(res.json.errors).toHaveLength(1);
    expectUpstreamError(errorAt(res.json.errors, path), service, expected);
    expect(emulator.controls.calls().routes[route]?.total).toBe(1);
    expect(res.text).not.toContain(SYNVO_CANARY_KEY);
    expect(res.text).not.toContain(MEMSYNC_CANARY_KEY);
  });
});

describe('a whole upstream failing', () => {
  test('MemSync down leaves every Synvo field resolved', async () => {
    h.memsync.controls.addFault({ route: '*', kind: 'status', status: 503, body: { detail: 'maintenance' } });
    const res = await h.execute(FullViewDocument, { name: 'default' });
    const user = res.data!.user;
    expect(user.biography).toBeNull();
    expect(user.memories).toBeNull();
    expect(user.profile).not.toBeNull();
    expect(user.events).not.toBeNull();
    expect(user.searchFiles).not.toBeNull();
    expect(res.errors?.map((e) => [e.path?.join('.'), e.extensions?.['code'], e.extensions?.['service'], e.extensions?.['upstreamStatus']]).sort()).toEqual([
      ['user.biography', 'UPSTREAM_UNAVAILABLE', 'memsync', 503],
      ['user.memories', 'UPSTREAM_UNAVAILABLE', 'memsync', 503],
    ]);
  });

  test('an upstream that rejects the gateway key is UPSTREAM_REJECTED and never shows the key', async () => {
    h.synvo.controls.addFault({ route: 'profile', kind: 'status', status: 401, body: { error: 'Unauthorized', detail: `bad key ${SYNVO_CANARY_KEY}` } });
    const res = await h.execute(FullViewDocument, { name: 'default' });
    expect(res.data!.user.profile).toBeNull();
    expect(errorAt(res.errors, ['user', 'profile'])?.extensions).toMatchObject({ code: 'UPSTREAM_REJECTED', service: 'synvo', upstreamStatus: 401 });
    expect(res.text).not.toContain(SYNVO_CANARY_KEY);
  });
});
