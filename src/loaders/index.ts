/**
 * Per-request DataLoaders over the upstream clients. Within one request each upstream endpoint is
 * called at most once per distinct (user, arguments): two aliases of one field, or one user named
 * twice in `users(names)`, share a call. Each endpoint fans out over its distinct keys with bounded
 * concurrency, and every call carries the request's AbortSignal.
 */
import DataLoader from 'dataloader';
import pLimit, { type LimitFunction } from 'p-limit';
import type {
  Bio,
  BioFormat,
  BioStyle,
  MemSyncClient,
  Memory,
  SynvoAnswer,
  SynvoClient,
  SynvoEvent,
  SynvoFileEntry,
  SynvoFileHit,
  SynvoProfile,
} from '../upstream/types.js';

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

export interface Loaders {
  profile: DataLoader<string, SynvoProfile | null, string>;
  events: DataLoader<EventsKey, SynvoEvent[], string>;
  biography: DataLoader<BioKey, Bio, string>;
  memories: DataLoader<MemoriesKey, Memory[], string>;
  searchFiles: DataLoader<UserTextKey, SynvoFileHit[], string>;
  /** One listing per user, shared by every `file(id)` of that user. */
  fileList: DataLoader<string, SynvoFileEntry[], string>;
  file: DataLoader<FileKey, SynvoFileEntry | null, string>;
  ask: DataLoader<UserTextKey, SynvoAnswer, string>;
}

export interface LoaderOptions {
  synvo: SynvoClient;
  memsync: MemSyncClient;
  /** Aborts every upstream call of the request. @default undefined (calls are not aborted) */
  signal?: AbortSignal;
  /** Max calls in flight per endpoint within one request. @default 8 */
  concurrency?: number;
  /** Events fetched when a type filter must be applied locally (Synvo's max). @default 1000 */
  eventsFilterWindow?: number;
}

/** Synvo's event types (upstream-api.md); the key `other` in a type filter means any type not listed here. */
export const KNOWN_EVENT_TYPES: ReadonlySet<string> = new Set(['personal', 'financial', 'professional', 'educational', 'social']);
export const OTHER_EVENT_TYPE = 'other';

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);
const sorted = (list: readonly string[] | null | undefined): string[] | null =>
  list && list.length > 0 ? [...new Set(list)].sort() : null;

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

/**
 * A loader whose batch function runs one call per distinct key, at most `concurrency` at once.
 * The limiter is made on the first batch, so a request pays only for the endpoints it uses.
 */
function perKeyLoader<K, V>(
  concurrency: number,
  cacheKey: (key: K) => string,
  load: (key: K) => Promise<V>,
): DataLoader<K, V, string> {
  let limit: LimitFunction | undefined;
  return new DataLoader<K, V, string>(
    (keys) => {
      const run = (limit ??= pLimit(concurrency));
      return Promise.all(keys.map((key) => run(() => load(key)).catch(toError)));
    },
    { cacheKeyFn: cacheKey },
  );
}

export function createLoaders(options: LoaderOptions): Loaders {
  const { synvo, memsync, signal } = options;
  const concurrency = options.concurrency ?? 8;
  const window = options.eventsFilterWindow ?? 1000;
  const call = signal ? { signal } : {};

  const rawEvents = perKeyLoader<{ user: string; limit: number; since: Date | null; until: Date | null }, SynvoEvent[]>(
    concurrency,
    (k) => JSON.stringify([k.user, k.limit, iso(k.since), iso(k.until)]),
    (k) =>
      synvo.getEvents(
        k.user,
        { limit: k.limit, ...(k.since ? { since: k.since } : {}), ...(k.until ? { until: k.until } : {}) },
        call,
      ),
  );

  const fileList = perKeyLoader<string, SynvoFileEntry[]>(
    concurrency,
    (user) => user,
    (user) => synvo.listFiles(user, { path: '/', recursive: true }, call),
  );

  return {
    profile: perKeyLoader(concurrency, (user) => user, (user) => synvo.getProfile(user, call)),

    // Synvo has no type filter: with `types`, fetch the widest window and filter here, keeping the
    // most recent `limit` (upstream order is chronological).
    events: new DataLoader<EventsKey, SynvoEvent[], string>(
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
    ),

    biography: perKeyLoader(
      concurrency,
      (k) => JSON.stringify([k.user, k.format, k.style, sorted(k.excludeCategories)]),
      (k) => {
        const exclude = sorted(k.excludeCategories);
        return memsync.getBio(k.user, { format: k.format, style: k.style, ...(exclude ? { excludeCategories: exclude } : {}) }, call);
      },
    ),

    memories: perKeyLoader(
      concurrency,
      (k) => JSON.stringify([k.user, k.query, k.limit, sorted(k.categories)]),
      async (k) => {
        const categories = sorted(k.categories);
        const result = await memsync.searchMemories(
          k.user,
          { query: k.query, limit: k.limit, includeBio: false, ...(categories ? { categories } : {}) },
          call,
        );
        return result.memories;
      },
    ),

    searchFiles: perKeyLoader(
      concurrency,
      (k) => JSON.stringify([k.user, k.text]),
      (k) => synvo.searchFiles(k.user, k.text, call),
    ),

    fileList,

    file: new DataLoader<FileKey, SynvoFileEntry | null, string>(
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
    ),

    ask: perKeyLoader(
      concurrency,
      (k) => JSON.stringify([k.user, k.text]),
      (k) => synvo.ask(k.user, k.text, call),
    ),
  };
}
