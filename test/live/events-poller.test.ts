/**
 * The poller of a user's events in src/live, on the real Synvo client and emulator: its setting,
 * its baseline, and what it does to the read cache.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSynvoEmulator } from '../../emulators/synvo/index.js';
import type { RunningEmulator } from '../../emulators/core/types.js';
import { createMemoryCacheStore } from '../../src/cache/memory-store.js';
import { createReadCache, type ReadCache } from '../../src/cache/read-cache.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createMemoryPubSub } from '../../src/live/live-pubsub.js';
import { createMemoryLiveState } from '../../src/live/live-state.js';
import { createLiveUpdates, type LiveUpdates, type LiveUpdatesOptions } from '../../src/live/live-updates.js';
import { createInvalidator } from '../../src/memory/invalidation.js';
import { createRedisLiveState } from '../../src/live/redis-live-state.js';
import { createSynvoClient } from '../../src/upstream/index.js';
import type { SynvoClient, SynvoEvent } from '../../src/upstream/types.js';
import { TEST_REDIS_URL } from '../support/redis.js';
import { ManualClock } from './manual-clock.js';

let synvo: RunningEmulator;
let client: SynvoClient;
const disposers: Array<() => Promise<unknown>> = [];
const wait = { timeout: 8_000, interval: 10 };

beforeAll(async () => {
  synvo = await startSynvoEmulator({ processingDelayMs: 30 });
  client = createSynvoClient({ baseUrl: synvo.url, apiKey: 'synvo-dev-key', options: { keepAliveTimeoutMs: 500 } });
});
afterAll(async () => {
  for (const dispose of disposers.reverse()) await dispose();
  await client.close();
  await synvo.stop();
});

const newUser = () => `p${randomUUID().slice(0, 8)}`;
const eventCalls = (user: string) => synvo.controls.calls().routes.events?.byUser[user] ?? 0;

function live(options: Partial<LiveUpdatesOptions> & { cache?: ReadCache } = {}): { live: LiveUpdates; cache: ReadCache } {
  const { cache = createReadCache({ store: createMemoryCacheStore() }), ...rest } = options;
  const invalidator = createInvalidator(cache);
  const updates = createLiveUpdates({
    synvo: client, onFileSettled: invalidator.afterFileSettled, onNewEvents: (user) => invalidator.after('newEvents', user), state: createMemoryLiveState(), pubsub: createMemoryPubSub(), pollIntervalMs: 30, eventsPollIntervalMs: 20, ...rest,
  });
  disposers.push(() => updates.close());
  return { live: updates, cache };
}

/** Reads a subscription in the background; `stop()` ends it and returns what arrived. */
function drain(iterator: AsyncIterableIterator<SynvoEvent>) {
  const received: string[] = [];
  const done = (async () => {
    for await (const event of iterator) received.push(event.content);
  })();
  return {
    received,
    async stop() {
      await iterator.return?.();
      await done;
      return [...received].sort();
    },
  };
}

async function upload(user: string, name: string, text: string) {
  const result = await client.uploadFile(user, new File([text], name, { type: 'text/plain' }));
  await vi.waitFor(async () => expect((await client.getFileStatus(user, result.fileId)).status).toBe('COMPLETED'), wait);
  return result;
}

async function morePolls(user: string, more: number) {
  const target = eventCalls(user) + more;
  await vi.waitFor(() => expect(eventCalls(user)).toBeGreaterThanOrEqual(target), wait);
}

/**
 * Waits until the poller has taken its baseline: the emulator counts a call before answering it, so
 * only a second call proves the first (the baseline) was answered.
 */
const baselineTaken = (user: string) => morePolls(user, 2);

describe('MEMGATE_EVENTS_POLL_MS', () => {
  it('defaults to 5 s, is read in ms, and a bad value names the variable', () => {
    expect(loadConfig({}).live.eventsPollIntervalMs).toBe(5_000);
    expect(loadConfig({ MEMGATE_EVENTS_POLL_MS: '250' }).live.eventsPollIntervalMs).toBe(250);
    expect(() => loadConfig({ MEMGATE_EVENTS_POLL_MS: '5' })).toThrow(ConfigError);
    expect(() => loadConfig({ MEMGATE_EVENTS_POLL_MS: '5' })).toThrow(/MEMGATE_EVENTS_POLL_MS: must be at least 10/);
    expect(() => loadConfig({ MEMGATE_EVENTS_POLL_MS: 'often' })).toThrow(/MEMGATE_EVENTS_POLL_MS: must be a number of milliseconds/);
  });
});

describe('the events poller', () => {
  it('takes a new baseline when it starts after the last watch expired, so events from while nobody watched are not sent', async () => {
    // The watch's lifetime runs on this clock: moved past it below instead of waited out.
    let skipped = 0;
    const clock = { now: () => performance.now() + skipped };
    const { live: updates } = live({ state: createMemoryLiveState({ clock }) });
    const user = newUser();
    const first = drain(updates.watchEvents(user));
    await baselineTaken(user);
    await upload(user, 'first.txt', 'I bought a bicycle on 2024-06-06.');
    await vi.waitFor(() => expect(first.received).toHaveLength(2), wait);
    expect(await first.stop()).toEqual(['I bought a bicycle on 2024-06-06.', 'User uploaded first.txt.']);
    await vi.waitFor(() => expect(updates.stats().activeEventUsers).toBe(0), wait);

    await upload(user, 'unwatched.txt', 'I sold the bicycle on 2024-09-09.');
    // An hour without a subscriber: far longer than the watch lives (2 x lease + interval).
    skipped += 3_600_000;
    const second = drain(updates.watchEvents(user));
    await baselineTaken(user);
    await upload(user, 'third.txt', 'I bought a scooter on 2025-01-01.');
    await vi.waitFor(() => expect(second.received).toHaveLength(2), wait);
    await morePolls(user, 3);
    expect(await second.stop()).toEqual(['I bought a scooter on 2025-01-01.', 'User uploaded third.txt.']);
  });

  it("reads straight from Synvo, past a cached events list, and drops the user's cached reads when it finds new events", async () => {
    const cache = createReadCache({ store: createMemoryCacheStore(), ttlMs: 60_000 });
    const { live: updates } = live({ cache });
    const user = newUser();
    let profileLoads = 0;
    const readProfile = () => cache.read('profile', user, null, async () => ++profileLoads);
    const readEvents = () => cache.read('events', user, { limit: 200 }, () => client.getEvents(user, { limit: 200 }));
    await readProfile();
    expect(await readEvents()).toEqual([]);

    const sub = drain(updates.watchEvents(user));
    await baselineTaken(user);
    await upload(user, 'news.txt', 'I became a beekeeper on 2025-03-03.');
    await vi.waitFor(() => expect(sub.received).toHaveLength(2), wait);
    // The cached (empty) list did not hide the new events, and the cache no longer holds it.
    expect((await readEvents()).map((e) => e.content)).toContain('I became a beekeeper on 2025-03-03.');
    expect(await readProfile()).toBe(2);
    await sub.stop();
  });

  it('polls nothing for a user without subscribers, and a user with three subscribers as often as a user with one', async () => {
    // The pollers wait on this clock: each interval is moved on once both have polled and wait.
    const clock = new ManualClock();
    const { live: updates } = live({ clock, eventsPollIntervalMs: 20 });
    const [watched, single, unwatched] = [newUser(), newUser(), newUser()];
    const subs = [drain(updates.watchEvents(watched)), drain(updates.watchEvents(watched)), drain(updates.watchEvents(watched))];
    subs.push(drain(updates.watchEvents(single)));
    for (let interval = 0; interval < 8; interval += 1) {
      await clock.whenSleeping(2);
      clock.advance(20);
    }
    await clock.whenSleeping(2);
    expect(updates.stats().activeEventUsers).toBe(2);
    // One poller each, once at the start and once per interval (three pollers would triple it).
    expect(eventCalls(watched)).toBe(9);
    expect(eventCalls(single)).toBe(9);
    for (const sub of subs) await sub.stop();
    await vi.waitFor(() => expect(updates.stats().activeEventUsers).toBe(0), wait);
    // Every events call came from this instance's pollers, none for the user nobody watched.
    expect(updates.stats().eventPolls).toBe(eventCalls(watched) + eventCalls(single));
    expect(eventCalls(unwatched)).toBe(0);
  });
});

describe('the fan-out of a user\'s events', () => {
  it('sends each new event once to every one of many subscribers, through one pub/sub listener (no MaxListenersExceededWarning)', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const { live: updates } = live();
      const user = newUser();
      const subs = Array.from({ length: 15 }, () => drain(updates.watchEvents(user)));
      await baselineTaken(user);
      await upload(user, 'crowd.txt', 'I spoke at a conference on 2025-06-12.');
      for (const sub of subs) await vi.waitFor(() => expect(sub.received).toHaveLength(2), wait);
      await morePolls(user, 3);
      for (const sub of subs) expect(await sub.stop()).toEqual(['I spoke at a conference on 2025-06-12.', 'User uploaded crowd.txt.']);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe('the events watch in Redis', () => {
  it('is unknown until started, then renewed with the announced events, and gone once it expires', async () => {
    const prefix = `memgate-test:${randomUUID()}:`;
    const redis = new Redis(TEST_REDIS_URL);
    disposers.push(async () => {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    });
    const state = createRedisLiveState(redis, { prefix });
    expect(await state.renewEventsWatch('ana', 60_000, 600_000)).toBe(false);
    expect(await state.markAnnounced('ana', ['a', 'b'], 1_000)).toEqual([true, true]);
    await state.startEventsWatch('ana', 60_000);
    expect(await state.renewEventsWatch('ana', 60_000, 600_000)).toBe(true);
    // Renewing the watch keeps the announced events as long as asked, past their own TTL.
    expect(await redis.pttl(`${prefix}live:announced:{ana}`)).toBeGreaterThan(1_000);
    expect(await state.markAnnounced('ana', ['b', 'c'], 600_000)).toEqual([false, true]);
    // Another user's watch is its own.
    expect(await state.renewEventsWatch('bo', 60_000, 600_000)).toBe(false);
    await state.startEventsWatch('ana', 5);
    await vi.waitFor(async () => expect(await redis.exists(`${prefix}live:events-watch:{ana}`)).toBe(0), wait);
    expect(await state.renewEventsWatch('ana', 60_000, 600_000)).toBe(false);
  });
});
