/**
 * Upstream reads through the read cache, per user and arguments. The clients are looked up on
 * every call (`clients.synvo.getProfile(...)`), never captured, so the composition root's clients
 * are the ones called. File statuses and answer streams are never cached: they are live.
 */
import type { ReadCache } from '../cache/read-cache.js';
import type { BioFormat, BioStyle, CallOptions, DownloadLink, MemSyncClient, SynvoClient, Thumbnail } from '../upstream/types.js';
import { biographyNotReady, toBiography, type BiographyResult } from './states.js';

/**
 * The kinds of upstream reads the gateway caches, one namespace per user and kind. A new cached
 * read adds its kind here, its read below, its loader in `loaders.ts` and the writes that drop it
 * in `invalidation.ts`.
 */
export const CACHED_READ_KINDS = [
  'profile', 'events', 'search', 'answer', 'files', 'bio', 'memories', 'download', 'thumbnail', 'memoryProfile', 'memoryList',
] as const;
export type CachedReadKind = (typeof CACHED_READ_KINDS)[number];

export interface UpstreamClients {
  synvo: SynvoClient;
  memsync: MemSyncClient;
}

/** The Synvo reads the loaders make; the same signatures as the client's. */
export type SynvoReads = Pick<SynvoClient, 'getProfile' | 'getEvents' | 'ask' | 'searchFiles' | 'listFiles' | 'getDownloadUrl' | 'getThumbnail'>;

export interface BiographyQuery {
  format: BioFormat;
  style: BioStyle;
  excludeCategories?: string[];
}

export interface MemSyncReads {
  /** The biography, or the not-ready state (cached too, briefly: storing memories drops it). */
  biography(user: string, query: BiographyQuery, opts?: CallOptions): Promise<BiographyResult>;
  searchMemories: MemSyncClient['searchMemories'];
  getProfile: MemSyncClient['getProfile'];
  listMemories: MemSyncClient['listMemories'];
}

/** A signed download URL is cached at most until a minute before it stops working; one that does not say when: not at all. */
const DOWNLOAD_URL_MARGIN_MS = 60_000;

/** A thumbnail as the cache keeps it (JSON, so Redis can hold it): the bytes in base64. */
interface CachedThumbnail {
  mimeType: string;
  base64: string;
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

export function createCachedReads(clients: UpstreamClients, cache: ReadCache<CachedReadKind>, options: CachedReadsOptions = {}): CachedReads {
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
      getDownloadUrl: (user, fileId, opts) =>
        cache.read<DownloadLink>(
          'download',
          user,
          fileId,
          (signal) => clients.synvo.getDownloadUrl(user, fileId, { ...opts, signal }),
          (link) => (link.expiresAt ? Math.min(cache.ttlMs, link.expiresAt.getTime() - Date.now() - DOWNLOAD_URL_MARGIN_MS) : 0),
          opts?.signal,
        ),
      getThumbnail: async (user, fileId, maxSize, opts) => {
        const cached = await cache.read<CachedThumbnail | null>(
          'thumbnail',
          user,
          { fileId, maxSize: maxSize ?? null },
          async (signal) => {
            const thumb: Thumbnail | null = await clients.synvo.getThumbnail(user, fileId, maxSize, { ...opts, signal });
            return thumb ? { mimeType: thumb.mimeType, base64: Buffer.from(thumb.bytes).toString('base64') } : null;
          },
          undefined,
          opts?.signal,
        );
        return cached ? { mimeType: cached.mimeType, bytes: new Uint8Array(Buffer.from(cached.base64, 'base64')) } : null;
      },
    },
    memsync: {
      biography: (user, query, opts) =>
        cache.read('bio', user, query, (signal) => loadBiography(user, query, signal), bioTtl, opts?.signal),
      searchMemories: (user, query, opts) =>
        cache.read('memories', user, query, (signal) => clients.memsync.searchMemories(user, query, { ...opts, signal }), undefined, opts?.signal),
      getProfile: (user, query, opts) =>
        cache.read('memoryProfile', user, query ?? {}, (signal) => clients.memsync.getProfile(user, query, { ...opts, signal }), undefined, opts?.signal),
      listMemories: (user, query, opts) =>
        cache.read('memoryList', user, query ?? {}, (signal) => clients.memsync.listMemories(user, query, { ...opts, signal }), undefined, opts?.signal),
    },
    rememberBiography: (user, query, result) => cache.put('bio', user, query, result, bioTtl(result)),
  };
}
