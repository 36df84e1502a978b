/**
 * forgetUser drops the user's live state on every gateway instance: the user's open subscriptions
 * (file statuses, events, an answer being streamed) end with FORBIDDEN / USER_FORGOTTEN, pollers
 * stop, the live keys in Redis go, and cached reads go upstream again; another user's
 * subscriptions and cached reads are untouched. Two instances on the machine's Redis, and one
 * instance with no Redis.
 */
import { Redis } from 'ioredis';
import type { Client as WsClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ASK_SUBSCRIPTION } from '../streaming/harness.js';
import { REDIS_URL, startWritesHarness, textFile, type Instance, type Operation, type WritesHarness } from './harness.js';
import { EventsSubscriptionDocument, FileStatusDocument, ProfileDocument, UploadDocument } from './operations.js';
import { print } from 'graphql';

const FORGET = 'mutation($user: String) { forgetUser(user: $user, confirm: true) { user complete } }';
const wait = { timeout: 10_000, interval: 10 };

interface Followed {
  results: Array<{ data?: unknown; errors?: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }> }>;
  /** Resolves when the subscription completes (or fails at the protocol level). */
  ended: Promise<void>;
  isEnded(): boolean;
}

/** Follows a subscription, keeping every result, without ending it. */
function follow(client: WsClient, query: Operation, variables: Record<string, unknown>): Followed {
  const results: Followed['results'] = [];
  let done = false;
  const ended = (async () => {
    try {
      for await (const result of client.iterate({ query: typeof query === 'string' ? query : print(query), variables })) {
        results.push(result as Followed['results'][number]);
      }
    } catch (error) {
      results.push({ errors: [{ message: String((error as Error).message ?? error) }] });
    } finally {
      done = true;
    }
  })();
  return { results, ended, isEnded: () => done };
}

const forgottenError = (user: string) => ({
  message: `The user "${user}" was forgotten (forgetUser): this subscription has ended`,
  extensions: { code: 'FORBIDDEN', reason: 'USER_FORGOTTEN', user },
});

/** The subscription's last result holds the USER_FORGOTTEN error and no data. */
function expectForgotten(followed: Followed, user: string): void {
  const last = followed.results.at(-1);
  expect(last?.errors).toEqual([expect.objectContaining(forgottenError(user))]);
  expect(last?.data ?? null).toBeNull();
}

/** Uploads a one-line text file for `user` through `gw`; returns its id. */
async function upload(gw: Instance, user: string, name: string): Promise<string> {
  const res = await gw.multipart({
    operations: { query: print(UploadDocument), variables: { file: null, user } },
    map: { '0': ['variables.file'] },
    files: { '0': textFile(name, `Notes of ${user}.\n`) },
  });
  return res.json.data.uploadFile.id as string;
}

describe('forgetUser across two gateway instances on one Redis', () => {
  let h: WritesHarness;
  let a: Instance;
  let b: Instance;
  beforeAll(async () => {
    // Files stay PENDING for the whole test: their status subscriptions stay open until something ends them.
    h = await startWritesHarness({ instances: 2, redis: true, synvo: { processingDelayMs: 600_000 } });
    [a, b] = h.instances as [Instance, Instance];
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("ends the user's subscriptions on the other instance, drops its live keys and cached reads, and leaves other users alone", async () => {
    const [forgotten, kept] = ['alex', 'default'];
    // Cached reads of both users, made through B.
    for (const user of [forgotten, kept]) await b.post(ProfileDocument, { user });
    expect([h.calls('synvo', 'profile', forgotten), h.calls('synvo', 'profile', kept)]).toEqual([1, 1]);

    const [forgottenFile, keptFile] = [await upload(a, forgotten, 'gone.txt'), await upload(a, kept, 'stays.txt')];
    // An answer that stops after its first token and stays open.
    h.synvo.controls.addFault({ route: 'query', kind: 'stall', afterTokens: 1 });
    const ws = b.ws();
    const mine = {
      status: follow(ws, FileStatusDocument, { id: forgottenFile, user: forgotten }),
      events: follow(ws, EventsSubscriptionDocument, { user: forgotten }),
      ask: follow(ws, ASK_SUBSCRIPTION, { question: 'Where do I work?', user: forgotten }),
    };
    const theirs = {
      status: follow(ws, FileStatusDocument, { id: keptFile, user: kept }),
      events: follow(ws, EventsSubscriptionDocument, { user: kept }),
    };
    // In place on B: the statuses and the first token arrived, both users' events are polled.
    await vi.waitFor(() => {
      expect([mine.status, mine.ask, theirs.status].map((s) => s.results.length)).toEqual([1, 1, 1]);
      expect(b.app.state.live.stats()).toMatchObject({ openStreams: 5, activeFiles: 2, activeEventUsers: 2 });
      expect(h.calls('synvo', 'events', forgotten)).toBeGreaterThan(0);
      expect(h.calls('synvo', 'events', kept)).toBeGreaterThan(0);
    }, wait);
    const redis = new Redis(REDIS_URL);
    const liveKeys = async (user: string) => (await redis.keys(`${h.redisPrefix}live:*{${user}}*`)).sort();
    expect((await liveKeys(forgotten)).length).toBeGreaterThan(0);

    const res = await a.post(FORGET, { user: forgotten });
    expect(res.json.data.forgetUser).toEqual({ user: forgotten, complete: true });

    // Each of the user's subscriptions on B ends with one last result naming why, then completes.
    await Promise.all(Object.values(mine).map((s) => s.ended));
    for (const s of Object.values(mine)) expectForgotten(s, forgotten);
    // B stopped following the user: one file and one user's events left, the stalled answer's upstream stream closed.
    await vi.waitFor(() => {
      expect(b.app.state.live.stats()).toMatchObject({ openStreams: 2, activeFiles: 1, activeEventUsers: 1 });
      expect(h.synvo.controls.calls().openStreams).toBe(0);
    }, wait);
    expect(await liveKeys(forgotten)).toEqual([]);
    expect((await liveKeys(kept)).length).toBeGreaterThan(0);

    // The other user's subscriptions are open and still polled.
    expect([theirs.status.isEnded(), theirs.events.isEnded()]).toEqual([false, false]);
    expect(theirs.status.results.every((r) => r.errors === undefined)).toBe(true);
    const polls = h.calls('synvo', 'fileStatus', kept);
    await vi.waitFor(() => expect(h.calls('synvo', 'fileStatus', kept)).toBeGreaterThan(polls), wait);

    // Cached reads: the forgotten user's next read on B goes upstream, the other user's is still a hit.
    for (const user of [forgotten, kept]) await b.post(ProfileDocument, { user });
    expect([h.calls('synvo', 'profile', forgotten), h.calls('synvo', 'profile', kept)]).toEqual([2, 1]);
    await redis.quit();
  });
});

describe('forgetUser on a single instance without Redis', () => {
  let h: WritesHarness;
  let gw: Instance;
  beforeAll(async () => {
    h = await startWritesHarness({ synvo: { processingDelayMs: 600_000 } });
    gw = h.instances[0]!;
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("ends the user's subscriptions and stops its pollers, and its next read goes upstream", async () => {
    const user = 'alex';
    await gw.post(ProfileDocument, { user });
    await gw.post(ProfileDocument, { user: 'default' });
    const file = await upload(gw, user, 'gone.txt');
    const ws = gw.ws();
    const status = follow(ws, FileStatusDocument, { id: file, user });
    const events = follow(ws, EventsSubscriptionDocument, { user });
    const kept = follow(ws, EventsSubscriptionDocument, { user: 'default' });
    await vi.waitFor(() => {
      expect(status.results).toHaveLength(1);
      expect(gw.app.state.live.stats()).toMatchObject({ openStreams: 3, activeFiles: 1, activeEventUsers: 2 });
    }, wait);

    const res = await gw.post(FORGET, { user });
    expect(res.json.data.forgetUser).toEqual({ user, complete: true });
    await Promise.all([status.ended, events.ended]);
    expectForgotten(status, user);
    expectForgotten(events, user);
    expect(events.results).toHaveLength(1);
    expect(kept.isEnded()).toBe(false);
    await vi.waitFor(() => expect(gw.app.state.live.stats()).toMatchObject({ openStreams: 1, activeFiles: 0, activeEventUsers: 1 }), wait);

    await gw.post(ProfileDocument, { user });
    await gw.post(ProfileDocument, { user: 'default' });
    expect([h.calls('synvo', 'profile', user), h.calls('synvo', 'profile', 'default')]).toEqual([2, 1]);
  });
});
