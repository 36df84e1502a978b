/**
 * What gateway instances share: the read cache and the live updates. In memory (lru-cache,
 * in-process pub/sub) by default; in Redis when `REDIS_URL` is set, so that several instances
 * behind a load balancer share the cache, poll each file once and fan updates out to each other.
 */
import { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { createCachedMemSyncClient, createCachedSynvoClient } from '../cache/cached-clients.js';
import { createMemoryCacheStore } from '../cache/memory-store.js';
import { createReadCache, type ReadCache } from '../cache/read-cache.js';
import { createRedisCacheStore } from '../cache/redis-store.js';
import type { MemSyncClient, SynvoClient } from '../upstream/types.js';
import { createMemoryPubSub, createRedisPubSub } from './live-pubsub.js';
import { createMemoryLiveState } from './live-state.js';
import { createLiveUpdates, type LiveUpdates } from './live-updates.js';
import { createRedisLiveState } from './redis-live-state.js';

export interface GatewayState {
  /** The upstream clients with cached reads and invalidating writes: what requests use. */
  clients: { synvo: SynvoClient; memsync: MemSyncClient };
  cache: ReadCache;
  live: LiveUpdates;
  /** True when the state lives in Redis. */
  shared: boolean;
  close(): Promise<void>;
}

export interface GatewayStateOptions {
  /** Told about cache, Redis and polling failures (none of them fails a request). */
  onError?: (error: unknown, what: string) => void;
}

type StateConfig = Pick<Config, 'redisUrl' | 'redisPrefix' | 'cache' | 'live'>;

export function createGatewayState(
  config: Readonly<StateConfig>,
  upstream: { synvo: SynvoClient; memsync: MemSyncClient },
  options: GatewayStateOptions = {},
): GatewayState {
  const onError = options.onError ?? (() => {});
  const connections: Redis[] = [];
  const connect = (role: string) => {
    // A slow or unreachable Redis must cost a request little: the cache then reads as a miss.
    const redis = new Redis(config.redisUrl!, { maxRetriesPerRequest: 1, ...(role === 'commands' ? { commandTimeout: 1_000 } : {}) });
    // Without a listener an unreachable Redis would crash the process; the cache degrades to misses instead.
    redis.on('error', (error: unknown) => onError(error, `redis ${role}`));
    connections.push(redis);
    return redis;
  };

  const redis = config.redisUrl ? connect('commands') : null;
  const cache = createReadCache({
    store: redis ? createRedisCacheStore(redis, { prefix: config.redisPrefix }) : createMemoryCacheStore({ maxEntries: config.cache.maxEntries }),
    ttlMs: config.cache.ttlMs,
    onError: (error, operation) => onError(error, `cache ${operation}`),
  });
  const live = createLiveUpdates({
    synvo: upstream.synvo,
    cache,
    state: redis ? createRedisLiveState(redis, { prefix: config.redisPrefix }) : createMemoryLiveState(),
    pubsub: redis ? createRedisPubSub({ publisher: redis, subscriber: connect('subscriber'), prefix: config.redisPrefix }) : createMemoryPubSub(),
    pollIntervalMs: config.live.pollIntervalMs,
    eventsPollIntervalMs: config.live.eventsPollIntervalMs,
    onError,
  });

  return {
    clients: {
      synvo: createCachedSynvoClient(upstream.synvo, cache),
      memsync: createCachedMemSyncClient(upstream.memsync, cache),
    },
    cache,
    live,
    shared: !!redis,
    async close() {
      await live.close();
      await cache.close();
      await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}
