/**
 * `Subscription.events` for every new event of a user, wherever the file came from: files uploaded
 * straight to the Synvo emulator (another back-end, another tool) reach the subscribers through
 * one shared poller of the user's events, which runs while the user has subscribers; uploads
 * through the gateway are announced once, not again by the poller. Real emulators, real gateways
 * (one in memory, two on the machine's Redis), graphql-ws clients.
 */
import { randomUUID } from 'node:crypto';
import { print } from 'graphql';
import type { Client as WsClient } from 'graphql-ws';
import { Agent, FormData, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startWritesHarness, SYNVO_KEY, textFile, type Instance, type WritesHarness } from './harness.js';
import { EventsSubscriptionDocument, UploadDocument } from './operations.js';

const EVENTS = print(EventsSubscriptionDocument);
const UPLOAD = print(UploadDocument);
/** Gateway setting under test: a short events poll, so the tests wait little. */
const env = { MEMGATE_EVENTS_POLL_MS: '40' };
const wait = { timeout: 8_000, interval: 10 };

const agent = new Agent({ keepAliveTimeout: 500 });
afterAll(() => agent.close());

const newUser = () => `ev${randomUUID().slice(0, 8)}`;

interface Listener {
  contents(): string[];
  errors: unknown[];
  completed(): boolean;
  stop(): void;
}

const listeners: Listener[] = [];
// A failed test must not leave its subscriptions (and pollers) to the next one.
afterEach(() => {
  for (const listener of listeners.splice(0)) listener.stop();
});

/** An `events` subscription whose results can be read at any time (graphql-ws `subscribe` with a sink). */
function listen(client: WsClient, user?: string): Listener {
  const received: string[] = [];
  const errors: unknown[] = [];
  let completed = false;
  const stop = client.subscribe<{ events: { content: string } }>(
    { query: EVENTS, variables: user === undefined ? {} : { user } },
    {
      next: (result) => {
        if (result.errors) errors.push(...result.errors);
        if (result.data) received.push(result.data.events.content);
      },
      error: (error) => errors.push(error),
      complete: () => (completed = true),
    },
  );
  const listener = { contents: () => [...received].sort(), errors, completed: () => completed, stop };
  listeners.push(listener);
  return listener;
}

/** A file uploaded straight to the Synvo emulator, as another tool would: the gateway never sees it. */
async function uploadToSynvo(h: WritesHarness, user: string, name: string, text: string): Promise<string> {
  const form = new FormData();
  form.set('file', textFile(name, text));
  form.set('sub_user_name', user);
  const res = await request(`${h.synvo.url}/file/upload`, { method: 'POST', dispatcher: agent, headers: { 'x-api-key': SYNVO_KEY }, body: form });
  expect(res.statusCode).toBe(200);
  return ((await res.body.json()) as { file_id: string }).file_id;
}

async function synvoStatus(h: WritesHarness, user: string, id: string): Promise<string> {
  const res = await request(`${h.synvo.url}/file/status/${id}?sub_user_name=${user}`, { dispatcher: agent, headers: { 'x-api-key': SYNVO_KEY } });
  return ((await res.body.json()) as { status: string }).status;
}

/** Waits until the gateways have polled the user's events `more` more times (emulator counter). */
async function morePolls(h: WritesHarness, user: string, more: number): Promise<number> {
  const target = h.calls('synvo', 'events', user) + more;
  await vi.waitFor(() => expect(h.calls('synvo', 'events', user)).toBeGreaterThanOrEqual(target), wait);
  return h.calls('synvo', 'events', user);
}

/**
 * Waits until the poller has taken its baseline: the emulator counts a call before answering it, so
 * only a second call proves the first (the baseline) was answered.
 */
const baselineTaken = (h: WritesHarness, user: string) => morePolls(h, user, 2);

describe('events of one gateway instance', () => {
  let h: WritesHarness;
  let gw: Instance;

  beforeAll(async () => {
    h = await startWritesHarness({ env, synvo: { processingDelayMs: 60 } });
    gw = h.instances[0]!;
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('sends a subscriber the new events of a file uploaded straight to Synvo, and none of the older ones', async () => {
    const user = newUser();
    const earlier = await uploadToSynvo(h, user, 'earlier.txt', 'I moved to Quito on 2023-01-09.');
    await vi.waitFor(async () => expect(await synvoStatus(h, user, earlier)).toBe('COMPLETED'), wait);
    const statusCalls = h.calls('synvo', 'fileStatus', user);

    const sub = listen(gw.ws(), user);
    // The poller's first call is its baseline: what exists then is not new.
    await baselineTaken(h, user);
    await uploadToSynvo(h, user, 'trip.txt', 'I visited Kyoto on 2024-04-02.');
    await vi.waitFor(() => expect(sub.contents()).toHaveLength(2), wait);
    expect(sub.contents()).toEqual(['I visited Kyoto on 2024-04-02.', 'User uploaded trip.txt.']);

    // Later polls see the same events again and send nothing more; the gateway never followed the file.
    await morePolls(h, user, 3);
    expect(sub.contents()).toHaveLength(2);
    expect(sub.errors).toEqual([]);
    expect(sub.completed()).toBe(false);
    expect(h.calls('synvo', 'fileStatus', user)).toBe(statusCalls);
    sub.stop();
  });

  it('polls a user with two subscribers once: the two grow its events calls at the rate of a user with one', async () => {
    const [shared, single] = [newUser(), newUser()];
    await vi.waitFor(() => expect(gw.app.state.live.stats().activeEventUsers).toBe(0), wait);
    const polledBefore = gw.app.state.live.stats().eventPolls;
    const subs = [listen(gw.ws(), shared), listen(gw.ws(), shared)];
    await baselineTaken(h, shared);
    subs.push(listen(gw.ws(), single));
    await morePolls(h, single, 10);
    expect(gw.app.state.live.stats().activeEventUsers).toBe(2);
    const [twoSubscribers, oneSubscriber] = [h.calls('synvo', 'events', shared), h.calls('synvo', 'events', single)];
    // One poller each: the same count give or take the tick the second user started on (two pollers would double it).
    expect(twoSubscribers).toBeGreaterThanOrEqual(oneSubscriber - 3);
    expect(twoSubscribers).toBeLessThanOrEqual(oneSubscriber + 3);

    await uploadToSynvo(h, shared, 'song.txt', 'I learned to play the cello on 2025-05-05.');
    for (const sub of subs.slice(0, 2)) {
      await vi.waitFor(() => expect(sub.contents()).toEqual(['I learned to play the cello on 2025-05-05.', 'User uploaded song.txt.']), wait);
    }
    for (const sub of subs) sub.stop();
    await vi.waitFor(() => expect(gw.app.state.live.stats().activeEventUsers).toBe(0), wait);
    // Every events call Synvo saw for these users came from this instance's pollers. A poll counts
    // when it starts; the last subscriber leaving cancels a poll in flight, which may end before its
    // request reaches Synvo: at most one such poll per user.
    const started = gw.app.state.live.stats().eventPolls - polledBefore;
    const seen = h.calls('synvo', 'events', shared) + h.calls('synvo', 'events', single);
    expect(seen).toBeLessThanOrEqual(started);
    expect(started - seen).toBeLessThanOrEqual(2);
  });

  it('sends the events of an upload through the gateway once, although the file poller and the events poller both see them', async () => {
    const user = newUser();
    const sub = listen(gw.ws(), user);
    await baselineTaken(h, user);
    const res = await gw.multipart({
      operations: { query: UPLOAD, variables: { file: null, user } },
      map: { '0': ['variables.file'] },
      files: { '0': textFile('band.txt', 'I joined a brass band on 2025-07-07.') },
    });
    expect(res.json.errors).toBeUndefined();
    await vi.waitFor(() => expect(sub.contents()).toHaveLength(2), wait);
    // The gateway followed the file (its own announcement) and the events poller kept polling after it.
    expect(h.calls('synvo', 'fileStatus', user)).toBeGreaterThan(0);
    await morePolls(h, user, 4);
    expect(sub.contents()).toEqual(['I joined a brass band on 2025-07-07.', 'User uploaded band.txt.']);
    sub.stop();
  });

  it("never sends a user's subscription another user's events", async () => {
    const [owner, other] = [newUser(), newUser()];
    // The other user signs in with a JWT and subscribes to its own events (no `user` argument).
    const ownerSub = listen(gw.ws(), owner);
    const otherSub = listen(gw.ws({ authorization: `Bearer ${await h.jwt(other)}` }));
    await baselineTaken(h, owner);
    await baselineTaken(h, other);
    await uploadToSynvo(h, owner, 'secret.txt', 'I opened a bank account on 2025-08-08.');
    await vi.waitFor(() => expect(ownerSub.contents()).toHaveLength(2), wait);
    await morePolls(h, other, 4);
    expect(otherSub.contents()).toEqual([]);
    expect(otherSub.errors).toEqual([]);
    ownerSub.stop();
    otherSub.stop();
  });

  it('keeps subscriptions open through failing events polls and sends the events once Synvo answers again', async () => {
    const user = newUser();
    const sub = listen(gw.ws(), user);
    await baselineTaken(h, user);
    // Two polls in a row rejected by Synvo (a 4xx is not retried, so one call each).
    h.synvo.controls.addFault({ route: 'events', kind: 'status', status: 400, body: { error: 'Invalid parameter', detail: 'scripted' }, times: 2 });
    await morePolls(h, user, 3);
    await uploadToSynvo(h, user, 'later.txt', 'I ran a marathon on 2025-10-10.');
    await vi.waitFor(() => expect(sub.contents()).toEqual(['I ran a marathon on 2025-10-10.', 'User uploaded later.txt.']), wait);
    expect(sub.errors).toEqual([]);
    expect(sub.completed()).toBe(false);
    sub.stop();
  });

  it('stops polling when the last subscriber of the user leaves', async () => {
    const user = newUser();
    const [first, second] = [listen(gw.ws(), user), listen(gw.ws(), user)];
    await morePolls(h, user, 2);
    first.stop();
    // One subscriber left: still polled.
    await morePolls(h, user, 3);
    second.stop();
    await vi.waitFor(() => expect(gw.app.state.live.stats().activeEventUsers).toBe(0), wait);
    const after = h.calls('synvo', 'events', user);
    // Another user's poller, on the same interval, polls several times meanwhile: no further call for this one.
    const other = newUser();
    listen(gw.ws(), other);
    await morePolls(h, other, 5);
    expect(h.calls('synvo', 'events', user)).toBe(after);
  });
});

describe('events of two gateway instances on one Redis', () => {
  let h: WritesHarness;
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    h = await startWritesHarness({ instances: 2, redis: true, env, synvo: { processingDelayMs: 60 } });
    [a, b] = h.instances as [Instance, Instance];
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("poll a user's events from one instance and send a file uploaded straight to Synvo to the subscribers of both", async () => {
    const user = newUser();
    const onA = listen(a.ws(), user);
    await baselineTaken(h, user);
    const onB = listen(b.ws(), user);
    await vi.waitFor(() => expect(b.app.state.live.stats().activeEventUsers).toBe(1), wait);
    await morePolls(h, user, 3);

    await uploadToSynvo(h, user, 'harbour.txt', 'I sailed to Hamburg on 2025-04-04.');
    const expected = ['I sailed to Hamburg on 2025-04-04.', 'User uploaded harbour.txt.'];
    await vi.waitFor(() => expect(onA.contents()).toEqual(expected), wait);
    await vi.waitFor(() => expect(onB.contents()).toEqual(expected), wait);
    await morePolls(h, user, 3);
    expect(onA.contents()).toEqual(expected);
    expect(onB.contents()).toEqual(expected);

    // One poller across the instances: the lease holder made every events call, the other none.
    const [byA, byB] = [a.app.state.live.stats().eventPolls, b.app.state.live.stats().eventPolls];
    expect(byA + byB).toBe(h.calls('synvo', 'events', user));
    expect(Math.min(byA, byB)).toBe(0);
    onA.stop();
    onB.stop();
  });

  it('hand the polling over when the polling instance loses its last subscriber, without repeating or losing events', async () => {
    const user = newUser();
    const onA = listen(a.ws(), user);
    await baselineTaken(h, user);
    const onB = listen(b.ws(), user);
    await vi.waitFor(() => expect(b.app.state.live.stats().activeEventUsers).toBe(1), wait);
    await uploadToSynvo(h, user, 'one.txt', 'I planted an olive tree on 2025-02-02.');
    await vi.waitFor(() => expect(onB.contents()).toHaveLength(2), wait);

    // A polled so far; once its subscriber leaves, B takes the lease and diffs against what was sent.
    const polledByB = b.app.state.live.stats().eventPolls;
    onA.stop();
    await vi.waitFor(() => expect(b.app.state.live.stats().eventPolls).toBeGreaterThan(polledByB + 1), wait);
    await uploadToSynvo(h, user, 'two.txt', 'I harvested olives on 2025-11-11.');
    await vi.waitFor(() => expect(onB.contents()).toHaveLength(4), wait);
    await morePolls(h, user, 3);
    expect(onB.contents()).toEqual([
      'I harvested olives on 2025-11-11.', 'I planted an olive tree on 2025-02-02.', 'User uploaded one.txt.', 'User uploaded two.txt.',
    ]);
    onB.stop();
  });
});
