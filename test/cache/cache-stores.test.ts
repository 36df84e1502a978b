import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { CacheStore } from '../../src/cache/cache-store.js';
import { createMemoryCacheStore } from '../../src/cache/memory-store.js';
import { createRedisCacheStore } from '../../src/cache/redis-store.js';
import { TEST_REDIS_URL } from '../support/redis.js';

const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
const prefix = `memgate-test:${randomUUID()}:`;

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

const backends: Array<[string, () => CacheStore]> = [
  ['the in-memory store', () => createMemoryCacheStore({ maxEntries: 100 })],
  ['the Redis store', () => createRedisCacheStore(redis, { prefix })],
];

describe.each(backends)('%s', (_name, make) => {
  it('gives back what was set, dates included, and undefined for a miss', async () => {
    const store = make();
    const value = { text: 'hi', at: new Date('2025-11-16T15:29:18.344Z'), list: [{ when: new Date(0) }], none: null };
    await store.set('profile:alex', '"q"', value, 10_000);
    expect(await store.get('profile:alex', '"q"')).toEqual(value);
    expect(((await store.get('profile:alex', '"q"')) as typeof value).at).toBeInstanceOf(Date);
    expect(await store.get('profile:alex', '"other"')).toBeUndefined();
    expect(await store.get('profile:bob', '"q"')).toBeUndefined();
  });

  it('keeps a null value apart from a miss', async () => {
    const store = make();
    await store.set('profile:newcomer', 'null', null, 10_000);
    expect(await store.get('profile:newcomer', 'null')).toBeNull();
  });

  it('forgets an entry once its lifetime is over', async () => {
    const store = make();
    await store.set('events:alex', '{}', [1, 2], 30);
    await store.set('events:alex', '{"limit":5}', [1], 10_000);
    await vi.waitFor(async () => expect(await store.get('events:alex', '{}')).toBeUndefined(), { timeout: 5_000, interval: 10 });
    expect(await store.get('events:alex', '{"limit":5}')).toEqual([1]);
  });

  it('drops every entry of an invalidated namespace and only those', async () => {
    const store = make();
    await store.set('search:alex', '"a"', ['x'], 10_000);
    await store.set('search:alex', '"b"', ['y'], 10_000);
    await store.set('search:bob', '"a"', ['z'], 10_000);
    await store.set('events:alex', '{}', [], 10_000);
    await store.invalidate(['search:alex']);
    expect(await store.get('search:alex', '"a"')).toBeUndefined();
    expect(await store.get('search:alex', '"b"')).toBeUndefined();
    expect(await store.get('search:bob', '"a"')).toEqual(['z']);
    expect(await store.get('events:alex', '{}')).toEqual([]);
  });
});

describe('the in-memory store', () => {
  it('evicts the least recently used entries beyond its size and can still invalidate', async () => {
    const store = createMemoryCacheStore({ maxEntries: 2 });
    await store.set('a:u', '1', 1, 10_000);
    await store.set('a:u', '2', 2, 10_000);
    await store.set('b:u', '3', 3, 10_000);
    expect(await store.get('a:u', '1')).toBeUndefined();
    expect(await store.get('a:u', '2')).toBe(2);
    await store.invalidate(['a:u', 'b:u']);
    expect(await store.get('a:u', '2')).toBeUndefined();
    expect(await store.get('b:u', '3')).toBeUndefined();
  });
});

describe('the Redis store', () => {
  it('shares entries between two stores on one Redis with the same prefix', async () => {
    const other = new Redis(TEST_REDIS_URL);
    try {
      const a = createRedisCacheStore(redis, { prefix });
      const b = createRedisCacheStore(other, { prefix });
      await a.set('bio:alex', '{}', { text: 'shared' }, 10_000);
      expect(await b.get('bio:alex', '{}')).toEqual({ text: 'shared' });
      await b.invalidate(['bio:alex']);
      expect(await a.get('bio:alex', '{}')).toBeUndefined();
    } finally {
      await other.quit();
    }
  });

  it('expires the namespace key itself so Redis does not fill up', async () => {
    const store = createRedisCacheStore(redis, { prefix });
    await store.set('files:carol', '{}', [], 5_000);
    const ttl = await redis.pttl(`${prefix}cache:files:carol`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5_000);
  });
});
