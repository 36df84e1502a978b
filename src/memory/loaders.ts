/**
 * Per-request DataLoaders over the cached reads. Within one request each upstream endpoint is
 * called at most once per distinct (user, arguments): two aliases of one field, or one user named
 * twice in `users(names)`, share a call. Each endpoint fans out over its distinct keys with bounded
 * concurrency, and every call carries the request's AbortSignal.
 */
import DataLoader from 'dataloader';
import type {
  AskInput,
  BioFormat,
  BioStyle,
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
import { KNOWN_EVENT_TYPES, OTHER_EVENT_TYPE } from './input-rules.js';
import { isNotFound, type BiographyResult } from './states.js';

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
const ALL_PROFILE_SECTIONS = ['bio', 'categories', 'insights', 'stats', 'traits'] as const;

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

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);
const sorted = (list: readonly string[] | null | undefined): string[] | null =>
  list && list.length > 0 ? [...new Set(list)].sort() : null;

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

/**
 * A loader whose batch function runs one call per distinct key, at most `concurrency` at once
 * across all its batches. A call that finds a free slot starts at once; the others wait in order
 * for one. (A counter rather than a limiter object per loader: nothing is allocated for the common
 * batch that fits.)
 */
function perKeyLoader<K, V>(
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

/**
 * The loaders of one request, each made on first use: a request pays only for the endpoints it
 * asks for (a one-field query makes one DataLoader, not nine). Getters on the prototype, so no
 * closure is made per request for a loader that is never used.
 */
class RequestLoaders implements Loaders {
  readonly #synvo: SynvoReads;
  readonly #memsync: MemSyncReads;
  readonly #call: { signal?: AbortSignal };
  readonly #concurrency: number;
  readonly #window: number;
  #profile?: Loaders['profile'];
  #rawEvents?: DataLoader<RawEventsKey, SynvoEvent[], string>;
  #events?: Loaders['events'];
  #biography?: Loaders['biography'];
  #memories?: Loaders['memories'];
  #searchFiles?: Loaders['searchFiles'];
  #fileList?: Loaders['fileList'];
  #file?: Loaders['file'];
  #folder?: Loaders['folder'];
  #download?: Loaders['download'];
  #thumbnail?: Loaders['thumbnail'];
  #ask?: Loaders['ask'];
  #memoryProfile?: Loaders['memoryProfile'];
  #memoryList?: Loaders['memoryList'];

  constructor(options: LoaderOptions) {
    this.#synvo = options.synvo;
    this.#memsync = options.memsync;
    this.#call = options.signal ? { signal: options.signal } : {};
    this.#concurrency = options.concurrency ?? 8;
    this.#window = options.eventsFilterWindow ?? 1000;
  }

  get profile(): Loaders['profile'] {
    const synvo = this.#synvo;
    const call = this.#call;
    return (this.#profile ??= perKeyLoader(this.#concurrency, (user) => user, (user) => synvo.getProfile(user, call)));
  }

  get #raw(): DataLoader<RawEventsKey, SynvoEvent[], string> {
    const synvo = this.#synvo;
    const call = this.#call;
    return (this.#rawEvents ??= perKeyLoader<RawEventsKey, SynvoEvent[]>(
      this.#concurrency,
      (k) => JSON.stringify([k.user, k.limit, iso(k.since), iso(k.until)]),
      (k) =>
        synvo.getEvents(
          k.user,
          { limit: k.limit, ...(k.since ? { since: k.since } : {}), ...(k.until ? { until: k.until } : {}) },
          call,
        ),
    ));
  }

  // Synvo has no type filter: with `types`, fetch the widest window and filter here, keeping the
  // most recent `limit` (upstream order is chronological).
  get events(): Loaders['events'] {
    if (this.#events) return this.#events;
    const rawEvents = this.#raw;
    const window = this.#window;
    return (this.#events = new DataLoader<EventsKey, SynvoEvent[], string>(
      (keys) =>
        Promise.all(
          keys.map(async (k) => {
            const types = sorted(k.types);
            const since = k.since ?? null;
            const until = k.until ?? null;
            try {
              if (!types) return await rawEvents.load({ user: k.user, limit: k.limit, since, until });
              const all = await rawEvents.load({ user: k.user, limit: window, since, until });
              const wanted = new Set(types);
              const other = wanted.has(OTHER_EVENT_TYPE);
              return all.filter((e) => wanted.has(e.type) || (other && !KNOWN_EVENT_TYPES.has(e.type))).slice(-k.limit);
            } catch (error) {
              return toError(error);
            }
          }),
        ),
      { cacheKeyFn: (k) => JSON.stringify([k.user, k.limit, iso(k.since), iso(k.until), sorted(k.types)]) },
    ));
  }

  get biography(): Loaders['biography'] {
    const memsync = this.#memsync;
    const call = this.#call;
    return (this.#biography ??= perKeyLoader(
      this.#concurrency,
      (k: BioKey) => JSON.stringify([k.user, k.format, k.style, sorted(k.excludeCategories)]),
      (k: BioKey) => {
        const exclude = sorted(k.excludeCategories);
        return memsync.biography(k.user, { format: k.format, style: k.style, ...(exclude ? { excludeCategories: exclude } : {}) }, call);
      },
    ));
  }

  get memories(): Loaders['memories'] {
    const memsync = this.#memsync;
    const call = this.#call;
    return (this.#memories ??= perKeyLoader(
      this.#concurrency,
      (k: MemoriesKey) => JSON.stringify([k.user, k.query, k.limit, sorted(k.categories)]),
      async (k: MemoriesKey) => {
        const categories = sorted(k.categories);
        const result = await memsync.searchMemories(
          k.user,
          { query: k.query, limit: k.limit, includeBio: false, ...(categories ? { categories } : {}) },
          call,
        );
        return result.memories;
      },
    ));
  }

  get searchFiles(): Loaders['searchFiles'] {
    const synvo = this.#synvo;
    const call = this.#call;
    return (this.#searchFiles ??= perKeyLoader(
      this.#concurrency,
      (k: UserTextKey) => JSON.stringify([k.user, k.text]),
      (k: UserTextKey) => synvo.searchFiles(k.user, k.text, call),
    ));
  }

  get fileList(): Loaders['fileList'] {
    const synvo = this.#synvo;
    const call = this.#call;
    return (this.#fileList ??= perKeyLoader<string, SynvoFileEntry[]>(
      this.#concurrency,
      (user) => user,
      (user) => synvo.listFiles(user, { path: '/', recursive: true }, call),
    ));
  }

  get file(): Loaders['file'] {
    if (this.#file) return this.#file;
    const fileList = this.fileList;
    return (this.#file = new DataLoader<FileKey, SynvoFileEntry | null, string>(
      (keys) =>
        Promise.all(
          keys.map(async (k) => {
            try {
              const entries = await fileList.load(k.user);
              return entries.find((e) => !e.isDir && e.fileId === k.id) ?? null;
            } catch (error) {
              return toError(error);
            }
          }),
        ),
      { cacheKeyFn: (k) => JSON.stringify([k.user, k.id]) },
    ));
  }

  get folder(): Loaders['folder'] {
    const synvo = this.#synvo;
    const call = this.#call;
    const fileList = this.fileList;
    return (this.#folder ??= perKeyLoader<FolderKey, SynvoFileEntry[]>(
      this.#concurrency,
      (k) => JSON.stringify([k.user, k.path, k.recursive]),
      (k) => (k.path === '/' && k.recursive ? fileList.load(k.user) : synvo.listFiles(k.user, { path: k.path, recursive: k.recursive }, call)),
    ));
  }

  get download(): Loaders['download'] {
    const synvo = this.#synvo;
    const call = this.#call;
    return (this.#download ??= perKeyLoader<FileKey, DownloadLink | null>(
      this.#concurrency,
      (k) => JSON.stringify([k.user, k.id]),
      (k) => synvo.getDownloadUrl(k.user, k.id, call).catch((error: unknown) => (isNotFound(error) ? null : Promise.reject(error))),
    ));
  }

  get thumbnail(): Loaders['thumbnail'] {
    const synvo = this.#synvo;
    const call = this.#call;
    return (this.#thumbnail ??= perKeyLoader<ThumbnailKey, Thumbnail | null>(
      this.#concurrency,
      (k) => JSON.stringify([k.user, k.id, k.maxSize]),
      (k) => synvo.getThumbnail(k.user, k.id, k.maxSize, call),
    ));
  }

  get ask(): Loaders['ask'] {
    const synvo = this.#synvo;
    const call = this.#call;
    return (this.#ask ??= perKeyLoader(
      this.#concurrency,
      (k: AskKey) => JSON.stringify(k.conversation ? [k.user, k.text, k.conversation] : [k.user, k.text]),
      // A plain question keeps its plain form (and cache key); a conversation is sent whole.
      (k: AskKey) => synvo.ask(k.user, k.conversation ? { ...k.conversation, question: k.text } : k.text, call),
    ));
  }

  get memoryProfile(): Loaders['memoryProfile'] {
    const memsync = this.#memsync;
    const call = this.#call;
    return (this.#memoryProfile ??= perKeyLoader<string, MemoryProfile | null>(
      this.#concurrency,
      (user) => user,
      (user) => memsync.getProfile(user, { include: ALL_PROFILE_SECTIONS }, call),
    ));
  }

  get memoryList(): Loaders['memoryList'] {
    const memsync = this.#memsync;
    const call = this.#call;
    return (this.#memoryList ??= perKeyLoader<MemoryListKey, MemoryPage>(
      this.#concurrency,
      (k) => JSON.stringify([k.user, k.page, k.pageSize, k.category ?? null]),
      (k) => memsync.listMemories(k.user, { page: k.page, pageSize: k.pageSize, ...(k.category ? { category: k.category } : {}) }, call),
    ));
  }
}

interface RawEventsKey {
  user: string;
  limit: number;
  since: Date | null;
  until: Date | null;
}

export function createLoaders(options: LoaderOptions): Loaders {
  return new RequestLoaders(options);
}
