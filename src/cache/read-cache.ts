import { LRUCache } from 'lru-cache';
import type { CacheStore } from './cache-store.js';

/** The kinds of upstream reads the gateway caches; each user has one namespace per kind. */
export type CachedReadKind =
  | 'profile' | 'events' | 'search' | 'answer' | 'files' | 'bio' | 'memories'
  | 'download' | 'thumbnail' | 'memoryProfile' | 'memoryList';

/** Every kind: what forgetting a user drops. */
export const CACHED_READ_KINDS: readonly CachedReadKind[] = [
  'profile', 'events', 'search', 'answer', 'files', 'bio', 'memories', 'download', 'thumbnail', 'memoryProfile', 'memoryList',
];

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
export interface ReadCache {
  /** Default lifetime of short-lived reads, in ms. */
  readonly ttlMs: number;
  /**
   * The cached value of `load()` for (kind, user, args). `ttlMs(value)` decides how long this
   * value lives (default: `ttlMs` of the options); 0 or less: not cached. `signal` is the
   * caller's: when it aborts, this caller stops waiting, but a load shared with other callers is
   * aborted (through the signal `load` receives) only once every caller waiting on it has gone.
   */
  read<T>(
    kind: CachedReadKind,
    user: string,
    args: unknown,
    load: (signal: AbortSignal | undefined) => Promise<T>,
    ttlMs?: (value: T) => number,
    signal?: AbortSignal,
  ): Promise<T>;
  /** Stores a value just read from the upstream (e.g. a regenerated biography). */
  put(kind: CachedReadKind, user: string, args: unknown, value: unknown, ttlMs: number): Promise<void>;
  /** Drops every cached read of these kinds for this user. */
  invalidate(user: string, kinds: readonly CachedReadKind[]): Promise<void>;
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

/** One upstream load shared by every concurrent identical read. */
interface Flight {
  promise: Promise<unknown>;
  controller: AbortController;
  /** Callers still waiting that could still abort; a caller without a signal pins the load. */
  abortable: number;
  pinned: boolean;
  /** Aborts the load and forgets it, so later reads start afresh. */
  abandon(reason: unknown): void;
}

/** Waits for a shared load on behalf of one caller, leaving (and maybe aborting the load) when its signal aborts. */
function waitFor<T>(flight: Flight, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) {
    flight.pinned = true;
    return flight.promise as Promise<T>;
  }
  flight.abortable += 1;
  return new Promise<T>((resolve, reject) => {
    const leave = () => {
      flight.abortable -= 1;
      if (flight.abortable === 0 && !flight.pinned) flight.abandon(signal.reason);
      reject(signal.reason);
    };
    if (signal.aborted) return leave();
    signal.addEventListener('abort', leave, { once: true });
    flight.promise.then(
      (value) => {
        signal.removeEventListener('abort', leave);
        resolve(value as T);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', leave);
        reject(error);
      },
    );
  });
}

export function createReadCache(options: ReadCacheOptions): ReadCache {
  const { store } = options;
  const defaultTtl = options.ttlMs ?? 30_000;
  const onError = options.onError ?? (() => {});
  const inFlight = new Map<string, Flight>();
  // When each namespace was last invalidated, on a local counter; enough to spot loads that raced an invalidation.
  let clock = 0;
  const invalidatedAt = new LRUCache<string, number>({ max: 10_000 });
  const stats: ReadCacheStats = { hits: 0, misses: 0 };

  // The user in braces is a Redis Cluster hash tag: every namespace of one user maps to one slot.
  const namespaceOf = (kind: CachedReadKind, user: string) => `${kind}:{${user}}`;

  return {
    ttlMs: defaultTtl,
    async read<T>(
      kind: CachedReadKind,
      user: string,
      args: unknown,
      load: (signal: AbortSignal | undefined) => Promise<T>,
      ttlMs?: (value: T) => number,
      signal?: AbortSignal,
    ): Promise<T> {
      if (!user || defaultTtl <= 0) return load(signal);
      const namespace = namespaceOf(kind, user);
      const field = stableKey(args);
      const flightKey = `${namespace}\u0000${field}`;
      const pending = inFlight.get(flightKey);
      if (pending) {
        stats.hits += 1;
        return waitFor<T>(pending, signal);
      }
      const controller = new AbortController();
      const promise = (async () => {
        try {
          const cached = await store.get(namespace, field);
          if (cached !== undefined) {
            stats.hits += 1;
            return cached as T;
          }
        } catch (error) {
          onError(error, 'get');
        }
        stats.misses += 1;
        const startedAt = clock;
        const value = await load(controller.signal);
        const ttl = ttlMs ? ttlMs(value) : defaultTtl;
        if (ttl > 0 && (invalidatedAt.get(namespace) ?? -1) <= startedAt) {
          try {
            await store.set(namespace, field, value, ttl);
          } catch (error) {
            onError(error, 'set');
          }
        }
        return value;
      })();
      const flight: Flight = {
        promise,
        controller,
        abortable: 0,
        pinned: false,
        abandon(reason) {
          if (inFlight.get(flightKey) === flight) inFlight.delete(flightKey);
          controller.abort(reason);
        },
      };
      inFlight.set(flightKey, flight);
      // Nobody may be left to observe a failure once every caller has gone.
      promise.catch(() => {});
      try {
        return await waitFor<T>(flight, signal);
      } finally {
        void promise.finally(() => {
          if (inFlight.get(flightKey) === flight) inFlight.delete(flightKey);
        }).catch(() => {});
      }
    },
    async put(kind, user, args, value, ttlMs) {
      if (!user || !(ttlMs > 0) || defaultTtl <= 0) return;
      try {
        await store.set(namespaceOf(kind, user), stableKey(args), value, ttlMs);
      } catch (error) {
        onError(error, 'set');
      }
    },
    async invalidate(user, kinds) {
      if (!user || kinds.length === 0) return;
      const namespaces = kinds.map((kind) => namespaceOf(kind, user));
      clock += 1;
      for (const namespace of namespaces) invalidatedAt.set(namespace, clock);
      // Reads after this point must not join a load that began before it.
      for (const key of [...inFlight.keys()]) {
        if (namespaces.some((namespace) => key.startsWith(`${namespace}\u0000`))) inFlight.delete(key);
      }
      try {
        await store.invalidate(namespaces);
      } catch (error) {
        onError(error, 'invalidate');
      }
    },
    stats: () => ({ ...stats }),
    close: () => store.close(),
  };
}
