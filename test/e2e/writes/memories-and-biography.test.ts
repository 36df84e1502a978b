/**
 * storeMemories and refreshBiography through the gateway against the real MemSync emulator: what
 * is stored shows in memories and the biography at once (cached reads invalidated), and a refresh
 * inside MemSync's 10-minute cooldown is RATE_LIMITED with retryAfter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWritesHarness, type Instance, type WritesHarness } from './harness.js';
import { BiographyDocument, MemoriesDocument, RefreshBiographyDocument, StoreMemoriesDocument } from './operations.js';

const STORE = StoreMemoriesDocument;
const BIO = BiographyDocument;
const MEMORIES = MemoriesDocument;
const REFRESH = RefreshBiographyDocument;

const MESSAGES = [
  'I work as a senior software engineer at Initech, building payment systems for banks across Europe.',
  'I love playing jazz piano in small clubs around Lisbon on most Friday evenings with friends.',
  'I am learning Japanese with a private tutor twice a week because I plan to live in Kyoto.',
  'I run half marathons every spring and I train with my running club along the river each morning.',
  'I have been married to my partner Sam for six years and we have two curious cats at home.',
  'I am saving money every month for a small apartment near the sea, following a strict budget plan.',
].map((content) => ({ role: 'USER', content }));

let h: WritesHarness;
let gw: Instance;

beforeAll(async () => {
  h = await startWritesHarness();
  gw = h.instances[0]!;
});
afterAll(async () => {
  await h?.stop();
});

describe('storeMemories', () => {
  it('stores memories that the memory search and the biography reflect at once, invalidating their cached reads', async () => {
    const user = 'memory1';
    await h.connectMemSync(user);
    h.memsync.controls.resetCalls();
    const before = await gw.post(BIO, { user });
    expect(before.json.data.user.biography).toEqual({ __typename: 'BiographyNotReady', currentMemoryCount: 0 });
    expect((await gw.post(MEMORIES, { user, q: 'jazz piano' })).json.data.user.memories).toEqual([]);
    // Cached: asking again makes no upstream call.
    await gw.post(BIO, { user });
    await gw.post(MEMORIES, { user, q: 'jazz piano' });
    expect(h.calls('memsync', 'bio', user)).toBe(1);
    expect(h.calls('memsync', 'memoriesSearch', user)).toBe(1);

    const stored = await gw.post(STORE, { user, messages: MESSAGES });
    expect(stored.json.errors).toBeUndefined();
    expect(stored.json.data.storeMemories.count).toBeGreaterThanOrEqual(5);
    expect(stored.json.data.storeMemories.categories.length).toBeGreaterThanOrEqual(2);

    const memories = (await gw.post(MEMORIES, { user, q: 'jazz piano' })).json.data.user.memories as Array<{ text: string }>;
    expect(memories.some((m) => /jazz piano/i.test(m.text))).toBe(true);
    const bio = (await gw.post(BIO, { user })).json.data.user.biography;
    expect(bio.__typename).toBe('Biography');
    expect(bio.sourceMemories).toBeGreaterThanOrEqual(5);
    expect(h.calls('memsync', 'bio', user)).toBe(2);
    expect(h.calls('memsync', 'memoriesSearch', user)).toBe(2);
  });

  it('rejects an empty message list and an empty message without calling MemSync', async () => {
    const before = h.calls('memsync', 'memories');
    const none = await gw.post(STORE, { user: 'memory2', messages: [] });
    expect(none.json.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument: 'messages' } });
    const blank = await gw.post(STORE, { user: 'memory2', messages: [{ role: 'USER', content: '  ' }] });
    expect(blank.json.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument: 'messages[0].content' } });
    expect(h.calls('memsync', 'memories')).toBe(before);
  });

  it('lets a JWT caller store memories only as itself', async () => {
    const token = await h.jwt('memory3');
    await h.connectMemSync('memory3');
    const other = await gw.post(STORE, { user: 'alex', messages: MESSAGES.slice(0, 1) }, { authorization: `Bearer ${token}` });
    expect(other.json.errors[0].extensions.code).toBe('FORBIDDEN');
    const own = await gw.post(STORE, { messages: MESSAGES.slice(0, 1) }, { authorization: `Bearer ${token}` });
    expect(own.json.data.storeMemories.count).toBe(1);
    expect(h.calls('memsync', 'memories', 'alex')).toBe(0);
  });
});

describe('refreshBiography', () => {
  it('regenerates the biography, serves it from the cache afterwards, and is RATE_LIMITED with retryAfter inside the cooldown', async () => {
    const first = await gw.post(REFRESH, { user: 'alex' });
    expect(first.json.errors).toBeUndefined();
    expect(first.json.data.refreshBiography).toMatchObject({ __typename: 'Biography', format: 'SHORT' });
    const calls = h.calls('memsync', 'bio', 'alex');

    const read = await gw.post(BIO, { user: 'alex' });
    expect(read.json.data.user.biography.generatedAt).toBe(first.json.data.refreshBiography.generatedAt);
    expect(h.calls('memsync', 'bio', 'alex')).toBe(calls);

    const again = await gw.post(REFRESH, { user: 'alex' });
    expect(again.json.data).toBeNull();
    const [error] = again.json.errors;
    expect(error.extensions).toMatchObject({ code: 'RATE_LIMITED', service: 'memsync' });
    expect(error.extensions.retryAfter).toBeGreaterThan(500);
    expect(error.extensions.retryAfter).toBeLessThanOrEqual(600);
    expect(error.message).toMatch(/once every 10 minutes/);
    expect(again.text).not.toContain('sk-memsync');
  });

  it('answers BiographyNotReady for a user without enough memories', async () => {
    const res = await gw.post(REFRESH, { user: 'newcomer' });
    expect(res.json.data.refreshBiography.__typename).toBe('BiographyNotReady');
  });

  it('requires a service key to name the user', async () => {
    const res = await gw.post(REFRESH, {});
    expect(res.json.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'user' });
  });
});
