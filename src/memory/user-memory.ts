/**
 * The domain object the schema calls for everything (`ctx.memory.profile(user)`), one per request.
 * It applies the input rules, reads through the request's loaders (cached per user), makes writes
 * and drops what they make stale (the invalidation table), follows uploads live, and returns
 * expected states as values. The user it is given has been authorised by the schema already.
 */
import { CONTEXT_EVENTS_WINDOW, CONTEXT_MEMORIES_LIMIT, gatherContext, type GatheredContext } from '../context/gather.js';
import type { FileStatusSnapshot } from '../live/live-state.js';
import type { LiveUpdates } from '../live/live-updates.js';
import type {
  AnswerStreamEvent,
  ChatMessage,
  Memory,
  StoreMemoriesResult,
  SynvoAnswer,
  SynvoEvent,
  SynvoFileEntry,
  SynvoFileHit,
  SynvoProfile,
  UploadInput,
  UploadResult,
} from '../upstream/types.js';
import type { CachedReads, UpstreamClients } from './cached-reads.js';
import * as rules from './input-rules.js';
import type { Invalidator } from './invalidation.js';
import { createLoaders, type Loaders } from './loaders.js';
import type { MemSyncAccounts, MemSyncConnectionState } from './memsync-accounts.js';
import { biographyNotReady, isNotFound, memsyncNotConnected, toBiography, type BiographyResult } from './states.js';

/** What every request's domain object stands on; built once by the composition root. */
export interface MemoryDeps {
  /** The upstream clients, for writes and live streams (reads go through `reads`). */
  clients: UpstreamClients;
  reads: CachedReads;
  invalidator: Invalidator;
  live: LiveUpdates;
  /** Which MemSync account each user is linked to (the keyring). */
  memsyncAccounts: MemSyncAccounts;
  /** Max calls in flight per endpoint within one request. */
  userConcurrency: number;
  /** Events fetched when a type filter must be applied locally (Synvo's max). */
  eventsFilterWindow: number;
}

export interface EventsArgs {
  limit?: number | null;
  since?: Date | null;
  until?: Date | null;
  types?: readonly string[] | null;
}

export interface BiographyArgs {
  format?: string | null;
  style?: string | null;
  excludeCategories?: readonly string[] | null;
}

export interface MemoriesArgs {
  query: string;
  limit?: number | null;
  categories?: readonly string[] | null;
}

export interface StoreMemoriesArgs {
  threadId?: string | null;
  source?: string | null;
}

export interface ContextArgs {
  query: string;
  maxTokens?: number | null;
}

/** A user's context for an AI agent, with the budget it was cut to. */
export interface UserContext extends GatheredContext {
  maxTokens: number;
}

/** An upload Synvo accepted, with what the client sent about the file. */
export interface UploadedFile extends UploadResult {
  size: number;
  mimeType: string | null;
}

const perUserKeysOff = () =>
  new rules.InputError('apiKey', 'this gateway serves MemSync through one operator key partitioned by user (MEMSYNC_SCOPING=user-param): there are no per-user keys');

export class UserMemory {
  readonly #deps: MemoryDeps;
  readonly #signal: AbortSignal;
  #loaders?: Loaders;

  constructor(deps: MemoryDeps, signal: AbortSignal) {
    this.#deps = deps;
    this.#signal = signal;
  }

  /** Made on first use: a request that reads nothing pays for no loaders. */
  get #load(): Loaders {
    const { reads, userConcurrency, eventsFilterWindow } = this.#deps;
    return (this.#loaders ??= createLoaders({
      synvo: reads.synvo,
      memsync: reads.memsync,
      signal: this.#signal,
      concurrency: userConcurrency,
      eventsFilterWindow,
    }));
  }

  // ------------------------------------------------------------------ reads

  /** Synvo's profile; `null` while the user has no data yet. */
  async profile(user: string): Promise<SynvoProfile | null> {
    const profile = await this.#load.profile.load(user);
    return profile && profile.attributes.length > 0 ? profile : null;
  }

  /** The most recent events, oldest first. */
  events(user: string, args: EventsArgs): Promise<SynvoEvent[]> {
    const limit = rules.intInRange('limit', args.limit, 10, 1, 1000);
    rules.timeWindow(args.since, args.until);
    const types = rules.nonEmptyList('types', args.types);
    return this.#load.events.load({ user, limit, since: args.since, until: args.until, types });
  }

  /** The biography, or why there is none: not ready yet, or no MemSync account connected. */
  async biography(user: string, args: BiographyArgs): Promise<BiographyResult> {
    const format = rules.bioFormat('format', args.format);
    const style = rules.bioStyle('style', args.style);
    const excludeCategories = rules.nonEmptyList('excludeCategories', args.excludeCategories);
    try {
      return await this.#load.biography.load({ user, format, style, excludeCategories });
    } catch (error) {
      const notConnected = memsyncNotConnected(error);
      if (notConnected) return notConnected;
      throw error;
    }
  }

  /** Whether the user has linked a MemSync account (only the key's last 4 characters are shown). */
  memsyncConnection(user: string): Promise<MemSyncConnectionState> {
    return this.#deps.memsyncAccounts.status(user);
  }

  async memories(user: string, args: MemoriesArgs): Promise<Memory[]> {
    const query = rules.nonEmptyText('query', args.query);
    const limit = rules.intInRange('limit', args.limit, 10, 1, 100);
    const categories = rules.nonEmptyList('categories', args.categories);
    return this.#load.memories.load({ user, query, limit, categories });
  }

  searchFiles(user: string, query: string): Promise<SynvoFileHit[]> {
    return this.#load.searchFiles.load({ user, text: rules.nonEmptyText('query', query) });
  }

  /** One of the user's files; `null` when the user has no such file. */
  async file(user: string, id: string): Promise<SynvoFileEntry | null> {
    return this.#load.file.load({ user, id: rules.fileId('id', id) });
  }

  ask(user: string, question: string): Promise<SynvoAnswer> {
    return this.#load.ask.load({ user, text: rules.nonEmptyText('question', question, rules.MAX_QUESTION_CHARS) });
  }

  /**
   * One prompt-ready block from both upstreams (src/context/): one round of parallel reads through
   * the loaders, ranked for the query and cut to `maxTokens`. A failing read leaves a partial context.
   */
  async context(user: string, args: ContextArgs): Promise<UserContext> {
    const query = rules.nonEmptyText('query', args.query, rules.MAX_CONTEXT_QUERY_CHARS);
    const { default: fallback, min, max } = rules.CONTEXT_MAX_TOKENS;
    const maxTokens = rules.intInRange('maxTokens', args.maxTokens, fallback, min, max);
    const load = this.#load;
    const readers = {
      profile: () => load.profile.load(user),
      events: () => load.events.load({ user, limit: CONTEXT_EVENTS_WINDOW }),
      memories: () => load.memories.load({ user, query, limit: CONTEXT_MEMORIES_LIMIT }),
      // The short summary: a budget is better spent on the specific facts (memories) than on a full biography.
      biography: async () => {
        const result = await load.biography.load({ user, format: 'short', style: 'narrative' });
        return result.kind === 'biography' ? result.bio : null;
      },
      files: () => load.searchFiles.load({ user, text: query }),
    };
    return { ...(await gatherContext(readers, { query, maxTokens })), maxTokens };
  }

  /** Synvo's answer as it is written; aborting `signal` closes the upstream stream. */
  askStream(user: string, question: string, signal: AbortSignal): AsyncIterable<AnswerStreamEvent> {
    const text = rules.nonEmptyText('question', question, rules.MAX_QUESTION_CHARS);
    return this.#deps.clients.synvo.askStream(user, text, { signal });
  }

  // ------------------------------------------------------------------ writes

  /** Hands the file to Synvo and follows it until processed (which refreshes the user's reads). */
  async uploadFile(user: string, file: UploadInput, path: string | null | undefined): Promise<UploadedFile> {
    rules.upload('file', file);
    const folder = rules.folder('path', path);
    const { clients, invalidator, live } = this.#deps;
    const result = await clients.synvo.uploadFile(user, file, folder, { signal: this.#signal });
    await invalidator.after('uploadFile', user);
    await live.trackUpload(user, result.fileId, result.timestamp);
    return { ...result, size: file.size, mimeType: file.type || null };
  }

  /** True when the file was deleted, false when the user has no such file. */
  async deleteFile(user: string, id: string): Promise<boolean> {
    const fileId = rules.fileId('id', id);
    try {
      await this.#deps.clients.synvo.deleteFile(user, fileId, { signal: this.#signal });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    } finally {
      // Even a failed delete may have removed the file upstream (timeout after the fact).
      await this.#deps.invalidator.after('deleteFile', user);
    }
  }

  /** Stores a conversation under a thread (a new one by default) and a source (`chat` by default). */
  async storeMemories(user: string, messages: readonly { role: string; content: string }[], args: StoreMemoriesArgs = {}): Promise<StoreMemoriesResult> {
    const checked = rules.messages('messages', messages);
    const threadId = rules.conversationField('threadId', args.threadId);
    const source = rules.conversationField('source', args.source) ?? 'chat';
    const input = { messages: checked, source, ...(threadId ? { threadId } : {}) };
    try {
      return await this.#deps.clients.memsync.storeMemories(user, input, { signal: this.#signal });
    } finally {
      await this.#deps.invalidator.after('storeMemories', user);
    }
  }

  /** Regenerates the biography now; MemSync's cooldown is a RATE_LIMITED failure (endpoint `bioRefresh`). */
  async refreshBiography(user: string, args: Pick<BiographyArgs, 'format' | 'style'>): Promise<BiographyResult> {
    const query = { format: rules.bioFormat('format', args.format), style: rules.bioStyle('style', args.style) };
    const { clients, invalidator, reads } = this.#deps;
    let result: BiographyResult;
    try {
      result = toBiography(await clients.memsync.getBio(user, { ...query, refresh: true }, { signal: this.#signal }), query);
    } catch (error) {
      const state = biographyNotReady(error) ?? memsyncNotConnected(error);
      if (!state) throw error;
      return state;
    }
    await invalidator.after('refreshBiography', user);
    await reads.rememberBiography(user, query, result);
    return result;
  }

  /**
   * Links the user to their MemSync account: MemSync is asked once whether it accepts the key; a
   * key it refuses is an input error and nothing is stored. Any earlier key is replaced.
   */
  async connectMemSync(user: string, apiKey: string): Promise<MemSyncConnectionState> {
    const accounts = this.#deps.memsyncAccounts;
    if (accounts.scoping !== 'key') throw perUserKeysOff();
    const key = rules.memsyncApiKey('apiKey', apiKey);
    const result = await accounts.connect(user, key, this.#signal);
    if (result === 'refused') throw new rules.InputError('apiKey', 'MemSync does not accept this key (invalid, expired or without permission); nothing was stored');
    return result;
  }

  /** Forgets the user's MemSync key (MemSync keeps the account and its memories). */
  disconnectMemSync(user: string): Promise<MemSyncConnectionState> {
    const accounts = this.#deps.memsyncAccounts;
    if (accounts.scoping !== 'key') throw perUserKeysOff();
    return accounts.disconnect(user);
  }

  // ------------------------------------------------------------------ live

  /** Every status of the file from now on, the current one first. */
  watchFile(user: string, id: string): AsyncIterableIterator<FileStatusSnapshot> {
    return this.#deps.live.watchFile(user, rules.fileId('id', id));
  }

  /** The user's new events from now on, each once. */
  watchEvents(user: string): AsyncIterableIterator<SynvoEvent> {
    return this.#deps.live.watchEvents(user);
  }
}
