import { LRUCache } from 'lru-cache';
import type { CacheStore } from './cache-store.js';
import { createSharedLoads } from './shared-loads.js';

export interface ReadCacheOptions {
  store: CacheStore;
  /** Lifetime of profile, events, searches, answers, file lists and memory searches. 0 turns the whole read cache off. @default 30000 */
  ttlMs?: number;
  /** Called when the store fails; the read then goes to the upstream as if it were a miss. */
  onError?: (error: unknown, operation: 'get' | 'set' | 'invalidate') => void;
}

export interface ReadCacheStats {
  hits: number;
  misses: number;
}

/**
 * Upstream reads cached per user and arguments. The user is part of every key by construction
 * (no user, no cache), concurrent identical misses share one upstream call, and a load that was
 * in flight while its namespace was invalidated is not written back.
 */
/**
 * A cached read's kind is a name its user chooses (the domain's kinds are in
 * `src/memory/cached-reads.ts`); each user has one namespace per kind.
 */
export interface ReadCache<K extends string = string> {
  /** Default lifetime of short-lived reads, in ms. */
  readonly ttlMs: number;
  /**
   * The cached value of `load()` for (kind, user, args). `ttlMs(value)` decides how long this
   * value lives (default: `ttlMs` of the options); 0 or less: not cached. `signal` is the
   * caller's: when it aborts, this caller stops waiting, but a load shared with other callers is
   * aborted (through the signal `load` receives) only once every caller waiting on it has gone.
   */
  read<T>(
    kind: K,
    user: string,
    args: unknown,
    load: (signal: AbortSignal | undefined) => Promise<T>,
    ttlMs?: (value: T) => number,
    signal?: AbortSignal,
  ): Promise<T>;
  /** Stores a value just read from the upstream (e.g. a regenerated biography). */
  put(kind: K, user: string, args: unknown, value: unknown, ttlMs: number): Promise<void>;
  /** Drops every cached read of these kinds for this user. */
  invalidate(user: string, kinds: readonly K[]): Promise<void>;
  stats(): ReadCacheStats;
  close(): Promise<void>;
}

/** A JSON key whose object keys are sorted, so equal arguments give equal keys. */
export function stableKey(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const item = (v as Record<string, unknown>)[k];
      if (item !== undefined) sorted[k] = item;
    }
    return sorted;
  }) ?? 'null';
}

/**
 * The store's writes as the read cache makes them: a failure is reported and passed over, and a
 * load that was in flight while its namespace was invalidated is not written back.
 */
function guardWrites(store: CacheStore, onError: NonNullable<ReadCacheOptions['onError']>) {
  // When each namespace was last invalidated, on a local counter; enough to spot loads that raced an invalidation.
  let clock = 0;
  const invalidatedAt = new LRUCache<string, number>({ max: 10_000 });
  return {
    /** The time a load starts at, to hand to `set`. */
    now: () => clock,
    /** Writes the value, unless its namespace was invalidated after `loadedSince`. */
    async set(namespace: string, field: string, value: unknown, ttlMs: number, loadedSince = clock) {
      if ((invalidatedAt.get(namespace) ?? -1) > loadedSince) return;
      try {
        await store.set(namespace, field, value, ttlMs);
      } catch (error) {
        onError(error, 'set');
      }
    },
    async invalidate(namespaces: readonly string[]) {
      clock += 1;
      for (const namespace of namespaces) invalidatedAt.set(namespace, clock);
      try {
        await store.invalidate(namespaces);
      } catch (error) {
        onError(error, 'invalidate');
      }
    },
  };
}

export function createReadCache(options: ReadCacheOptions): ReadCache {
  const onError = options.onError ?? (() => {});
  const writes = guardWrites(options.store, onError);
  const defaultTtl = options.ttlMs ?? 30_000;
  const loads = createSharedLoads();
  const stats: ReadCacheStats = { hits: 0, misses: 0 };

  // The user in braces is a Redis Cluster hash tag: every namespace of one user maps to one slot.
  const namespaceOf = (kind: string, user: string) => `${kind}:{${user}}`;

  /** The stored value, else `load()`'s, written back for `ttlMs(value)`. */
  async function readThrough<T>(namespace: string, field: string, load: (signal: AbortSignal) => Promise<T>, ttlMs: ((value: T) => number) | undefined, signal: AbortSignal): Promise<T> {
    try {
      const cached = await options.store.get(namespace, field);
      if (cached !== undefined) {
        stats.hits += 1;
        return cached as T;
      }
    } catch (error) {
      // A failing store reads as a miss.
      onError(error, 'get');
    }
    stats.misses += 1;
    const startedAt = writes.now();
    const value = await load(signal);
    const ttl = ttlMs ? ttlMs(value) : defaultTtl;
    if (ttl > 0) await writes.set(namespace, field, value, ttl, startedAt);
    return value;
  }

  return {
    ttlMs: defaultTtl,
    async read<T>(
      kind: string,
      user: string,
      args: unknown,
      load: (signal: AbortSignal | undefined) => Promise<T>,
      ttlMs?: (value: T) => number,
      signal?: AbortSignal,
    ): Promise<T> {
      if (!user || defaultTtl <= 0) return load(signal);
      const namespace = namespaceOf(kind, user);
      const field = stableKey(args);
      const key = `${namespace}\u0000${field}`;
      const joined = loads.join<T>(key, signal);
      if (joined) {
        stats.hits += 1;
        return joined;
      }
      return loads.start(key, (shared) => readThrough(namespace, field, load, ttlMs, shared), signal);
    },
    async put(kind, user, args, value, ttlMs) {
      if (!user || !(ttlMs > 0) || defaultTtl <= 0) return;
      await writes.set(namespaceOf(kind, user), stableKey(args), value, ttlMs);
    },
    async invalidate(user, kinds) {
      if (!user || kinds.length === 0) return;
      const namespaces = kinds.map((kind) => namespaceOf(kind, user));
      // Reads after this point must not join a load that began before it.
      loads.forget(namespaces.map((namespace) => `${namespace}\u0000`));
      await writes.invalidate(namespaces);
    },
    stats: () => ({ ...stats }),
    close: () => options.store.close(),
  };
}
