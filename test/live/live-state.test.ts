/**
 * Forgetting a user in the live state, in memory and in Redis alike: every lease, status, upload
 * time, announced event and events watch of that user goes, and nothing of a user whose name only
 * starts the same way; and with the shared state away, the user's streams still end.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryPubSub } from '../../src/live/live-pubsub.js';
import { createMemoryLiveState, type LiveState } from '../../src/live/live-state.js';
import { createLiveUpdates } from '../../src/live/live-updates.js';
import { createRedisLiveState } from '../../src/live/redis-live-state.js';
import type { SynvoClient } from '../../src/upstream/types.js';
import { TEST_REDIS_URL } from '../support/redis.js';

const redis = new Redis(TEST_REDIS_URL);
const prefix = `memgate-test:${randomUUID()}:`;
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

/** Gives `user` one of everything the live state holds. */
async function fill(state: LiveState, user: string): Promise<void> {
  await state.holdLease(`${user}/f1`, 60_000);
  await state.holdLease(`events:${user}`, 60_000);
  await state.setStatus(`${user}/f1`, { fileId: 'f1', status: 'PENDING' }, 60_000);
  await state.setUploadTime(`${user}/f1`, 1_700_000_000_000, 60_000);
  await state.markAnnounced(user, ['e1'], 60_000);
  await state.startEventsWatch(user, 60_000);
}

/** What the live state still holds of `user`. */
async function held(state: LiveState, user: string) {
  return {
    status: await state.getStatus(`${user}/f1`),
    upload: await state.getUploadTime(`${user}/f1`),
    announcedAgain: (await state.markAnnounced(user, ['e1'], 60_000))[0],
    watched: await state.renewEventsWatch(user, 60_000, 60_000),
  };
}

/** The Redis keys of `user` under the test's prefix (leases included). */
const redisKeysOf = async (user: string) => (await redis.keys(`${prefix}*`)).filter((k) => k.includes(`{${user}}`)).length;

describe.each([
  ['in memory', () => createMemoryLiveState(), async () => 0],
  ['in Redis', () => createRedisLiveState(redis, { prefix }), redisKeysOf],
])('forgetting a user in the live state %s', (_where, make, keysOf) => {
  it("drops every live key of the user and none of another's", async () => {
    const state = make();
    for (const user of ['al', 'alex']) await fill(state, user);
    await state.forgetUser('al');
    expect(await keysOf('al')).toBe(0);
    expect(await held(state, 'al')).toEqual({ status: undefined, upload: undefined, announcedAgain: true, watched: false });
    expect(await held(state, 'alex')).toEqual({ status: { fileId: 'f1', status: 'PENDING' }, upload: 1_700_000_000_000, announcedAgain: false, watched: true });
  });
});

describe('forgetting a user while the shared state is away', () => {
  it('still ends the live work of the user on this instance, and tells why the state was not dropped', async () => {
    const down = Object.assign(createMemoryLiveState(), { forgetUser: () => Promise.reject(new Error('Redis is away')) });
    const told: string[] = [];
    // No watch is started here: Synvo is never called.
    const live = createLiveUpdates({ synvo: {} as SynvoClient, state: down, pubsub: createMemoryPubSub(), onError: (_error, what) => void told.push(what) });
    const stream = live.followUser('al', (async function* () {
      yield 1;
      await new Promise(() => {});
    })());
    expect((await stream.next()).value).toBe(1);
    await live.forgetUser('al');
    await expect(stream.next()).rejects.toMatchObject({ name: 'UserForgottenError', user: 'al' });
    expect(told).toEqual(['forget user']);
    await live.close();
  });
});
