/**
 * The keyring in Redis, shared by every gateway instance: one hash `<prefix>{keyring}` (user ->
 * sealed record) and the verification record at `<prefix>{keyring}:meta`. No expiry: a link lasts
 * until it is disconnected. `{keyring}` is a Redis Cluster hash tag: both keys share one slot, so
 * a key rotation rewrites them in one transaction on a cluster too.
 */
import type { RedisClient } from '../redis.js';
import { metaSchema, sealedSchema, type KeyringMeta, type Sealed } from './crypto.js';
import { KeyringError, type KeyringStore } from './store.js';

export interface RedisKeyringStoreOptions {
  /** Prepended to the keys (MEMGATE_REDIS_PREFIX). @default 'memgate:' */
  prefix?: string;
}

export function createRedisKeyringStore(redis: RedisClient, options: RedisKeyringStoreOptions = {}): KeyringStore {
  const prefix = options.prefix ?? 'memgate:';
  const hash = `${prefix}{keyring}`;
  const metaKey = `${prefix}{keyring}:meta`;

  const parse = <T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, raw: string, what: string): T => {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      json = undefined;
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new KeyringError('CORRUPT', `keyring in Redis (${what}): not a memgate keyring record`);
    return parsed.data;
  };

  /** Redis failures as KeyringError UNAVAILABLE, without the URL (it may hold a password). */
  const guard = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (error instanceof KeyringError) throw error;
      throw new KeyringError('UNAVAILABLE', `keyring in Redis: ${what} failed (${(error as Error).message.slice(0, 80)})`);
    }
  };

  return {
    where: `Redis (key ${hash})`,
    readMeta: () =>
      guard('read', async () => {
        const raw = await redis.get(metaKey);
        return raw === null ? null : parse<KeyringMeta>(metaSchema, raw, metaKey);
      }),
    initMeta: (meta) =>
      guard('init', async () => {
        await redis.set(metaKey, JSON.stringify(meta), 'NX');
        const raw = await redis.get(metaKey);
        return raw === null ? meta : parse<KeyringMeta>(metaSchema, raw, metaKey);
      }),
    get: (user) =>
      guard('read', async () => {
        const raw = await redis.hget(hash, user);
        return raw === null ? null : parse<Sealed>(sealedSchema, raw, `${hash} ${user}`);
      }),
    set: (user, sealed) => guard('write', async () => void (await redis.hset(hash, user, JSON.stringify(sealed)))),
    delete: (user) => guard('delete', async () => (await redis.hdel(hash, user)) > 0),
    entries: () =>
      guard('read', async () => {
        const all = await redis.hgetall(hash);
        return new Map(Object.entries(all).map(([user, raw]) => [user, parse<Sealed>(sealedSchema, raw, `${hash} ${user}`)]));
      }),
    replaceAll: (meta, entries) =>
      guard('rotate', async () => {
        const multi = redis.multi().del(hash).set(metaKey, JSON.stringify(meta));
        if (entries.size > 0) multi.hset(hash, Object.fromEntries([...entries].map(([u, s]) => [u, JSON.stringify(s)])));
        const results = await multi.exec();
        const failed = results?.find(([error]) => error);
        if (!results || failed) throw new Error('transaction failed');
      }),
    async close() {
      // The Redis connection belongs to whoever made it.
    },
  };
}
