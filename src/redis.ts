/**
 * The one module that opens Redis connections: one per role, made on first use, all closed
 * together. Only the composition root (`src/app.ts`) calls `openRedis`; everything else is
 * handed the connection of its role.
 */
import { Redis, type RedisOptions } from 'ioredis';

/**
 * - `commands`: the read cache and live state; a slow Redis must cost a request little (1 s
 *   command timeout: the cache then reads as a miss);
 * - `subscriber`: live fan-out; a connection in subscriber mode can do nothing else;
 * - `rateLimit`: rate limits; no offline queue, so a Redis away answers at once and the limiter
 *   falls back to in-process counters;
 * - `keyring`: the per-user MemSync keys; a call that needs a key waits a little longer for one
 *   than a cache read does (2 s), and fails rather than falling back.
 */
export type RedisRole = 'commands' | 'subscriber' | 'rateLimit' | 'keyring';

const roleOptions: Record<RedisRole, RedisOptions> = {
  commands: { maxRetriesPerRequest: 1, commandTimeout: 1_000 },
  subscriber: { maxRetriesPerRequest: 1 },
  rateLimit: { maxRetriesPerRequest: 1, enableOfflineQueue: false },
  keyring: { maxRetriesPerRequest: 1, commandTimeout: 2_000 },
};

export interface RedisConnections {
  /** The connection of `role`, opened on first use. */
  get(role: RedisRole): Redis;
  /**
   * Resolves once the connection of `role` is ready, or at its first error, or after `timeoutMs`
   * (Redis away must not block a start).
   */
  ready(role: RedisRole, timeoutMs?: number): Promise<void>;
  /** Quits every connection opened (disconnects those that do not answer). */
  close(): Promise<void>;
}

/** `onError`: every connection error (without a listener an unreachable Redis would crash the process). */
export function openRedis(url: string, onError: (error: unknown, role: RedisRole) => void): RedisConnections {
  const open = new Map<RedisRole, Redis>();
  const get = (role: RedisRole) => {
    let redis = open.get(role);
    if (!redis) {
      redis = new Redis(url, roleOptions[role]);
      redis.on('error', (error: unknown) => onError(error, role));
      open.set(role, redis);
    }
    return redis;
  };
  return {
    get,
    ready(role, timeoutMs = 2_000) {
      const client = get(role);
      if (client.status === 'ready') return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          client.off('ready', done);
          client.off('error', done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        client.once('ready', done);
        client.once('error', done);
      });
    },
    async close() {
      await Promise.all([...open.values()].map((c) => c.quit().catch(() => c.disconnect())));
      open.clear();
    },
  };
}
