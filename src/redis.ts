/**
 * The one module that opens Redis connections: one per role, made on first use, all closed
 * together, to one Redis server (REDIS_URL) or to a Redis Cluster (REDIS_CLUSTER_NODES). Only the
 * composition root (`src/app.ts`) calls `openRedis`; everything else is handed the connection of
 * its role, and works on either: every key of one user carries the user as a hash tag (`{name}`),
 * so the keys one operation touches together always share a slot.
 */
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Config } from './config.js';

/** A connection of one role: to a single Redis server, or to a whole Redis Cluster. */
export type RedisClient = Redis | Cluster;

/** Where the shared state lives. */
export type RedisTarget = { url: string } | { clusterNodes: ReadonlyArray<{ host: string; port: number }> };

/** The Redis the config names (REDIS_URL or REDIS_CLUSTER_NODES), or none: state stays in memory. */
export function redisTarget(config: Pick<Config, 'redisUrl' | 'redisClusterNodes'>): RedisTarget | null {
  if (config.redisClusterNodes?.length) return { clusterNodes: config.redisClusterNodes };
  return config.redisUrl ? { url: config.redisUrl } : null;
}

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
  /** True on a Redis Cluster: live fan-out then uses sharded pub/sub (SPUBLISH/SSUBSCRIBE, Redis 7). */
  readonly cluster: boolean;
  /** The connection of `role`, opened on first use. */
  get(role: RedisRole): RedisClient;
  /**
   * Resolves once the connection of `role` is ready, or at its first error, or after `timeoutMs`
   * (Redis away must not block a start).
   */
  ready(role: RedisRole, timeoutMs?: number): Promise<void>;
  /** Quits every connection opened (disconnects those that do not answer). */
  close(): Promise<void>;
}

/**
 * A Cluster client per role. A master that goes away takes its slots with it (no replica in the
 * smallest deployments): commands for them fail within the command timeout and the gateway reads
 * them as cache misses; the client keeps refreshing the slot map and reconnects when it returns.
 */
function openCluster(nodes: ReadonlyArray<{ host: string; port: number }>, role: RedisRole): Cluster {
  const { enableOfflineQueue, ...redisOptions } = roleOptions[role];
  const options: ClusterOptions = {
    redisOptions,
    enableOfflineQueue: enableOfflineQueue ?? true,
    // One subscriber connection per master, so each shard's channels are read where they live.
    shardedSubscribers: role === 'subscriber',
    clusterRetryStrategy: (attempt) => Math.min(100 * attempt, 2_000),
    retryDelayOnClusterDown: 200,
    slotsRefreshInterval: 2_000,
    slotsRefreshTimeout: 1_000,
  };
  return new Cluster(nodes.map((n) => ({ host: n.host, port: n.port })), options);
}

/** `onError`: every connection error (without a listener an unreachable Redis would crash the process). */
export function openRedis(target: RedisTarget, onError: (error: unknown, role: RedisRole) => void): RedisConnections {
  const open = new Map<RedisRole, RedisClient>();
  const get = (role: RedisRole) => {
    let redis = open.get(role);
    if (!redis) {
      redis = 'clusterNodes' in target ? openCluster(target.clusterNodes, role) : new Redis(target.url, roleOptions[role]);
      redis.on('error', (error: unknown) => onError(error, role));
      open.set(role, redis);
    }
    return redis;
  };
  return {
    cluster: 'clusterNodes' in target,
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
