import type { Cluster, Redis } from 'ioredis';
import type { CacheStore } from './cache-store.js';
import { decodeJson, encodeJson } from './json-codec.js';

export interface RedisCacheStoreOptions {
  /** Prepended to every Redis key (several deployments or tests on one Redis). @default 'memgate:' */
  prefix?: string;
  /** Fields a namespace may hold before it is dropped and started afresh. @default 256 */
  maxFieldsPerNamespace?: number;
}

/*
 * One Redis hash per namespace, one field per cached read. Namespaces carry the user as a hash tag
 * (read-cache.ts), so on a Redis Cluster all of a user's entries live in one slot and one DEL
 * drops several of them. A field's value carries its own expiry
 * (hashes have no per-field TTL before Redis 7.4); the hash itself expires with its longest-lived
 * field, so invalidating a namespace is a single DEL.
 */
const setScript = `
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[4]) then redis.call('DEL', KEYS[1]) end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local ttl = tonumber(ARGV[3])
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1`;

/** The shared store: several gateway instances read and invalidate the same entries. */
export function createRedisCacheStore(redis: Redis | Cluster, options: RedisCacheStoreOptions = {}): CacheStore {
  const prefix = `${options.prefix ?? 'memgate:'}cache:`;
  const maxFields = options.maxFieldsPerNamespace ?? 256;

  return {
    async get(namespace, field) {
      const raw = await redis.hget(prefix + namespace, field);
      if (raw === null) return undefined;
      const bar = raw.indexOf('|');
      if (Number(raw.slice(0, bar)) <= Date.now()) return undefined;
      return decodeJson(raw.slice(bar + 1));
    },
    async set(namespace, field, value, ttlMs) {
      if (!(ttlMs > 0)) return;
      const ttl = Math.ceil(ttlMs);
      const stored = `${Date.now() + ttl}|${encodeJson(value)}`;
      await redis.eval(setScript, 1, prefix + namespace, field, stored, String(ttl), String(maxFields));
    },
    async invalidate(namespaces) {
      if (namespaces.length === 0) return;
      await redis.del(...namespaces.map((n) => prefix + n));
    },
    async close() {
      // The Redis connection belongs to whoever made it.
    },
  };
}
