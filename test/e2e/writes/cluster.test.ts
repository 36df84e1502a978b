/**
 * Scale-out on a Redis Cluster: a real cluster of three masters (started here, torn down after)
 * and two gateway instances on it (REDIS_CLUSTER_NODES). They share the read cache, poll each file
 * and each user's events from one instance, fan live updates out to each other through sharded
 * pub/sub, drop a forgotten user's live state on every master and end its subscribers on the other
 * instance, and draw on one rate-limit budget; every key of a user sits in one slot. A master
 * killed: reads keep answering from the upstreams (logged), and the cache works again once it is
 * back. Waits are on counters and events, never on time.
 */
import { print } from 'graphql';
import { Redis } from 'ioredis';
import { FormData, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRedisCluster, type LocalRedisCluster } from '../support/redis-cluster.js';
import { startWritesHarness, subscribe, SYNVO_KEY, textFile, type Instance, type WritesHarness } from './harness.js';
import { EventsSubscriptionDocument, FileStatusDocument, ProfileDocument, UploadDocument } from './operations.js';

const UPLOAD = print(UploadDocument);
const wait = { timeout: 30_000, interval: 50 };

let cluster: LocalRedisCluster;
let h: WritesHarness;
let a: Instance;
let b: Instance;
const logs: string[][] = [[], []];

beforeAll(async () => {
  cluster = await startRedisCluster();
  h = await startWritesHarness({
    instances: 2,
    redisCluster: cluster.seeds,
    // Processing slower than a poll interval, so a file is seen PENDING before COMPLETED.
    synvo: { processingDelayMs: 200 },
    env: { MEMGATE_EVENTS_POLL_MS: '40', MEMGATE_RATE_LIMIT_USER_PER_MINUTE: '4', LOG_LEVEL: 'warn' },
    logDestination: (i) => ({ write: (line: string) => void logs[i]!.push(line) }),
  });
  [a, b] = h.instances as [Instance, Instance];
}, 60_000);
afterAll(async () => {
  await h?.stop();
  await cluster?.stop();
});

/** Every key of this test run, by the master that holds it. */
async function keysByMaster(): Promise<string[][]> {
  return Promise.all(
    cluster.nodes.map(async ({ host, port }) => {
      const node = new Redis({ host, port, lazyConnect: true });
      try {
        await node.connect();
        return await node.keys(`${h.redisPrefix}*`);
      } finally {
        node.disconnect();
      }
    }),
  );
}

/** The masters holding keys of `user` (hash tag `{user}`). */
async function mastersOf(user: string): Promise<number[]> {
  const byMaster = await keysByMaster();
  return byMaster.flatMap((keys, i) => (keys.some((k) => k.includes(`{${user}}`)) ? [i] : []));
}

async function uploadToSynvo(user: string, name: string, text: string): Promise<void> {
  const form = new FormData();
  form.set('file', textFile(name, text));
  form.set('sub_user_name', user);
  const res = await request(`${h.synvo.url}/file/upload`, { method: 'POST', headers: { 'x-api-key': SYNVO_KEY }, body: form });
  expect(res.statusCode).toBe(200);
  await res.body.dump();
}

describe('two gateway instances on a Redis Cluster of three masters', () => {
  it('share the read cache: a read on A makes the same read on B a cache hit, and each user keeps all its keys on one master', async () => {
    for (const user of ['default', 'alex']) {
      await a.post(ProfileDocument, { user });
      const onB = await b.post(ProfileDocument, { user });
      expect(onB.json.errors).toBeUndefined();
      expect(onB.json.data.user.profile).not.toBeNull();
      expect(h.calls('synvo', 'profile', user)).toBe(1);
      expect(await mastersOf(user)).toHaveLength(1);
    }
  });

  it('deliver a file uploaded through A to fileStatus and events subscribers of B, each polled by one instance', async () => {
    const user = 'clusterfile';
    const ws = b.ws();
    const events = subscribe<{ events: { content: string } }>(ws, EventsSubscriptionDocument, { user }, 2);
    await events.started;
    // The events poller's baseline answered (the emulator counts a call before answering it).
    await vi.waitFor(() => expect(h.calls('synvo', 'events', user)).toBeGreaterThanOrEqual(2), wait);

    const res = await a.multipart({
      operations: { query: UPLOAD, variables: { file: null, user } },
      map: { '0': ['variables.file'] },
      files: { '0': textFile('move.txt', 'City: Lisbon\nI moved to Lisbon on 2025-07-01.\n') },
    });
    const id = res.json.data.uploadFile.id as string;
    const statuses = await subscribe<{ fileStatus: { id: string; status: string } }>(ws, FileStatusDocument, { id, user }).results;
    expect(statuses.every((r) => r.errors === undefined)).toBe(true);
    expect(statuses.at(-1)!.data!.fileStatus).toEqual({ id, name: 'move.txt', status: 'COMPLETED' });
    expect((await events.results).map((r) => r.data!.events.content).sort()).toEqual(['I moved to Lisbon on 2025-07-01.', 'User uploaded move.txt.']);

    const polls = () => [a.app.state.live.stats().polls, b.app.state.live.stats().polls] as const;
    await vi.waitFor(() => expect(polls()[0] + polls()[1]).toBe(h.calls('synvo', 'fileStatus', user)), wait);
    expect(Math.min(...polls())).toBe(0);
    expect(await mastersOf(user)).toHaveLength(1);
  });

  it("poll a user's events from one instance and send a file uploaded straight to Synvo to the subscribers of both", async () => {
    const user = 'clusterevents';
    // The pollers' counters are per instance, over every user: this user's share is what they gain from here.
    const [polledA, polledB] = [a.app.state.live.stats().eventPolls, b.app.state.live.stats().eventPolls];
    const onA = subscribe<{ events: { content: string } }>(a.ws(), EventsSubscriptionDocument, { user }, 2);
    const onB = subscribe<{ events: { content: string } }>(b.ws(), EventsSubscriptionDocument, { user }, 2);
    await Promise.all([onA.started, onB.started]);
    await vi.waitFor(() => expect(a.app.state.live.stats().activeEventUsers + b.app.state.live.stats().activeEventUsers).toBe(2), wait);
    const baseline = h.calls('synvo', 'events', user);
    await vi.waitFor(() => expect(h.calls('synvo', 'events', user)).toBeGreaterThanOrEqual(baseline + 2), wait);

    await uploadToSynvo(user, 'harbour.txt', 'I sailed to Porto on 2025-08-08.');
    const expected = ['I sailed to Porto on 2025-08-08.', 'User uploaded harbour.txt.'];
    expect((await onA.results).map((r) => r.data!.events.content).sort()).toEqual(expected);
    expect((await onB.results).map((r) => r.data!.events.content).sort()).toEqual(expected);

    // Both subscriptions are done: once the pollers stop, every poll they counted has reached Synvo.
    const polled = () => [a.app.state.live.stats().eventPolls - polledA, b.app.state.live.stats().eventPolls - polledB] as const;
    await vi.waitFor(() => expect(a.app.state.live.stats().activeEventUsers + b.app.state.live.stats().activeEventUsers).toBe(0), wait);
    await vi.waitFor(() => expect(polled()[0] + polled()[1]).toBe(h.calls('synvo', 'events', user)), wait);
    expect(Math.min(...polled())).toBe(0);
  });

  it("forget a user on A: the user's subscriber on B ends with USER_FORGOTTEN, and its live keys leave every master", async () => {
    const user = 'clusterforget';
    const ws = b.ws();
    const events = subscribe<{ events: { content: string } }>(ws, EventsSubscriptionDocument, { user });
    await events.started;
    const res = await a.multipart({
      operations: { query: UPLOAD, variables: { file: null, user } },
      map: { '0': ['variables.file'] },
      files: { '0': textFile('gone.txt', 'I will be forgotten.\n') },
    });
    const id = res.json.data.uploadFile.id as string;
    const statuses = await subscribe<{ fileStatus: { status: string } }>(ws, FileStatusDocument, { id, user }).results;
    expect(statuses.at(-1)!.data!.fileStatus.status).toBe('COMPLETED');
    const liveKeys = async () => (await keysByMaster()).flat().filter((k) => k.includes(':live:') && k.includes(`{${user}}`));
    // Statuses, the upload time, the announced events and the events watch of the user, on its master.
    await vi.waitFor(async () => expect((await liveKeys()).length).toBeGreaterThanOrEqual(3), wait);

    const forgot = await a.post(`mutation { forgetUser(user: "${user}", confirm: true) { complete } }`);
    expect(forgot.json.data.forgetUser).toEqual({ complete: true });
    const ended = await events.results;
    expect(ended.at(-1)!.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'USER_FORGOTTEN' });
    await vi.waitFor(() => expect(b.app.state.live.stats().activeEventUsers).toBe(0), wait);
    expect(await liveKeys()).toEqual([]);
  });

  it("draw on one rate-limit budget per user, kept in the slot of that user's other keys", async () => {
    const user = 'clusterlimited';
    const auth = { authorization: `Bearer ${await h.jwt(user)}` };
    const statuses: number[] = [];
    for (const gw of [a, b, a, b, a]) statuses.push((await gw.post(ProfileDocument, { user }, auth)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    expect(await mastersOf(user)).toHaveLength(1);
    const keys = (await keysByMaster()).flat();
    expect(keys.filter((k) => k.includes(`{${user}}`)).some((k) => k.includes('rl:user:'))).toBe(true);
  });

  it('keep answering reads when a master dies (logged, from the upstream) and cache them again once it is back', async () => {
    const user = 'default';
    const before = await a.post(ProfileDocument, { user });
    const [master] = await mastersOf(user);
    expect(master).toBeDefined();
    const callsBefore = h.calls('synvo', 'profile', user);

    await cluster.kill(master!);
    for (const gw of [a, b]) {
      const res = await gw.post(ProfileDocument, { user });
      expect(res.status).toBe(200);
      expect(res.json.errors).toBeUndefined();
      expect(res.json.data).toEqual(before.json.data);
    }
    // Degraded: every one of those reads went to Synvo, and the instances said why.
    expect(h.calls('synvo', 'profile', user)).toBe(callsBefore + 2);
    await vi.waitFor(() => expect(logs[0]!.some((l) => l.includes('"level":"warn"') && l.includes('"msg":"shared state error"'))).toBe(true), wait);

    await cluster.restart(master!);
    // Recovered: a read is cached again, so the next identical read makes no upstream call.
    await vi.waitFor(async () => {
      await a.post(ProfileDocument, { user });
      const calls = h.calls('synvo', 'profile', user);
      await b.post(ProfileDocument, { user });
      expect(h.calls('synvo', 'profile', user)).toBe(calls);
    }, { ...wait, interval: 200 });
    // Each read above waits out a 1 s Redis command timeout (twice while the master is away).
  }, 120_000);
});
