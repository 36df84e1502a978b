import { UpstreamError } from '../upstream/errors.js';
import type { Bio, MemSyncClient, SynvoClient } from '../upstream/types.js';
import type { CachedReadKind, ReadCache } from './read-cache.js';

/** What a processed upload changes for its user. */
export const invalidatedByProcessedUpload: readonly CachedReadKind[] = ['profile', 'events', 'search', 'answer', 'files'];
/** What an accepted upload changes at once (the file list shows it, pending). */
export const invalidatedByUpload: readonly CachedReadKind[] = ['files'];
/** What deleting a file changes. */
export const invalidatedByDelete: readonly CachedReadKind[] = ['files', 'search', 'answer'];
/** What storing memories changes. */
export const invalidatedByStoredMemories: readonly CachedReadKind[] = ['bio', 'memories'];

export interface CachedMemSyncOptions {
  /** Longest a biography is kept, even when it expires later upstream. @default 86400000 (a day) */
  bioMaxTtlMs?: number;
}

/** "No biography yet" (BIO_NOT_FOUND) as it is cached: an expected state, not a failure. */
interface BioNotReadyEntry {
  bioNotReady: { message: string; status?: number; upstreamCode?: string; details?: Record<string, unknown> };
}

const isBioNotReady = (value: unknown): value is BioNotReadyEntry =>
  !!value && typeof value === 'object' && 'bioNotReady' in value;

/**
 * A SynvoClient whose reads go through the cache and whose writes invalidate what they change.
 * File statuses and answer streams are never cached: they are live.
 */
export function createCachedSynvoClient(client: SynvoClient, cache: ReadCache): SynvoClient {
  return {
    service: 'synvo',
    getProfile: (user, opts) => cache.read('profile', user, null, (signal) => client.getProfile(user, { ...opts, signal }), undefined, opts?.signal),
    getEvents: (user, query, opts) => cache.read('events', user, query ?? {}, (signal) => client.getEvents(user, query, { ...opts, signal }), undefined, opts?.signal),
    ask: (user, question, opts) => cache.read('answer', user, question, (signal) => client.ask(user, question, { ...opts, signal }), undefined, opts?.signal),
    askStream: (user, question, opts) => client.askStream(user, question, opts),
    searchFiles: (user, query, opts) => cache.read('search', user, query, (signal) => client.searchFiles(user, query, { ...opts, signal }), undefined, opts?.signal),
    listFiles: (user, query, opts) => cache.read('files', user, query ?? {}, (signal) => client.listFiles(user, query, { ...opts, signal }), undefined, opts?.signal),
    getFileStatus: (user, fileId, opts) => client.getFileStatus(user, fileId, opts),
    async uploadFile(user, file, path, opts) {
      const result = await client.uploadFile(user, file, path, opts);
      await cache.invalidate(user, invalidatedByUpload);
      return result;
    },
    async deleteFile(user, fileId, opts) {
      try {
        await client.deleteFile(user, fileId, opts);
      } finally {
        // Even a failed delete may have removed the file upstream (timeout after the fact).
        await cache.invalidate(user, invalidatedByDelete);
      }
    },
    close: () => client.close(),
  };
}

/**
 * A MemSyncClient whose biography is cached until it expires, whose memory searches are cached
 * briefly, and whose stored memories invalidate both.
 */
export function createCachedMemSyncClient(client: MemSyncClient, cache: ReadCache, options: CachedMemSyncOptions = {}): MemSyncClient {
  const bioMaxTtl = options.bioMaxTtlMs ?? 86_400_000;
  const bioTtl = (bio: Bio) => Math.min(bio.expiresAt.getTime() - Date.now(), bioMaxTtl);
  return {
    service: 'memsync',
    async getBio(user, query = {}, opts) {
      const { refresh, ...args } = query;
      if (!refresh) {
        // The not-ready state is cached too (briefly; storing memories invalidates it) and thrown again on a hit.
        const entry = await cache.read<Bio | BioNotReadyEntry>(
          'bio',
          user,
          args,
          (signal) =>
            client.getBio(user, query, { ...opts, signal }).catch((error: unknown) => {
              const e = error as Partial<UpstreamError>;
              if (e?.code !== 'NOT_FOUND') throw error;
              const bioNotReady: BioNotReadyEntry['bioNotReady'] = { message: (error as Error).message };
              if (e.status !== undefined) bioNotReady.status = e.status;
              if (e.upstreamCode !== undefined) bioNotReady.upstreamCode = e.upstreamCode;
              if (e.details !== undefined) bioNotReady.details = e.details;
              return { bioNotReady };
            }),
          (value) => (isBioNotReady(value) ? cache.ttlMs : bioTtl(value)),
          opts?.signal,
        );
        if (!isBioNotReady(entry)) return entry;
        throw new UpstreamError(entry.bioNotReady.message, { code: 'NOT_FOUND', service: 'memsync', endpoint: 'bio', ...entry.bioNotReady });
      }
      const bio = await client.getBio(user, query, opts);
      // A regenerated bio replaces every cached variant of the old one.
      await cache.invalidate(user, ['bio']);
      await cache.put('bio', user, args, bio, bioTtl(bio));
      return bio;
    },
    searchMemories: (user, query, opts) => cache.read('memories', user, query, (signal) => client.searchMemories(user, query, { ...opts, signal }), undefined, opts?.signal),
    async storeMemories(user, input, opts) {
      try {
        return await client.storeMemories(user, input, opts);
      } finally {
        await cache.invalidate(user, invalidatedByStoredMemories);
      }
    },
    close: () => client.close(),
  };
}
