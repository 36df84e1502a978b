/**
 * Per-request DataLoaders over the cached reads. Within one request each upstream endpoint is
 * called at most once per distinct (user, arguments): two aliases of one field, or one user named
 * twice in `users(names)`, share a call. Each endpoint fans out over its distinct keys with bounded
 * concurrency, and every call carries the request's AbortSignal.
 */
import DataLoader from 'dataloader';
import type {
  DownloadLink,
  MemoryPage,
  MemoryProfile,
  SynvoEvent,
  SynvoFileEntry,
  Thumbnail,
} from '../upstream/types.js';
import type { MemSyncReads, SynvoReads } from './cached-reads.js';
import { KNOWN_EVENT_TYPES, OTHER_EVENT_TYPE } from './input-rules.js';
import { isNotFound } from './states.js';

import {
  ALL_PROFILE_SECTIONS,
  iso,
  perKeyLoader,
  sorted,
  toError,
  type AskKey,
  type BioKey,
  type FileKey,
  type FolderKey,
  type LoaderOptions,
  type Loaders,
  type MemoriesKey,
  type MemoryListKey,
  type ThumbnailKey,
  type UserTextKey,
  type EventsKey,
} from './loader-support.js';

export type * from './loader-support.js';

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
