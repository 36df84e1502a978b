import { describe, expect, it } from 'vitest';
import { createMemoryCacheStore } from '../../src/cache/memory-store.js';
import { createReadCache, stableKey } from '../../src/cache/read-cache.js';

function counter<T>(value: () => T) {
  const calls = { n: 0 };
  const load = async () => {
    calls.n += 1;
    return value();
  };
  return { calls, load };
}

describe('the read cache', () => {
  it('serves the second identical read from the cache', async () => {
    const cache = createReadCache({ store: createMemoryCacheStore() });
    const { calls, load } = counter(() => ({ v: 1 }));
    await cache.read('profile', 'alex', null, load);
    expect(await cache.read('profile', 'alex', null, load)).toEqual({ v: 1 });
    expect(calls.n).toBe(1);
    expect(cache.stats()).toEqual({ hits: 1, misses: 1 });
  });

  it('never shares an entry between two users', async () => {
    const cache = createReadCache({ store: createMemoryCacheStore() });
    const a = counter(() => 'alex data');
    const b = counter(() => 'bob data');
    await cache.read('profile', 'alex', null, a.load);
    expect(await cache.read('profile', 'bob', null, b.load)).toBe('bob data');
    expect(b.calls.n).toBe(1);
  });

  it('does not cache a read without a user', async () => {
    const cache = createReadCache({ store: createMemoryCacheStore() });
    const { calls, load } = counter(() => 1);
    await cache.read('profile', '', null, load);
    await cache.read('profile', '', null, load);
    expect(calls.n).toBe(2);
  });

  it('keys arguments by value, whatever their key order', async () => {
    expect(stableKey({ limit: 5, since: new Date(0) })).toBe(stableKey({ since: new Date(0), limit: 5, until: undefined }));
    const cache = createReadCache({ store: createMemoryCacheStore() });
    const { calls, load } = counter(() => []);
    await cache.read('events', 'alex', { limit: 5, types: ['a'] }, load);
    await cache.read('events', 'alex', { types: ['a'], limit: 5 }, load);
    await cache.read('events', 'alex', { limit: 6, types: ['a'] }, load);
    expect(calls.n).toBe(2);
  });

  it('shares one upstream call among concurrent identical misses', async () => {
    const cache = createReadCache({ store: createMemoryCacheStore() });
    const { calls, load } = counter(() => 'x');
    const results = await Promise.all(Array.from({ length: 5 }, () => cache.read('search', 'alex', 'q', load)));
    expect(results).toEqual(['x', 'x', 'x', 'x', 'x']);
    expect(calls.n).toBe(1);
  });

  it('reads from the upstream again after an invalidation of that kind', async () => {
    const cache = createReadCache({ store: createMemoryCacheStore() });
    const { calls, load } = counter(() => 'x');
    await cache.read('bio', 'alex', {}, load);
    await cache.read('memories', 'alex', {}, load);
    await cache.invalidate('alex', ['bio']);
    await cache.read('bio', 'alex', {}, load);
    await cache.read('memories', 'alex', {}, load);
    expect(calls.n).toBe(3);
  });

  it('does not write back a value whose load raced an invalidation', async () => {
    const cache = createReadCache({ store: createMemoryCacheStore() });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let version = 0;
    const load = async () => {
      const seen = version;
      await gate;
      return seen;
    };
    const first = cache.read('profile', 'alex', null, load);
    await Promise.resolve();
    version = 1;
    await cache.invalidate('alex', ['profile']);
    release();
    expect(await first).toBe(0);
    expect(await cache.read('profile', 'alex', null, async () => version)).toBe(1);
  });

  it('lets the value decide its own lifetime and skips caching at zero', async () => {
    const cache = createReadCache({ store: createMemoryCacheStore() });
    const { calls, load } = counter(() => ({ expired: true }));
    await cache.read('bio', 'alex', {}, load, () => 0);
    await cache.read('bio', 'alex', {}, load, () => 0);
    expect(calls.n).toBe(2);
  });

  it('falls back to the upstream when the store fails', async () => {
    const errors: string[] = [];
    const broken = {
      get: async () => {
        throw new Error('store down');
      },
      set: async () => {
        throw new Error('store down');
      },
      invalidate: async () => {},
      close: async () => {},
    };
    const cache = createReadCache({ store: broken, onError: (_e, op) => errors.push(op) });
    expect(await cache.read('profile', 'alex', null, async () => 'fresh')).toBe('fresh');
    expect(errors).toEqual(['get', 'set']);
  });
});

describe('the read cache turned off', () => {
  it('calls the upstream every time when its lifetime is 0, whatever a value says about its own lifetime', async () => {
    const cache = createReadCache({ store: createMemoryCacheStore(), ttlMs: 0 });
    const { calls, load } = counter(() => 'bio');
    await cache.read('bio', 'alex', {}, load, () => 60_000);
    await cache.read('bio', 'alex', {}, load, () => 60_000);
    await cache.put('bio', 'alex', {}, 'other', 60_000);
    expect(await cache.read('bio', 'alex', {}, load, () => 60_000)).toBe('bio');
    expect(calls.n).toBe(3);
  });
});

describe('a load shared by concurrent identical reads', () => {
  /** A load that waits for its signal or for `finish`, and says which happened. */
  function gatedLoad() {
    const seen: { signal?: AbortSignal; calls: number } = { calls: 0 };
    let finish!: (value: string) => void;
    const load = (signal: AbortSignal | undefined) => {
      seen.calls += 1;
      seen.signal = signal;
      return new Promise<string>((resolve, reject) => {
        finish = resolve;
        signal?.addEventListener('abort', () => reject(new Error('load aborted')), { once: true });
      });
    };
    return { seen, load, finish: (value: string) => finish(value) };
  }

  it('goes on for the callers still waiting when one of them aborts', async () => {
    const cache = createReadCache({ store: createMemoryCacheStore() });
    const gate = gatedLoad();
    const leaving = new AbortController();
    const staying = new AbortController();
    const first = cache.read('profile', 'alex', null, gate.load, undefined, leaving.signal);
    const second = cache.read('profile', 'alex', null, gate.load, undefined, staying.signal);
    leaving.abort(new Error('client left'));
    await expect(first).rejects.toThrow('client left');
    expect(gate.seen.signal?.aborted).toBe(false);
    gate.finish('profile of alex');
    expect(await second).toBe('profile of alex');
    expect(gate.seen.calls).toBe(1);
  });

  it('is aborted once every caller waiting on it has aborted, and the next read starts afresh', async () => {
    const cache = createReadCache({ store: createMemoryCacheStore() });
    const gate = gatedLoad();
    const callers = [new AbortController(), new AbortController()];
    const reads = callers.map((c) => cache.read('profile', 'alex', null, gate.load, undefined, c.signal));
    for (const c of callers) c.abort(new Error('gone'));
    await Promise.all(reads.map((r) => expect(r).rejects.toThrow('gone')));
    expect(gate.seen.signal?.aborted).toBe(true);
    expect(await cache.read('profile', 'alex', null, async () => 'fresh')).toBe('fresh');
    expect(gate.seen.calls).toBe(1);
  });

  it('is never aborted while a caller without a signal waits on it', async () => {
    const cache = createReadCache({ store: createMemoryCacheStore() });
    const gate = gatedLoad();
    const withSignal = new AbortController();
    const aborted = cache.read('profile', 'alex', null, gate.load, undefined, withSignal.signal);
    const pinned = cache.read('profile', 'alex', null, gate.load);
    withSignal.abort(new Error('gone'));
    await expect(aborted).rejects.toThrow('gone');
    expect(gate.seen.signal?.aborted).toBe(false);
    gate.finish('kept');
    expect(await pinned).toBe('kept');
  });
});
