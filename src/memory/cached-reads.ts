/**
 * Upstream reads through the read cache, per user and arguments. The clients are looked up on
 * every call (`clients.synvo.getProfile(...)`), never captured, so the composition root's clients
 * are the ones called. File statuses and answer streams are never cached: they are live.
 */
import type { ReadCache } from '../cache/read-cache.js';
import type { BioFormat, BioStyle, CallOptions, MemSyncClient, SynvoClient } from '../upstream/types.js';
import { biographyNotReady, toBiography, type BiographyResult } from './states.js';

export interface UpstreamClients {
  synvo: SynvoClient;
  memsync: MemSyncClient;
}

/** The Synvo reads the loaders make; the same signatures as the client's. */
export type SynvoReads = Pick<SynvoClient, 'getProfile' | 'getEvents' | 'ask' | 'searchFiles' | 'listFiles'>;

export interface BiographyQuery {
  format: BioFormat;
  style: BioStyle;
  excludeCategories?: string[];
}

export interface MemSyncReads {
  /** The biography, or the not-ready state (cached too, briefly: storing memories drops it). */
  biography(user: string, query: BiographyQuery, opts?: CallOptions): Promise<BiographyResult>;
  searchMemories: MemSyncClient['searchMemories'];
}

export interface CachedReads {
  synvo: SynvoReads;
  memsync: MemSyncReads;
  /** Caches a biography just regenerated, under the arguments it was asked with. */
  rememberBiography(user: string, query: BiographyQuery, result: BiographyResult): Promise<void>;
}

export interface CachedReadsOptions {
  /** Longest a biography is kept, even when it expires later upstream. @default 86400000 (a day) */
  bioMaxTtlMs?: number;
}

export function createCachedReads(clients: UpstreamClients, cache: ReadCache, options: CachedReadsOptions = {}): CachedReads {
  const bioMaxTtl = options.bioMaxTtlMs ?? 86_400_000;
  const bioTtl = (result: BiographyResult) =>
    result.kind === 'biography' ? Math.min(result.bio.expiresAt.getTime() - Date.now(), bioMaxTtl) : cache.ttlMs;
  const loadBiography = async (user: string, query: BiographyQuery, signal: AbortSignal | undefined): Promise<BiographyResult> => {
    try {
      return toBiography(await clients.memsync.getBio(user, query, { signal }), query);
    } catch (error) {
      const notReady = biographyNotReady(error);
      if (notReady) return notReady;
      throw error;
    }
  };
  return {
    synvo: {
      getProfile: (user, opts) =>
        cache.read('profile', user, null, (signal) => clients.synvo.getProfile(user, { ...opts, signal }), undefined, opts?.signal),
      getEvents: (user, query, opts) =>
        cache.read('events', user, query ?? {}, (signal) => clients.synvo.getEvents(user, query, { ...opts, signal }), undefined, opts?.signal),
      ask: (user, question, opts) =>
        cache.read('answer', user, question, (signal) => clients.synvo.ask(user, question, { ...opts, signal }), undefined, opts?.signal),
      searchFiles: (user, query, opts) =>
        cache.read('search', user, query, (signal) => clients.synvo.searchFiles(user, query, { ...opts, signal }), undefined, opts?.signal),
      listFiles: (user, query, opts) =>
        cache.read('files', user, query ?? {}, (signal) => clients.synvo.listFiles(user, query, { ...opts, signal }), undefined, opts?.signal),
    },
    memsync: {
      biography: (user, query, opts) =>
        cache.read('bio', user, query, (signal) => loadBiography(user, query, signal), bioTtl, opts?.signal),
      searchMemories: (user, query, opts) =>
        cache.read('memories', user, query, (signal) => clients.memsync.searchMemories(user, query, { ...opts, signal }), undefined, opts?.signal),
    },
    rememberBiography: (user, query, result) => cache.put('bio', user, query, result, bioTtl(result)),
  };
}
