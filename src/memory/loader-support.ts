/** The keys and the shape of the per-request loaders (`loaders.ts`), and the bounded per-key loader they are built from. */
import DataLoader from 'dataloader';
import type {
  BioFormat,
  BioStyle,
  AskInput,
  DownloadLink,
  Memory,
  MemoryCategoryName,
  MemoryPage,
  MemoryProfile,
  SynvoAnswer,
  SynvoEvent,
  SynvoFileEntry,
  SynvoFileHit,
  SynvoProfile,
  Thumbnail,
} from '../upstream/types.js';
import type { MemSyncReads, SynvoReads } from './cached-reads.js';
import type { BiographyResult } from './states.js';

export interface EventsKey {
  user: string;
  /** How many of the most recent matching events to keep. */
  limit: number;
  since?: Date | null;
  until?: Date | null;
  /** Lower-cased upstream event types; absent or empty: every type. */
  types?: readonly string[] | null;
}

export interface BioKey {
  user: string;
  format: BioFormat;
  style: BioStyle;
  excludeCategories?: readonly string[] | null;
}

export interface MemoriesKey {
  user: string;
  query: string;
  limit: number;
  categories?: readonly string[] | null;
}

export interface UserTextKey {
  user: string;
  text: string;
}

export interface FileKey {
  user: string;
  id: string;
}

/** A question with its conversation (history, parent answer, files, forced search). */
export interface AskKey extends UserTextKey {
  conversation?: Omit<AskInput, 'question'> | null;
}

export interface FolderKey {
  user: string;
  path: string;
  recursive: boolean;
}

export interface ThumbnailKey extends FileKey {
  maxSize: number;
}

export interface MemoryListKey {
  user: string;
  page: number;
  pageSize: number;
  category?: MemoryCategoryName | null;
}

/** Every section of MemSync's profile: one call serves whichever the query selects. */
export const ALL_PROFILE_SECTIONS = ['bio', 'categories', 'insights', 'stats', 'traits'] as const;

export interface Loaders {
  profile: DataLoader<string, SynvoProfile | null, string>;
  events: DataLoader<EventsKey, SynvoEvent[], string>;
  biography: DataLoader<BioKey, BiographyResult, string>;
  memories: DataLoader<MemoriesKey, Memory[], string>;
  searchFiles: DataLoader<UserTextKey, SynvoFileHit[], string>;
  /** One listing per user, shared by every `file(id)` of that user. */
  fileList: DataLoader<string, SynvoFileEntry[], string>;
  file: DataLoader<FileKey, SynvoFileEntry | null, string>;
  /** A folder's listing; `/` recursive shares `fileList`'s call. */
  folder: DataLoader<FolderKey, SynvoFileEntry[], string>;
  /** A file's signed download URL; null when the user has no such file. */
  download: DataLoader<FileKey, DownloadLink | null, string>;
  thumbnail: DataLoader<ThumbnailKey, Thumbnail | null, string>;
  ask: DataLoader<AskKey, SynvoAnswer, string>;
  /** MemSync's profile with every section; null for an account with no memories yet. */
  memoryProfile: DataLoader<string, MemoryProfile | null, string>;
  memoryList: DataLoader<MemoryListKey, MemoryPage, string>;
}

export interface LoaderOptions {
  synvo: SynvoReads;
  memsync: MemSyncReads;
  /** Aborts every upstream call of the request. @default undefined (calls are not aborted) */
  signal?: AbortSignal;
  /** Max calls in flight per endpoint within one request. @default 8 */
  concurrency?: number;
  /** Events fetched when a type filter must be applied locally (Synvo's max). @default 1000 */
  eventsFilterWindow?: number;
}

export const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);
export const sorted = (list: readonly string[] | null | undefined): string[] | null =>
  list && list.length > 0 ? [...new Set(list)].sort() : null;

export function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

/**
 * A loader whose batch function runs one call per distinct key, at most `concurrency` at once
 * across all its batches. A call that finds a free slot starts at once; the others wait in order
 * for one. (A counter rather than a limiter object per loader: nothing is allocated for the common
 * batch that fits.)
 */
export function perKeyLoader<K, V>(
  concurrency: number,
  cacheKey: (key: K) => string,
  load: (key: K) => Promise<V>,
): DataLoader<K, V, string> {
  let active = 0;
  const waiting: Array<() => void> = [];
  const done = () => {
    active--;
    const next = waiting.shift();
    if (next) {
      active++;
      next();
    }
  };
  const start = (key: K): Promise<V | Error> => {
    let call: Promise<V>;
    try {
      call = load(key);
    } catch (error) {
      call = Promise.reject(error);
    }
    return call.then(
      (value) => {
        done();
        return value;
      },
      (error: unknown) => {
        done();
        return toError(error);
      },
    );
  };
  const run = (key: K): Promise<V | Error> => {
    if (active < concurrency) {
      active++;
      return start(key);
    }
    return new Promise<void>((resolve) => waiting.push(resolve)).then(() => start(key));
  };
  return new DataLoader<K, V, string>((keys) => Promise.all(keys.map(run)), { cacheKeyFn: cacheKey });
}
