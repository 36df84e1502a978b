import { LRUCache } from 'lru-cache';
import type { FileStatus } from '../upstream/types.js';

/** The last status seen for a watched file. */
export interface FileStatusSnapshot {
  fileId: string;
  status: FileStatus;
}

/**
 * The state live updates share between gateway instances: who polls which file or user's events
 * (a lease), the last status seen, when a file was uploaded, which events were already announced,
 * and whether a user's events are being watched (so a poller taking over diffs instead of starting afresh).
 */
export interface LiveState {
  /** Takes the lease, or renews it when this instance holds it; true when this instance holds it now. */
  holdLease(key: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up if this instance holds it. */
  releaseLease(key: string): Promise<void>;
  getStatus(key: string): Promise<FileStatusSnapshot | undefined>;
  setStatus(key: string, snapshot: FileStatusSnapshot, ttlMs: number): Promise<void>;
  /** When a file was uploaded, by the upstream's clock (epoch ms). */
  getUploadTime(key: string): Promise<number | undefined>;
  setUploadTime(key: string, epochMs: number, ttlMs: number): Promise<void>;
  /** For each id, true if it was not announced before (and marks it announced). */
  markAnnounced(user: string, ids: readonly string[], ttlMs: number): Promise<boolean[]>;
  /**
   * Extends the watch of the user's events for `ttlMs` (and keeps the announced events as long as
   * `announcedTtlMs`); false when there was none, so the poller must take a baseline first.
   */
  renewEventsWatch(user: string, ttlMs: number, announcedTtlMs: number): Promise<boolean>;
  /** Starts the watch of the user's events, once the events seen so far are marked announced. */
  startEventsWatch(user: string, ttlMs: number): Promise<void>;
  /** Drops everything of the user: leases, statuses, upload times, announced events, the events watch. */
  forgetUser(user: string): Promise<void>;
  close(): Promise<void>;
}

export interface MemoryLiveStateOptions {
  /** Most entries of each kind kept. @default 10000 */
  maxEntries?: number;
  /** Time source of the entries' lifetimes (tests move it forward instead of waiting). @default performance */
  clock?: { now(): number };
}

/** One process, no sharing: the lease is always this instance's. */
export function createMemoryLiveState(options: MemoryLiveStateOptions = {}): LiveState {
  const max = options.maxEntries ?? 10_000;
  const perf = options.clock ? { perf: options.clock } : {};
  const statuses = new LRUCache<string, FileStatusSnapshot>({ max, ...perf });
  const uploads = new LRUCache<string, number>({ max, ...perf });
  const announced = new LRUCache<string, true>({ max: max * 10, ...perf });
  const watches = new LRUCache<string, true>({ max, ...perf });
  return {
    holdLease: async () => true,
    releaseLease: async () => {},
    getStatus: async (key) => statuses.get(key),
    setStatus: async (key, snapshot, ttlMs) => {
      statuses.set(key, snapshot, { ttl: ttlMs });
    },
    getUploadTime: async (key) => uploads.get(key),
    setUploadTime: async (key, epochMs, ttlMs) => {
      uploads.set(key, epochMs, { ttl: ttlMs });
    },
    markAnnounced: async (user, ids, ttlMs) =>
      ids.map((id) => {
        const key = `${user}\u0000${id}`;
        if (announced.has(key)) return false;
        announced.set(key, true, { ttl: ttlMs });
        return true;
      }),
    renewEventsWatch: async (user, ttlMs) => {
      if (!watches.has(user)) return false;
      watches.set(user, true, { ttl: ttlMs });
      return true;
    },
    startEventsWatch: async (user, ttlMs) => {
      watches.set(user, true, { ttl: ttlMs });
    },
    forgetUser: async (user) => {
      const own = (separator: string) => (key: string) => key.startsWith(user + separator);
      for (const [map, separator] of [[statuses, '/'], [uploads, '/'], [announced, '\u0000']] as const) {
        for (const key of [...map.keys()].filter(own(separator))) map.delete(key);
      }
      watches.delete(user);
    },
    close: async () => {
      statuses.clear();
      uploads.clear();
      announced.clear();
      watches.clear();
    },
  };
}
