import { describe, expect, test } from 'vitest';
import type { MemSyncReads, SynvoReads } from '../../src/memory/cached-reads.js';
import { createLoaders } from '../../src/memory/loaders.js';
import type { CallOptions, EventsQuery, SynvoEvent } from '../../src/upstream/types.js';

/** Stand-in reads that record every call, the options it got and how many ran at once. */
function fakeClients(delayMs = 5) {
  const calls: { method: string; user: string; args: unknown; signal: AbortSignal | undefined }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const track = async <T>(method: string, user: string, args: unknown, opts: CallOptions | undefined, value: T): Promise<T> => {
    calls.push({ method, user, args, signal: opts?.signal });
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, delayMs));
    inFlight -= 1;
    return value;
  };
  const event = (type: string, day: number): SynvoEvent => ({ type, content: `${type} ${day}`, happenTime: null, mentionTime: new Date(Date.UTC(2025, 0, day)) });
  const events = [event('personal', 1), event('financial', 2), event('personal', 3), event('astral', 4), event('social', 5), event('personal', 6)];
  const synvo = {
    service: 'synvo',
    getProfile: (user: string, opts?: CallOptions) => track('getProfile', user, null, opts, { attributes: [] }),
    getEvents: (user: string, query: EventsQuery | undefined, opts?: CallOptions) =>
      track('getEvents', user, query, opts, events.slice(-(query?.limit ?? 10))),
  } as unknown as SynvoReads;
  const memsync = {
    service: 'memsync',
    searchMemories: (user: string, query: unknown, opts?: CallOptions) => track('searchMemories', user, query, opts, { userBio: null, memories: [] }),
  } as unknown as MemSyncReads;
  return { synvo, memsync, calls, maxInFlight: () => maxInFlight };
}

describe('createLoaders', () => {
  test('one call per distinct user, whatever the number of loads', async () => {
    const f = fakeClients();
    const loaders = createLoaders(f);
    await Promise.all(['a', 'b', 'a', 'a', 'b'].map((u) => loaders.profile.load(u)));
    expect(f.calls.map((c) => c.user).sort()).toEqual(['a', 'b']);
  });

  test('arguments that mean the same share a call: list order and duplicates do not matter', async () => {
    const f = fakeClients();
    const loaders = createLoaders(f);
    await Promise.all([
      loaders.memories.load({ user: 'a', query: 'q', limit: 5, categories: ['career', 'health'] }),
      loaders.memories.load({ user: 'a', query: 'q', limit: 5, categories: ['health', 'career', 'health'] }),
      loaders.memories.load({ user: 'a', query: 'q', limit: 6, categories: ['health', 'career'] }),
    ]);
    expect(f.calls).toHaveLength(2);
  });

  test('calls per endpoint run at most `concurrency` at once', async () => {
    const f = fakeClients(10);
    const loaders = createLoaders({ ...f, concurrency: 3 });
    await Promise.all(Array.from({ length: 12 }, (_, i) => loaders.profile.load(`user${i}`)));
    expect(f.calls).toHaveLength(12);
    expect(f.maxInFlight()).toBe(3);
  });

  test('every call carries the request signal', async () => {
    const f = fakeClients();
    const signal = new AbortController().signal;
    const loaders = createLoaders({ ...f, signal });
    await Promise.all([loaders.profile.load('a'), loaders.events.load({ user: 'a', limit: 2 })]);
    expect(f.calls.every((c) => c.signal === signal)).toBe(true);
  });

  test('a type filter fetches the wide window once and keeps the most recent matches', async () => {
    const f = fakeClients();
    const loaders = createLoaders({ ...f, eventsFilterWindow: 1000 });
    const [personal, personalTwo, other] = await Promise.all([
      loaders.events.load({ user: 'a', limit: 2, types: ['personal'] }),
      loaders.events.load({ user: 'a', limit: 1, types: ['personal'] }),
      loaders.events.load({ user: 'a', limit: 5, types: ['other'] }),
    ]);
    expect(personal!.map((e) => e.content)).toEqual(['personal 3', 'personal 6']);
    expect(personalTwo!.map((e) => e.content)).toEqual(['personal 6']);
    expect(other!.map((e) => e.content)).toEqual(['astral 4']);
    expect(f.calls).toEqual([expect.objectContaining({ method: 'getEvents', args: { limit: 1000 } })]);
  });

  test('a failing key fails alone', async () => {
    const f = fakeClients();
    const boom = new Error('boom');
    const synvo = { ...f.synvo, getProfile: async (user: string) => (user === 'bad' ? Promise.reject(boom) : { attributes: [] }) } as SynvoReads;
    const loaders = createLoaders({ synvo, memsync: f.memsync });
    const results = await Promise.allSettled([loaders.profile.load('good'), loaders.profile.load('bad')]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: { attributes: [] } });
    expect(results[1]).toEqual({ status: 'rejected', reason: boom });
  });
});
