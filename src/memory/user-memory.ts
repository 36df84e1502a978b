/**
 * The domain object the schema calls for everything (`ctx.memory.profile(user)`), one per request.
 * It applies the input rules, reads through the request's loaders (cached per user), makes writes
 * and drops what they make stale (the invalidation table), follows uploads live, and returns
 * expected states as values. The user it is given has been authorised by the schema already.
 */
import { CONTEXT_EVENTS_WINDOW, CONTEXT_MEMORIES_LIMIT, gatherContext } from '../context/gather.js';
import type { FileStatusSnapshot } from '../live/live-state.js';
import type {
  AnswerStreamEvent,
  DeletedMemoriesResult,
  DownloadLink,
  Memory,
  MemoryPage,
  MemoryProfile,
  UpdatedMemory,
  StoreMemoriesResult,
  SynvoAnswer,
  SynvoEvent,
  SynvoFileEntry,
  SynvoFileHit,
  SynvoProfile,
  UploadInput,
} from '../upstream/types.js';
import * as files from './file-operations.js';
import type { AskArgs, FileItem, FilesArgs, WebpageArgs } from './file-operations.js';
import { forgetUser, type ForgetReport } from './forget-user.js';
import * as memsync from './memsync-operations.js';
import type { MemoryListArgs, UpdateBiographyArgs, UpdateMemoryArgs } from './memsync-operations.js';
import type { Operation } from './operation.js';
import type { BiographyArgs, ContextArgs, EventsArgs, MemoriesArgs, MemoryDeps, StoreMemoriesArgs, UploadedFile, UserContext } from './user-memory-types.js';

export type { BiographyArgs, ContextArgs, EventsArgs, MemoriesArgs, MemoryDeps, StoreMemoriesArgs, UploadedFile, UserContext } from './user-memory-types.js';
import * as rules from './input-rules.js';
import { createLoaders, type Loaders } from './loaders.js';
import type { MemSyncConnectionState } from './memsync-accounts.js';
import { memsyncNotConnected, type BiographyResult } from './states.js';

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
  /** The request's operation context for the operation modules. */
  get #op(): Operation {
    return { deps: this.#deps, load: this.#load, signal: this.#signal };
  }

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

  /**
   * Synvo's answer; with a conversation (earlier messages, the answer it follows, files to answer
   * from, a forced search). `fileIds` must all be the user's own files (FORBIDDEN otherwise).
   */
  async ask(user: string, args: string | AskArgs): Promise<SynvoAnswer> {
    const { text, conversation } = await files.question(this.#op, user, typeof args === 'string' ? { question: args } : args);
    return this.#load.ask.load({ user, text, conversation });
  }

  /** MemSync's profile of the user (bio summary, categories, insights, traits, stats); null before any memory. */
  memoryProfile(user: string): Promise<MemoryProfile | null> {
    return this.#load.memoryProfile.load(user);
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
  async askStream(user: string, args: string | AskArgs, signal: AbortSignal): Promise<AsyncIterable<AnswerStreamEvent>> {
    const { text, conversation } = await files.question(this.#op, user, typeof args === 'string' ? { question: args } : args);
    const answer = this.#deps.clients.synvo.askStream(user, conversation ? { ...conversation, question: text } : text, { signal });
    return this.#deps.live.followUser(user, answer);
  }

  // ------------------------------------------------------------------ writes

  uploadFile(user: string, file: UploadInput, path: string | null | undefined): Promise<UploadedFile> {
    return files.uploadFile(this.#op, user, file, path);
  }

  deleteFile(user: string, id: string): Promise<boolean> {
    return files.deleteFile(this.#op, user, id);
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

  refreshBiography(user: string, args: Pick<BiographyArgs, 'format' | 'style'>): Promise<BiographyResult> {
    return memsync.refreshBiography(this.#op, user, args);
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

  // ------------------------------------------------------------------ files, memories, forgetting (operation modules)

  /** Folders and files under `path` (`[]` for a user with no files; a missing folder is BAD_USER_INPUT). */
  files(user: string, args: FilesArgs): Promise<SynvoFileEntry[]> {
    return files.files(this.#op, user, args);
  }

  downloadUrl(user: string, fileId: string): Promise<DownloadLink | null> {
    return files.downloadUrl(this.#op, user, fileId);
  }

  thumbnail(user: string, fileId: string, maxSize: number | null | undefined): Promise<string | null> {
    return files.thumbnail(this.#op, user, fileId, maxSize);
  }

  createFolder(user: string, path: string): Promise<FileItem> {
    return files.createFolder(this.#op, user, path);
  }

  moveFile(user: string, from: string, to: string): Promise<FileItem> {
    return files.moveFile(this.#op, user, from, to);
  }

  addWebpage(user: string, args: WebpageArgs): Promise<UploadedFile> {
    return files.addWebpage(this.#op, user, args);
  }

  memoryList(user: string, args: MemoryListArgs): Promise<MemoryPage> {
    return memsync.memoryList(this.#op, user, args);
  }

  updateMemory(user: string, args: UpdateMemoryArgs): Promise<UpdatedMemory> {
    return memsync.updateMemory(this.#op, user, args);
  }

  deleteMemories(user: string, ids: readonly (string | number)[]): Promise<DeletedMemoriesResult> {
    return memsync.deleteMemories(this.#op, user, ids);
  }

  updateBiography(user: string, args: UpdateBiographyArgs): Promise<BiographyResult> {
    return memsync.updateBiography(this.#op, user, args);
  }

  forgetUser(user: string): Promise<ForgetReport> {
    return forgetUser(this.#op, user);
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
