/**
 * The parts of the composition root built from the config that every request and instance
 * shares: the upstream clients, the keyring, the read cache and live updates (in memory, or in
 * Redis over the connections `app.ts` opened). Nothing here opens a Redis connection.
 */
import { createMemoryCacheStore } from './cache/memory-store.js';
import { createReadCache, type ReadCache } from './cache/read-cache.js';
import { createRedisCacheStore } from './cache/redis-store.js';
import type { Config } from './config.js';
import { createKeyring, type Keyring } from './keyring/index.js';
import { createMemoryPubSub, createRedisPubSub } from './live/live-pubsub.js';
import { createMemoryLiveState } from './live/live-state.js';
import { createLiveUpdates, type LiveUpdates } from './live/live-updates.js';
import { createRedisLiveState } from './live/redis-live-state.js';
import type { Invalidator, UpstreamClients } from './memory/index.js';
import type { Observability } from './observability/index.js';
import type { RedisConnections } from './redis.js';
import { createMemSyncClient, createSynvoClient } from './upstream/index.js';

/** The parts every request and instance shares: what the domain layer stands on. */
export interface SharedState {
  /** The upstream clients every call goes through (looked up per call). */
  clients: UpstreamClients;
  cache: ReadCache;
  live: LiveUpdates;
  /** True when the cache and live state live in Redis. */
  shared: boolean;
}

/** `keyOf`: a user's MemSync API key (the keyring), for MEMSYNC_SCOPING=key. */
export function createUpstreamClients(
  config: Readonly<Config>,
  observability: Observability,
  keyOf: (user: string) => Promise<string | null>,
): UpstreamClients {
  if (!config.synvo.baseUrl || !config.memsync.baseUrl) {
    throw new Error('No upstream base URL: set SYNVO_BASE_URL and MEMSYNC_BASE_URL, or run `npm start` to use the embedded emulators');
  }
  const options = { ...config.upstreamOptions, ...observability.upstreamHooks };
  return {
    synvo: createSynvoClient({ baseUrl: config.synvo.baseUrl, apiKey: config.synvo.apiKey, options }),
    memsync: createMemSyncClient({
      baseUrl: config.memsync.baseUrl,
      apiKey: config.memsync.apiKey,
      scoping: config.memsync.scoping,
      keyOf,
      agentId: config.memsync.agentId,
      options,
    }),
  };
}

/**
 * The keyring the config asks for: in Redis (shared by every instance) with REDIS_URL, else in the
 * encrypted file under MEMGATE_DATA_DIR; null with MEMSYNC_SCOPING=user-param. Throws
 * KeyringError (wrong secret, corrupt keyring, bad MEMSYNC_USER_KEYS_FILE) before anything serves.
 */
export function openConfiguredKeyring(config: Readonly<Config>, redis: RedisConnections | null, observability: Observability): Promise<Keyring> | null {
  if (!config.keyring) return null;
  return createKeyring(config.keyring, {
    redis: redis?.get('keyring') ?? null,
    redisPrefix: config.redisPrefix,
    onDeferred: (error) => observability.logger.warn({ err: error }, 'keyring: Redis unreachable at start; opening the keyring on first use'),
  });
}

/** The read cache and live updates: in memory, or in Redis shared with every instance. */
export function createSharedState(
  config: Readonly<Config>,
  clients: UpstreamClients,
  redis: RedisConnections | null,
  invalidate: (cache: ReadCache) => Invalidator,
  onError: (error: unknown, what: string) => void,
): SharedState & { invalidator: Invalidator } {
  const prefix = config.redisPrefix;
  const cache = createReadCache({
    store: redis ? createRedisCacheStore(redis.get('commands'), { prefix }) : createMemoryCacheStore({ maxEntries: config.cache.maxEntries }),
    ttlMs: config.cache.ttlMs,
    onError: (error, operation) => onError(error, `cache ${operation}`),
  });
  const invalidator = invalidate(cache);
  const live = createLiveUpdates({
    synvo: clients.synvo,
    state: redis ? createRedisLiveState(redis.get('commands'), { prefix }) : createMemoryLiveState(),
    pubsub: redis
      ? createRedisPubSub({
          publisher: redis.get('commands'),
          subscriber: redis.get('subscriber'),
          prefix,
          sharded: redis.cluster,
          onError: (error) => onError(error, 'live fan-out'),
        })
      : createMemoryPubSub(),
    pollIntervalMs: config.live.pollIntervalMs,
    eventsPollIntervalMs: config.live.eventsPollIntervalMs,
    eventsWindow: config.live.eventsWindow,
    onFileSettled: invalidator.afterFileSettled,
    onNewEvents: (user) => invalidator.after('newEvents', user),
    onUserForgotten: (user) => invalidator.after('forgetUser', user),
    onError,
  });
  return { clients, cache, live, shared: !!redis, invalidator };
}
