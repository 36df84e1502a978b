import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { FileStatusSnapshot, LiveState } from './live-state.js';

export interface RedisLiveStateOptions {
  /** Prepended to every Redis key. @default 'memgate:' */
  prefix?: string;
  /** Names this instance as a lease holder. @default a random UUID */
  instanceId?: string;
}

// Take the lease if free, renew it if ours: SET NX PX, atomically with the ownership check.
const holdScript = `
local owner = redis.call('GET', KEYS[1])
if owner == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if owner then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
return 1`;

const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

// Extend the watch if it exists, with the announced set, so neither expires while it is watched.
const renewWatchScript = `
if redis.call('PEXPIRE', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1`;

/**
 * A live key (`user/fileId`, or `events:user`) with its user in braces: the Redis Cluster hash tag
 * that puts every key of one user (cache, leases, statuses, announced events) in one slot.
 */
export function taggedLiveKey(key: string): string {
  const slash = key.indexOf('/');
  if (slash > 0) return `{${key.slice(0, slash)}}${key.slice(slash)}`;
  const colon = key.indexOf(':');
  return colon >= 0 ? `${key.slice(0, colon + 1)}{${key.slice(colon + 1)}}` : `{${key}}`;
}

const globEscape = (text: string) => text.replace(/[*?[\]\\]/g, '\\$&');

/** Every key matching `pattern`, on each master of a Cluster (forgetting a user is rare: a SCAN is fine). */
async function scanKeys(redis: Redis | Cluster, pattern: string): Promise<string[]> {
  const nodes = redis.isCluster ? (redis as Cluster).nodes('master') : [redis as Redis];
  const found: string[] = [];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
  }
  return found;
}

/** Live state in Redis (a server or a Cluster), shared by every gateway instance with the same prefix. */
export function createRedisLiveState(redis: Redis | Cluster, options: RedisLiveStateOptions = {}): LiveState {
  const prefix = `${options.prefix ?? 'memgate:'}live:`;
  const tag = taggedLiveKey;
  const me = options.instanceId ?? randomUUID();
  return {
    async holdLease(key, ttlMs) {
      return (await redis.eval(holdScript, 1, `${prefix}lease:${tag(key)}`, me, String(Math.ceil(ttlMs)))) === 1;
    },
    async releaseLease(key) {
      await redis.eval(releaseScript, 1, `${prefix}lease:${tag(key)}`, me);
    },
    async getStatus(key) {
      const raw = await redis.get(`${prefix}status:${tag(key)}`);
      return raw === null ? undefined : (JSON.parse(raw) as FileStatusSnapshot);
    },
    async setStatus(key, snapshot, ttlMs) {
      await redis.set(`${prefix}status:${tag(key)}`, JSON.stringify(snapshot), 'PX', Math.ceil(ttlMs));
    },
    async getUploadTime(key) {
      const raw = await redis.get(`${prefix}upload:${tag(key)}`);
      return raw === null ? undefined : Number(raw);
    },
    async setUploadTime(key, epochMs, ttlMs) {
      await redis.set(`${prefix}upload:${tag(key)}`, String(epochMs), 'PX', Math.ceil(ttlMs));
    },
    async markAnnounced(user, ids, ttlMs) {
      if (ids.length === 0) return [];
      const key = `${prefix}announced:{${user}}`;
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.sadd(key, id);
      pipeline.pexpire(key, Math.ceil(ttlMs));
      const results = (await pipeline.exec()) ?? [];
      return ids.map((_id, i) => {
        const [error, added] = results[i] ?? [null, 0];
        if (error) throw error;
        return added === 1;
      });
    },
    async renewEventsWatch(user, ttlMs, announcedTtlMs) {
      const keys = [`${prefix}events-watch:{${user}}`, `${prefix}announced:{${user}}`];
      return (await redis.eval(renewWatchScript, 2, ...keys, String(Math.ceil(ttlMs)), String(Math.ceil(announcedTtlMs)))) === 1;
    },
    async startEventsWatch(user, ttlMs) {
      await redis.set(`${prefix}events-watch:{${user}}`, '1', 'PX', Math.ceil(ttlMs));
    },
    async forgetUser(user) {
      const own = [`${prefix}announced:{${user}}`, `${prefix}events-watch:{${user}}`, `${prefix}lease:${tag(`events:${user}`)}`];
      const perFile = await Promise.all(['status', 'upload', 'lease'].map((kind) => scanKeys(redis, `${globEscape(`${prefix}${kind}:{${user}}/`)}*`)));
      // Every key carries the user's hash tag: one slot, so one DEL on a Cluster too.
      await redis.del(...own, ...perFile.flat());
    },
    async close() {
      // The Redis connection belongs to whoever made it.
    },
  };
}
