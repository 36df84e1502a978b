import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startSynvoEmulator } from '../../emulators/synvo/index.js';
import type { RunningEmulator } from '../../emulators/core/types.js';
import { createMemoryCacheStore } from '../../src/cache/memory-store.js';
import { createReadCache } from '../../src/cache/read-cache.js';
import { createMemoryPubSub, createRedisPubSub } from '../../src/live/live-pubsub.js';
import { createMemoryLiveState } from '../../src/live/live-state.js';
import { createLiveUpdates, type LiveUpdates } from '../../src/live/live-updates.js';
import { createInvalidator } from '../../src/memory/invalidation.js';
import { createRedisLiveState } from '../../src/live/redis-live-state.js';
import type { FileStatusSnapshot } from '../../src/live/live-state.js';
import type { SynvoEvent } from '../../src/upstream/types.js';
import { createSynvoClient } from '../../src/upstream/index.js';
import type { SynvoClient, UploadResult } from '../../src/upstream/types.js';
import { TEST_REDIS_URL } from '../support/redis.js';
import { ManualClock } from './manual-clock.js';

/** The real Synvo client on an emulator, plus a one-line text upload; closed after the tests. */
function emulatorSynvoClient(baseUrl: string): SynvoClient & { upload(user: string, name: string, text: string): Promise<UploadResult> } {
  const client = createSynvoClient({ baseUrl, apiKey: 'synvo-dev-key', options: { keepAliveTimeoutMs: 500 } });
  disposers.push(() => client.close());
  return Object.assign(Object.create(client) as SynvoClient, {
    upload: (user: string, name: string, text: string) => client.uploadFile(user, new File([text], name, { type: 'text/plain' })),
  });
}

let synvo: RunningEmulator;
const disposers: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  synvo = await startSynvoEmulator({ processingDelayMs: 150 });
});

afterAll(async () => {
  for (const dispose of disposers.reverse()) await dispose();
  await synvo.stop();
});

beforeEach(() => synvo.controls.resetCalls());

const statusPolls = () => synvo.controls.calls().routes.fileStatus?.total ?? 0;
const eventCalls = (user: string) => synvo.controls.calls().routes.events?.byUser[user] ?? 0;
const wait = { timeout: 8_000, interval: 10 };

async function collect<T>(iterator: AsyncIterableIterator<T>, limit = 10): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterator) {
    out.push(value);
    if (out.length >= limit) break;
  }
  return out;
}

function memoryLive(client = emulatorSynvoClient(synvo.url)) {
  const cache = createReadCache({ store: createMemoryCacheStore() });
  const invalidator = createInvalidator(cache);
  const live = createLiveUpdates({ synvo: client, onFileSettled: invalidator.afterFileSettled, state: createMemoryLiveState(), pubsub: createMemoryPubSub(), pollIntervalMs: 40 });
  disposers.push(() => live.close());
  return { live, cache, client };
}

describe('live updates in one gateway instance', () => {
  it('follows a file to COMPLETED for every subscriber with one shared poller', async () => {
    const { live, client } = memoryLive();
    const upload = await client.upload('lena', 'notes.txt', 'I moved to Lisbon on 2024-03-01. I love jazz.');
    const [a, b] = await Promise.all([collect(live.watchFile('lena', upload.fileId)), collect(live.watchFile('lena', upload.fileId))]);
    // Each status once, in order (PENDING is missed only if the first poll comes after processing).
    expect(['PENDING,COMPLETED', 'COMPLETED']).toContain(a.map((s) => s.status).join());
    expect(b).toEqual(a);
    expect(a.at(-1)).toEqual({ fileId: upload.fileId, status: 'COMPLETED' });
    expect(statusPolls()).toBe(live.stats().polls);
    // Two subscribers, yet no more polls than one subscriber needs: at most one per interval.
    expect(synvo.controls.calls().routes.fileStatus?.byUser).toEqual({ lena: live.stats().polls });
  });

  it('stops polling when the last subscriber leaves', async () => {
    const slow = await startSynvoEmulator({ processingDelayMs: 60_000 });
    disposers.push(() => slow.stop());
    const slowClient = emulatorSynvoClient(slow.url);
    const upload = await slowClient.upload('max', 'later.txt', 'Processed much later.');
    // The pollers wait on this clock: `interval()` lets the one poller finish its tick, then moves on.
    const clock = new ManualClock();
    const interval = async () => {
      await clock.whenSleeping(1);
      clock.advance(20);
    };
    const slowLive = createLiveUpdates({
      synvo: slowClient, state: createMemoryLiveState(), pubsub: createMemoryPubSub(), pollIntervalMs: 20, clock,
    });
    disposers.push(() => slowLive.close());
    const first = slowLive.watchFile('max', upload.fileId);
    const second = slowLive.watchFile('max', upload.fileId);
    expect((await first.next()).value).toEqual({ fileId: upload.fileId, status: 'PENDING' });
    expect((await second.next()).value).toEqual({ fileId: upload.fileId, status: 'PENDING' });
    const polls = (user: string) => slow.controls.calls().routes.fileStatus?.byUser[user] ?? 0;
    await first.return!();
    // One subscriber left: still polled, once per interval.
    await clock.whenSleeping(1);
    const polled = polls('max');
    await interval();
    await interval();
    await clock.whenSleeping(1);
    expect(polls('max')).toBe(polled + 2);
    expect(slowLive.stats().activeFiles).toBe(1);
    await second.return!();
    await vi.waitFor(() => expect(slowLive.stats().activeFiles).toBe(0), wait);
    const after = polls('max');
    // Another file followed on the same clock is polled at every interval meanwhile; this one no more.
    const other = await slowClient.upload('ines', 'other.txt', 'Also processed much later.');
    const watching = slowLive.watchFile('ines', other.fileId);
    await watching.next();
    for (let i = 0; i < 3; i += 1) await interval();
    await clock.whenSleeping(1);
    expect(polls('ines')).toBe(4);
    await watching.return!();
    expect(polls('max')).toBe(after);
  });

  it('ends the stream with UNKNOWN for a file the user does not have', async () => {
    const { live } = memoryLive();
    expect(await collect(live.watchFile('lena', 'f_does_not_exist'))).toEqual([{ fileId: 'f_does_not_exist', status: 'UNKNOWN' }]);
  });

  it('follows an upload without subscribers, then invalidates the cached reads and announces its events', async () => {
    const { live, cache, client } = memoryLive();
    const user = `u${randomUUID().slice(0, 8)}`;
    const first = await client.upload(user, 'first.txt', 'Nothing much.');
    await vi.waitFor(async () => expect((await client.getFileStatus(user, first.fileId)).status).toBe('COMPLETED'), wait);
    const profileLoads = { n: 0 };
    const readProfile = () => cache.read('profile', user, null, async () => ++profileLoads.n);
    await readProfile();
    expect(await readProfile()).toBe(1);

    const events = live.watchEvents(user);
    const received: Promise<SynvoEvent[]> = collect(events, 2);
    // The events poller's first call shows the subscription is in place.
    await vi.waitFor(() => expect(eventCalls(user)).toBeGreaterThan(0), wait);
    const upload = await client.upload(user, 'diary.txt', 'I started a new job at Initech on 2025-02-03.');
    await live.trackUpload(user, upload.fileId, upload.timestamp);
    const announced = await received;
    expect(announced.map((e) => e.content)).toContain('User uploaded diary.txt.');
    expect(announced.every((e) => e.content !== 'User uploaded first.txt.')).toBe(true);
    expect(announced[0]?.mentionTime).toBeInstanceOf(Date);
    expect(await readProfile()).toBe(2);
  });
});

describe('live updates across gateway instances on one Redis', () => {
  const prefix = `memgate-test:${randomUUID()}:`;
  const connections: Redis[] = [];
  const connect = () => {
    const r = new Redis(TEST_REDIS_URL);
    if (connections.length === 0) {
      disposers.push(async () => {
        const keys = await r.keys(`${prefix}*`);
        if (keys.length > 0) await r.del(...keys);
        await Promise.all(connections.map((c) => c.quit()));
      });
    }
    connections.push(r);
    return r;
  };

  function instance(): LiveUpdates {
    const redis = connect();
    const live = createLiveUpdates({
      synvo: emulatorSynvoClient(synvo.url),
      state: createRedisLiveState(redis, { prefix }),
      pubsub: createRedisPubSub({ publisher: redis, subscriber: connect(), prefix }),
      pollIntervalMs: 40,
    });
    disposers.push(() => live.close());
    return live;
  }

  it('delivers an upload followed by instance A to subscribers of instance B, polled by one instance alone', async () => {
    const a = instance();
    const b = instance();
    const client = emulatorSynvoClient(synvo.url);
    const user = `u${randomUUID().slice(0, 8)}`;
    const eventsOnB = collect(b.watchEvents(user), 2);
    await vi.waitFor(() => expect(eventCalls(user)).toBeGreaterThan(0), wait);
    const upload = await client.upload(user, 'trip.txt', 'I visited Kyoto on 2024-04-02.');
    await a.trackUpload(user, upload.fileId, upload.timestamp);
    const statuses: FileStatusSnapshot[] = await collect(b.watchFile(user, upload.fileId));
    expect(statuses.at(-1)).toEqual({ fileId: upload.fileId, status: 'COMPLETED' });
    expect((await eventsOnB).map((e) => e.content).sort()).toEqual(['I visited Kyoto on 2024-04-02.', 'User uploaded trip.txt.']);
    // One poller at a time: whichever instance took the lease first did all the polling.
    expect(Math.min(a.stats().polls, b.stats().polls)).toBe(0);
    expect(synvo.controls.calls().routes.fileStatus?.byUser[user]).toBe(a.stats().polls + b.stats().polls);
  });

  it('hands polling over to another instance when the polling one stops watching', async () => {
    const slow = await startSynvoEmulator({ processingDelayMs: 500 });
    disposers.push(() => slow.stop());
    const make = () => {
      const redis = connect();
      const live = createLiveUpdates({
        synvo: emulatorSynvoClient(slow.url),
          state: createRedisLiveState(redis, { prefix }),
        pubsub: createRedisPubSub({ publisher: redis, subscriber: connect(), prefix }),
        pollIntervalMs: 30,
      });
      disposers.push(() => live.close());
      return live;
    };
    const a = make();
    const b = make();
    const upload = await emulatorSynvoClient(slow.url).upload('kim', 'plan.txt', 'A plan.');
    const onA = a.watchFile('kim', upload.fileId);
    expect((await onA.next()).value?.status).toBe('PENDING');
    const onB = b.watchFile('kim', upload.fileId);
    // B hears the current status (from A's polling) before A stops watching.
    expect((await onB.next()).value?.status).toBe('PENDING');
    expect(b.stats().polls).toBe(0);
    await onA.return!();
    expect((await collect(onB)).map((s) => s.status)).toEqual(['COMPLETED']);
    expect(a.stats().polls).toBeGreaterThan(0);
    expect(b.stats().polls).toBeGreaterThan(0);
    expect(slow.controls.calls().routes.fileStatus?.total).toBe(a.stats().polls + b.stats().polls);
  });
});
