/**
 * The one table of what each write invalidates. A row per write the gateway makes or sees
 * (through live updates): the kinds of a user's cached reads it makes stale. A new write adds
 * its row here; `Invalidator.after(write, user)` is the only way cached reads are dropped.
 */
import type { ReadCache } from '../cache/read-cache.js';
import { CACHED_READ_KINDS, type CachedReadKind } from './cached-reads.js';
import type { FileStatus } from '../upstream/types.js';

export const INVALIDATES = {
  /** An upload accepted by Synvo: the file list shows it, pending. */
  uploadFile: ['files'],
  /** A file finished processing: everything Synvo derives from files. */
  fileProcessed: ['profile', 'events', 'search', 'answer', 'files'],
  /** A file failed (or vanished) while processing: only its status in the list changed. */
  fileFailed: ['files'],
  /** New events seen by the events poller: a file was processed somewhere. */
  newEvents: ['profile', 'events', 'search', 'answer', 'files'],
  deleteFile: ['files', 'search', 'answer', 'download', 'thumbnail'],
  /** A new folder shows in the listings. */
  createFolder: ['files'],
  /** A move or rename changes paths everywhere Synvo names a file, and the name in its download. */
  moveFile: ['files', 'search', 'answer', 'download'],
  /** A web page accepted by Synvo: the file list shows it, pending (processing then counts as fileProcessed). */
  addWebpage: ['files'],
  storeMemories: ['bio', 'memories', 'memoryList', 'memoryProfile'],
  /** A changed or deleted memory: searches, lists, the profile and any biography that used it. */
  updateMemory: ['bio', 'memories', 'memoryList', 'memoryProfile'],
  deleteMemories: ['bio', 'memories', 'memoryList', 'memoryProfile'],
  /** A biography written or regenerated: every cached variant, and the profile's summary. */
  updateBiography: ['bio', 'memoryProfile'],
  /** A regenerated biography replaces every cached variant of the old one. */
  refreshBiography: ['bio', 'memoryProfile'],
  /** A MemSync account linked (or another key): every MemSync read of the user may be another account's now. */
  connectMemSync: ['bio', 'memories', 'memoryList', 'memoryProfile'],
  /** A MemSync account unlinked: nothing read with its key may be served any more. */
  disconnectMemSync: ['bio', 'memories', 'memoryList', 'memoryProfile'],
  /** Everything the gateway holds of the user. */
  forgetUser: CACHED_READ_KINDS,
} as const satisfies Record<string, readonly CachedReadKind[]>;

export type Write = keyof typeof INVALIDATES;

export interface Invalidator {
  /** Drops the user's cached reads that `write` made stale. */
  after(write: Write, user: string): Promise<void>;
  /** What a file reaching a final status invalidates (live updates call this). */
  afterFileSettled(user: string, status: FileStatus): Promise<void>;
}

export function createInvalidator(cache: Pick<ReadCache<CachedReadKind>, 'invalidate'>): Invalidator {
  const after = (write: Write, user: string) => cache.invalidate(user, INVALIDATES[write]);
  return {
    after,
    afterFileSettled: (user, status) => after(status === 'COMPLETED' ? 'fileProcessed' : 'fileFailed', user),
  };
}
