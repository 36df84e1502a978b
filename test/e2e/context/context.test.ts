/**
 * `User.context` end to end: a real gateway on real emulators; call counts from the emulators'
 * counters, the budget checked with the tokenizer's own count.
 */
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { asService, callsOf, errorAt, startGraphHarness, type GraphHarness } from '../graph/harness.js';

const CONTEXT = /* GraphQL */ `
  query Context($user: String!, $query: String!, $maxTokens: Int) {
    user(name: $user) {
      context(query: $query, maxTokens: $maxTokens) {
        text tokens maxTokens omitted complete
        items { kind service sourceId text score relevance time duplicates { kind service sourceId } }
        sources { kind service status found }
      }
    }
  }
`;

interface Item {
  kind: string;
  service: string;
  sourceId: string;
  text: string;
  score: number;
  relevance: number;
  duplicates: Array<{ kind: string; service: string; sourceId: string }>;
}
interface UserContext {
  text: string;
  tokens: number;
  maxTokens: number;
  omitted: number;
  complete: boolean;
  items: Item[];
  sources: Array<{ kind: string; service: string; status: string; found: number } | null>;
}

let h: GraphHarness;
beforeAll(async () => {
  h = await startGraphHarness({ upstreamOptions: { maxAttempts: 1, breakerMinimumRps: 100_000 } });
});
afterAll(async () => {
  await h?.stop();
});
beforeEach(() => h.resetUpstreams());

async function context(user: string, query: string, maxTokens?: number, headers: Record<string, string> = asService) {
  const res = await h.post({ query: CONTEXT, variables: { user, query, maxTokens } }, headers);
  return { ...res, context: res.json?.data?.user?.context as UserContext | null };
}

describe.each([
  { user: 'default', query: 'neural networks lecture' },
  { user: 'alex', query: 'hiking trails in the Bay Area' },
])('context for $user', ({ user, query }) => {
  test('holds items from both upstreams, within the budget by the tokenizer, each upstream read called once', async () => {
    const { context: c, json } = await context(user, query, 600);
    expect(json.errors).toBeUndefined();
    expect(c).not.toBeNull();
    expect(c!.complete).toBe(true);
    expect(new Set(c!.items.map((i) => i.service))).toEqual(new Set(['SYNVO', 'MEMSYNC']));
    expect(c!.tokens).toBe(countTokens(c!.text));
    expect(c!.tokens).toBeLessThanOrEqual(600);
    expect(c!.maxTokens).toBe(600);
    // The text is the items, one line each, in rank order.
    expect(c!.text.split('\n')).toHaveLength(c!.items.length);
    c!.items.forEach((item, i) => expect(c!.text.split('\n')[i]).toContain(item.text.replace(/\s+/g, ' ').trim()));
    const scores = c!.items.map((i) => i.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    // One round: each read once, nothing else.
    expect(callsOf(h.synvo)).toEqual({ profile: 1, events: 1, search: 1 });
    expect(callsOf(h.memsync)).toEqual({ memoriesSearch: 1, bio: 1 });
  });
});

test('an item relevant to the query outranks an unrelated one', async () => {
  const { context: c } = await context('alex', 'hiking trails', 1500);
  const hiking = c!.items.find((i) => i.kind === 'MEMORY' && /hiking/i.test(i.text));
  const unrelated = c!.items.find((i) => i.kind === 'PROFILE' && /title/.test(i.sourceId));
  expect(hiking).toBeDefined();
  expect(unrelated).toBeDefined();
  expect(hiking!.relevance).toBeGreaterThan(unrelated!.relevance);
  expect(c!.items.indexOf(hiking!)).toBeLessThan(c!.items.indexOf(unrelated!));
});

test('the same fact from both upstreams appears once, with the other source listed as a duplicate', async () => {
  const { context: c } = await context('default', 'WellFest colleagues self-care', 1500);
  const encouraged = c!.items.filter((i) => /encouraged colleagues/i.test(i.text));
  expect(encouraged).toHaveLength(1);
  const services = [encouraged[0]!.service, ...encouraged[0]!.duplicates.map((d) => d.service)];
  expect(new Set(services)).toEqual(new Set(['SYNVO', 'MEMSYNC']));
});

test("default's biography is not ready: a state of its source, not an error", async () => {
  const { context: c, json } = await context('default', 'study');
  expect(json.errors).toBeUndefined();
  expect(c!.sources[3]).toEqual({ kind: 'BIOGRAPHY', service: 'MEMSYNC', status: 'NOT_READY', found: 0 });
  expect(c!.complete).toBe(true);
});

test('a user nobody knows anything about gets an empty, complete context', async () => {
  const { context: c, json } = await context('newcomer', 'anything at all');
  expect(json.errors).toBeUndefined();
  expect(c).toMatchObject({ text: '', tokens: 0, items: [], omitted: 0, complete: true });
  expect(c!.sources.map((s) => s!.found)).toEqual([0, 0, 0, 0, 0]);
});

test("a user whose MemSync account is not connected: Synvo's part, MemSync's sources NOT_CONNECTED, no MemSync call", async () => {
  const disconnect = await h.post({ query: 'mutation { disconnectMemSync(user: "alex") { connected } }' }, asService);
  expect(disconnect.json.data.disconnectMemSync.connected).toBe(false);
  try {
    h.resetUpstreams();
    const { context: c, json } = await context('alex', 'hiking trails');
    expect(json.errors).toBeUndefined();
    expect(c!.complete).toBe(true);
    expect(c!.sources.map((s) => s!.status)).toEqual(['OK', 'OK', 'NOT_CONNECTED', 'NOT_CONNECTED', 'OK']);
    expect(c!.items.length).toBeGreaterThan(0);
    expect(c!.items.every((i) => i.service === 'SYNVO')).toBe(true);
    expect(callsOf(h.memsync)).toEqual({});
  } finally {
    const reconnect = await h.post({ query: 'mutation { connectMemSync(apiKey: "memsync-key-alex", user: "alex") { connected } }' }, asService);
    expect(reconnect.json.data.connectMemSync.connected).toBe(true);
  }
});

test('a small budget keeps the best items and counts the rest as omitted', async () => {
  const full = (await context('alex', 'machine learning in Python', 32_000)).context!;
  const small = (await context('alex', 'machine learning in Python', 40)).context!;
  expect(small.tokens).toBeLessThanOrEqual(40);
  expect(small.tokens).toBe(countTokens(small.text));
  expect(small.items.length).toBeGreaterThan(0);
  expect(small.items.length + small.omitted).toBe(full.items.length + full.omitted);
  expect(full.items.slice(0, small.items.length).map((i) => i.sourceId)).toContain(small.items[0]!.sourceId);
});

test('with MemSync down: a partial context from Synvo, and typed errors at the MemSync sources', async () => {
  h.memsync.controls.addFault({ route: '*', kind: 'status', status: 503, body: { error: 'down' } });
  const { context: c, json, text } = await context('alex', 'hiking trails');
  expect(c).not.toBeNull();
  expect(c!.complete).toBe(false);
  expect(c!.items.length).toBeGreaterThan(0);
  expect(c!.items.every((i) => i.service === 'SYNVO')).toBe(true);
  expect(c!.sources.map((s) => s?.status ?? null)).toEqual(['OK', 'OK', null, null, 'OK']);
  for (const index of [2, 3]) {
    const error = errorAt(json.errors, ['user', 'context', 'sources', index]);
    expect(error?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', service: 'memsync', upstreamStatus: 503 });
  }
  expect(json.errors).toHaveLength(2);
  expect(text).not.toMatch(/127\.0\.0\.1|CANARY/);
});

test.each([
  { variables: { query: '   ' }, argument: 'query' },
  { variables: { query: 'x', maxTokens: 0 }, argument: 'maxTokens' },
  { variables: { query: 'x', maxTokens: 32_001 }, argument: 'maxTokens' },
  { variables: { query: 'x'.repeat(2001) }, argument: 'query' },
])('a bad $argument is BAD_USER_INPUT naming it, and nothing reaches an upstream', async ({ variables, argument }) => {
  const { json } = await h.post({ query: CONTEXT, variables: { user: 'alex', ...variables } }, asService);
  expect(json.data.user.context).toBeNull();
  expect(json.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
  expect(callsOf(h.synvo)).toEqual({});
  expect(callsOf(h.memsync)).toEqual({});
});

test('a JWT caller gets its own context, and FORBIDDEN for another user', async () => {
  const token = await h.jwt('alex');
  const own = await context('alex', 'hiking', 300, { authorization: `Bearer ${token}` });
  expect(own.context!.items.length).toBeGreaterThan(0);
  const other = await context('default', 'hiking', 300, { authorization: `Bearer ${token}` });
  expect(other.json.errors[0].extensions.code).toBe('FORBIDDEN');
  expect(callsOf(h.synvo).profile).toBe(1);
});

describe('with the read cache on', () => {
  let cached: GraphHarness;
  beforeAll(async () => {
    cached = await startGraphHarness({ env: { MEMGATE_CACHE_TTL_SECONDS: '30' } });
  });
  afterAll(async () => {
    await cached?.stop();
  });

  test('a second context for the same user and query within the TTL calls no upstream', async () => {
    const body = { query: CONTEXT, variables: { user: 'alex', query: 'hiking' } };
    const first = await cached.post(body, asService);
    const second = await cached.post(body, asService);
    expect(second.json.data.user.context.text).toBe(first.json.data.user.context.text);
    expect(callsOf(cached.synvo)).toEqual({ profile: 1, events: 1, search: 1 });
    expect(callsOf(cached.memsync)).toEqual({ memoriesSearch: 1, bio: 1 });
  });
});
