/**
 * Two gateway instances on the machine's Redis (their own key prefix): they share the read cache,
 * and a file uploaded through instance A produces fileStatus and events on a subscriber of
 * instance B while Synvo is polled by one instance only.
 */
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startWritesHarness, subscribe, textFile, type Instance, type WritesHarness } from './harness.js';
import { BiographyDocument, EventsSubscriptionDocument, FileStatusDocument, ProfileDocument, StoreMemoriesDocument, UploadDocument } from './operations.js';

const UPLOAD = print(UploadDocument);

let h: WritesHarness;
let a: Instance;
let b: Instance;

beforeAll(async () => {
  // Processing slower than a poll interval, so the file is seen PENDING before COMPLETED.
  h = await startWritesHarness({ instances: 2, redis: true, synvo: { processingDelayMs: 200 } });
  [a, b] = h.instances as [Instance, Instance];
});
afterAll(async () => {
  await h?.stop();
});

describe('two gateway instances on one Redis', () => {
  it('share the read cache: a read on A makes the same read on B a cache hit, for that user only', async () => {
    await a.post(ProfileDocument, { user: 'default' });
    const onB = await b.post(ProfileDocument, { user: 'default' });
    expect(onB.json.data.user.profile).not.toBeNull();
    expect(h.calls('synvo', 'profile', 'default')).toBe(1);
    await b.post(ProfileDocument, { user: 'alex' });
    expect(h.calls('synvo', 'profile', 'alex')).toBe(1);
  });

  it('deliver a file uploaded through A to fileStatus and events subscribers of B, polled by one instance', async () => {
    const user = 'roamer';
    const before = await b.post(ProfileDocument, { user });
    expect(before.json.data.user.profile).toBeNull();

    const ws = b.ws();
    const events = subscribe<{ events: { content: string } }>(ws, EventsSubscriptionDocument, { user }, 2);
    await events.started;
    // The events poller's first call shows the subscription is in place on B.
    await vi.waitFor(() => expect(h.calls('synvo', 'events', user)).toBeGreaterThan(0));

    const res = await a.multipart({
      operations: { query: UPLOAD, variables: { file: null, user } },
      map: { '0': ['variables.file'] },
      files: { '0': textFile('move.txt', 'City: Osaka\nI moved to Osaka on 2025-06-01.\n') },
    });
    const id = res.json.data.uploadFile.id as string;
    const statuses = await subscribe<{ fileStatus: { id: string; name: string; status: string } }>(ws, FileStatusDocument, { id, user }).results;
    expect(statuses.every((r) => r.errors === undefined)).toBe(true);
    expect(statuses.at(-1)!.data!.fileStatus).toEqual({ id, name: 'move.txt', status: 'COMPLETED' });
    expect((await events.results).map((r) => r.data!.events.content).sort()).toEqual(['I moved to Osaka on 2025-06-01.', 'User uploaded move.txt.']);

    // One poller: every status poll Synvo saw came from one instance (the lease holder), none from the other.
    const polls = h.calls('synvo', 'fileStatus', user);
    const [byA, byB] = [a.app.state.live.stats().polls, b.app.state.live.stats().polls];
    expect(polls).toBeGreaterThan(0);
    expect(byA + byB).toBe(polls);
    expect(Math.min(byA, byB)).toBe(0);

    // A invalidated the shared cache: B's next read sees the file.
    const after = await b.post(ProfileDocument, { user });
    expect(after.json.data.user.profile).toEqual({ contactInfo: { city: 'Osaka' }, work: null });
    expect(h.calls('synvo', 'profile', user)).toBe(2);
  });

  it('invalidate across instances: memories stored through B refresh the biography cached by A', async () => {
    await a.post(BiographyDocument, { user: 'default' });
    await a.post(BiographyDocument, { user: 'default' });
    expect(h.calls('memsync', 'bio', 'default')).toBe(1);
    const stored = await b.post(StoreMemoriesDocument, {
      user: 'default',
      messages: [{ role: 'USER', content: 'I adopted a rescue dog called Miso last week and I walk her every morning.' }],
    });
    expect(stored.json.data.storeMemories.count).toBe(1);
    await a.post(BiographyDocument, { user: 'default' });
    expect(h.calls('memsync', 'bio', 'default')).toBe(2);
  });
});

describe('a gateway whose Redis is unreachable', () => {
  let down: WritesHarness;
  beforeAll(async () => {
    down = await startWritesHarness({ env: { REDIS_URL: 'redis://127.0.0.1:1', LOG_LEVEL: 'silent' } });
  });
  afterAll(async () => {
    await down?.stop();
  });

  it('still answers reads, from the upstream, as cache misses', async () => {
    const gw = down.instances[0]!;
    const first = await gw.post(ProfileDocument, { user: 'default' });
    const second = await gw.post(ProfileDocument, { user: 'default' });
    expect(first.json.errors).toBeUndefined();
    expect(second.json.data).toEqual(first.json.data);
    expect(down.calls('synvo', 'profile', 'default')).toBe(2);
  });
});
