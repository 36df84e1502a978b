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
  AskInput,
  ConversationTurn,
  ChatMessage,
  DeletedMemoriesResult,
  DownloadLink,
  Memory,
  MemoryCategoryName,
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
  UploadResult,
} from '../upstream/types.js';
import { isUpstreamError } from '../upstream/errors.js';
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
  /** The largest upload the gateway accepts, in bytes (`MEMGATE_MAX_UPLOAD_MB`). */
  maxUploadBytes: number;
}

export interface AskArgs {
  question: string;
  history?: readonly ConversationTurn[] | null;
  parentId?: string | number | null;
  fileIds?: readonly (string | number)[] | null;
  forceSearch?: boolean | null;
}

export interface FilesArgs {
  path?: string | null;
  recursive?: boolean | null;
}

export interface MemoryListArgs {
  page?: number | null;
  pageSize?: number | null;
  category?: string | null;
}

export interface UpdateMemoryArgs {
  id: string | number;
  content?: string | null;
  category?: string | null;
  importance?: number | null;
}

export interface UpdateBiographyArgs {
  text?: string | null;
  format?: string | null;
  style?: string | null;
  manualOverride?: boolean | null;
}

export interface WebpageArgs {
  url: string;
  path?: string | null;
  name?: string | null;
}

/** A folder or file as a write leaves it (the schema's UserFile). */
export interface FileItem extends SynvoFileEntry {
  mimeType?: string | null;
}

/** One thing `forgetUser` could not delete, with the code of why. */
export interface ForgetFailure {
  service: 'synvo' | 'memsync';
  /** The file path or memory id, or null for a failure that stopped a whole step (a listing). */
  target: string | null;
  code: string;
  message: string;
}

export interface ForgetReport {
  user: string;
  filesDeleted: number;
  memoriesDeleted: number;
  memsyncDisconnected: boolean;
  failures: ForgetFailure[];
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

  /**
   * Synvo's answer; with a conversation (earlier messages, the answer it follows, files to answer
   * from, a forced search). `fileIds` must all be the user's own files (FORBIDDEN otherwise).
   */
  async ask(user: string, args: string | AskArgs): Promise<SynvoAnswer> {
    const { text, conversation } = await this.#question(user, typeof args === 'string' ? { question: args } : args);
    return this.#load.ask.load({ user, text, conversation });
  }

  /** The checked question and conversation of `ask` and `askStream`. */
  async #question(user: string, args: AskArgs): Promise<{ text: string; conversation: Omit<AskInput, 'question'> | null }> {
    const text = rules.nonEmptyText('question', args.question, rules.MAX_QUESTION_CHARS);
    const history = rules.history('history', args.history);
    const parentId = args.parentId === null || args.parentId === undefined ? undefined : rules.fileId('parentId', args.parentId);
    const fileIds = rules.idList('fileIds', args.fileIds, rules.MAX_ASK_FILES);
    if (fileIds) {
      // Only the user's own files: a listing (shared with file(id) and files()) says which are theirs.
      const own = new Set((await this.#load.fileList.load(user)).filter((f) => !f.isDir && f.fileId).map((f) => f.fileId));
      const foreign = fileIds.filter((id) => !own.has(id));
      if (foreign.length > 0) throw new rules.InputError('fileIds', `names files the user does not have: ${foreign.join(', ')}`, 'FORBIDDEN');
    }
    const conversation: Omit<AskInput, 'question'> = {
      ...(history?.length ? { history } : {}),
      ...(parentId ? { parentId } : {}),
      ...(fileIds ? { fileIds } : {}),
      ...(args.forceSearch ? { forceSearch: true } : {}),
    };
    return { text, conversation: Object.keys(conversation).length > 0 ? conversation : null };
  }

  /**
   * Folders and files under `path`. `[]` for `/` of a user with no files yet; a folder that does not
   * exist is BAD_USER_INPUT on `path`.
   */
  async files(user: string, args: FilesArgs): Promise<SynvoFileEntry[]> {
    const path = args.path === null || args.path === undefined || args.path.trim() === '/' ? '/' : rules.itemPath('path', args.path);
    try {
      return await this.#load.folder.load({ user, path, recursive: args.recursive ?? true });
    } catch (error) {
      if (isNotFound(error)) throw new rules.InputError('path', `the user has no folder "${path}"`);
      throw error;
    }
  }

  /** A signed URL of the file, good for a short while; null when the user has no such file. */
  async downloadUrl(user: string, fileId: string): Promise<DownloadLink | null> {
    return this.#load.download.load({ user, id: rules.fileId('id', fileId) });
  }

  /** The thumbnail as a `data:` URL; null for a file without one (not an image, PDF or video). */
  async thumbnail(user: string, fileId: string, maxSize: number | null | undefined): Promise<string | null> {
    const { default: fallback, min, max } = rules.THUMBNAIL_SIZE;
    const size = rules.intInRange('maxSize', maxSize, fallback, min, max);
    const thumb = await this.#load.thumbnail.load({ user, id: rules.fileId('id', fileId), maxSize: size });
    return thumb ? `data:${thumb.mimeType};base64,${Buffer.from(thumb.bytes).toString('base64')}` : null;
  }

  /** MemSync's profile of the user (bio summary, categories, insights, traits, stats); null before any memory. */
  memoryProfile(user: string): Promise<MemoryProfile | null> {
    return this.#load.memoryProfile.load(user);
  }

  /** The user's memories, newest first, a page at a time. */
  memoryList(user: string, args: MemoryListArgs): Promise<MemoryPage> {
    const page = rules.intInRange('page', args.page, 1, 1, 1_000_000);
    const { default: fallback, min, max } = rules.MEMORY_PAGE_SIZE;
    const pageSize = rules.intInRange('pageSize', args.pageSize, fallback, min, max);
    const category = rules.memoryCategory('category', args.category) as MemoryCategoryName | undefined;
    return this.#load.memoryList.load({ user, page, pageSize, category: category ?? null });
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
    const { text, conversation } = await this.#question(user, typeof args === 'string' ? { question: args } : args);
    return this.#deps.clients.synvo.askStream(user, conversation ? { ...conversation, question: text } : text, { signal });
  }

  // ------------------------------------------------------------------ writes

  /** Hands the file to Synvo and follows it until processed (which refreshes the user's reads). */
  async uploadFile(user: string, file: UploadInput, path: string | null | undefined): Promise<UploadedFile> {
    rules.upload('file', file, this.#deps.maxUploadBytes);
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

  /** Makes a folder (and its parents); CONFLICT where a file is. */
  async createFolder(user: string, path: string): Promise<FileItem> {
    const folder = rules.itemPath('path', path);
    try {
      await this.#deps.clients.synvo.createFolder(user, folder, { signal: this.#signal });
    } finally {
      await this.#deps.invalidator.after('createFolder', user);
    }
    return { isDir: true, name: folder.slice(folder.lastIndexOf('/') + 1), path: folder, fileId: null, size: null, status: null, createdAt: null };
  }

  /**
   * Moves or renames a file or folder to the full path `to`; CONFLICT when `to` exists, BAD_USER_INPUT
   * on `from` when there is nothing there. Returns the item where it now is (read from the fresh listing).
   */
  async moveFile(user: string, from: string, to: string): Promise<FileItem> {
    const source = rules.itemPath('from', from);
    const target = rules.itemPath('to', to);
    try {
      await this.#deps.clients.synvo.moveFile(user, source, target, { signal: this.#signal });
    } catch (error) {
      if (isNotFound(error)) throw new rules.InputError('from', `the user has no file or folder at "${source}"`);
      throw error;
    } finally {
      // Even a failed move may have happened upstream (timeout after the fact).
      await this.#deps.invalidator.after('moveFile', user);
    }
    const parent = target.slice(0, target.lastIndexOf('/')) || '/';
    const moved = (await this.#load.folder.load({ user, path: parent, recursive: false })).find((f) => f.path === target);
    return moved ?? { isDir: false, name: target.slice(target.lastIndexOf('/') + 1), path: target, fileId: null, size: null, status: null, createdAt: null };
  }

  /** Adds a web page as a source, followed until processed like an upload. BAD_USER_INPUT when Synvo cannot fetch it. */
  async addWebpage(user: string, args: WebpageArgs): Promise<UploadedFile> {
    const url = rules.webUrl('url', args.url);
    const folder = rules.folder('path', args.path);
    const name = rules.fileName('name', args.name);
    const { clients, invalidator, live } = this.#deps;
    const result = await clients.synvo.addWebpage(user, { url, ...(folder ? { path: folder } : {}), ...(name ? { name } : {}) }, { signal: this.#signal });
    await invalidator.after('addWebpage', user);
    await live.trackUpload(user, result.fileId, result.timestamp);
    return { ...result, renamed: false, size: 0, mimeType: 'text/html' };
  }

  /** Changes one memory; BAD_USER_INPUT on `id` when the user has no such memory. */
  async updateMemory(user: string, args: UpdateMemoryArgs): Promise<UpdatedMemory> {
    const id = rules.fileId('id', args.id);
    const content = args.content === null || args.content === undefined ? undefined : rules.nonEmptyText('content', args.content, rules.MAX_MESSAGE_CHARS);
    const category = rules.memoryCategory('category', args.category);
    const importance = rules.unitInterval('importance', args.importance);
    if (content === undefined && category === undefined && importance === undefined) {
      throw new rules.InputError('content', 'give at least one of content, category and importance');
    }
    try {
      return await this.#deps.clients.memsync.updateMemory(
        user,
        id,
        { ...(content !== undefined ? { content } : {}), ...(category ? { category } : {}), ...(importance !== undefined ? { importance } : {}) },
        { signal: this.#signal },
      );
    } catch (error) {
      if (isNotFound(error)) throw new rules.InputError('id', 'the user has no memory with this id');
      throw error;
    } finally {
      await this.#deps.invalidator.after('updateMemory', user);
    }
  }

  /** Deletes memories by id; ids the user does not have come back in `notFound`. */
  async deleteMemories(user: string, ids: readonly (string | number)[]): Promise<DeletedMemoriesResult> {
    const checked = rules.idList('ids', ids, rules.MAX_MEMORY_IDS)!;
    try {
      return await this.#deps.clients.memsync.deleteMemories(user, checked, { signal: this.#signal });
    } finally {
      await this.#deps.invalidator.after('deleteMemories', user);
    }
  }

  /**
   * Writes the biography by hand (`text`, kept through new memories with `manualOverride`) or, without
   * text, regenerates it in a format and style. A text over MemSync's limit is BAD_USER_INPUT naming it.
   */
  async updateBiography(user: string, args: UpdateBiographyArgs): Promise<BiographyResult> {
    const format = rules.bioFormat('format', args.format);
    const style = rules.bioStyle('style', args.style);
    const text = args.text === null || args.text === undefined ? undefined : rules.nonEmptyText('text', args.text, rules.MAX_MESSAGE_CHARS);
    const query = { format, style };
    let result: BiographyResult;
    try {
      const updated = await this.#deps.clients.memsync.updateBio(
        user,
        text !== undefined
          ? { text, format, style, ...(args.manualOverride !== null && args.manualOverride !== undefined ? { manualOverride: args.manualOverride } : {}) }
          : { regenerate: true, format, style },
        { signal: this.#signal },
      );
      result = toBiography(
        {
          text: updated.text,
          format: updated.format,
          style: updated.style,
          wordCount: updated.wordCount,
          characterCount: updated.characterCount,
          confidence: updated.isManual ? 1 : 0,
          sourceMemories: 0,
          categoriesIncluded: [],
          keyThemes: [],
          generatedAt: updated.updatedAt,
          // A manual text holds until replaced; a regenerated one for MemSync's week.
          expiresAt: new Date(updated.updatedAt.getTime() + 7 * 24 * 3600 * 1000),
          isManual: updated.isManual,
        },
        query,
      );
    } catch (error) {
      const state = biographyNotReady(error) ?? memsyncNotConnected(error);
      if (state) return state;
      if (isUpstreamError(error) && error.upstreamCode === 'BIO_TOO_LONG') {
        const limit = error.details?.['maxLength'];
        throw new rules.InputError('text', `is too long for MemSync: at most ${typeof limit === 'number' ? limit : 500} words`);
      }
      throw error;
    } finally {
      await this.#deps.invalidator.after('updateBiography', user);
    }
    return result;
  }

  /**
   * Deletes every file of the user in Synvo and every memory in MemSync (batch delete), disconnects
   * the MemSync key and drops every cached read of the user. Reads upstream afresh (never the cache),
   * so running it again after a partial failure finishes the job; each failure is reported with its code.
   */
  async forgetUser(user: string): Promise<ForgetReport> {
    const { clients, invalidator } = this.#deps;
    const call = { signal: this.#signal };
    const report: ForgetReport = { user, filesDeleted: 0, memoriesDeleted: 0, memsyncDisconnected: false, failures: [] };
    const fail = (service: ForgetFailure['service'], target: string | null, error: unknown) => {
      report.failures.push({
        service,
        target,
        code: isUpstreamError(error) ? error.code : 'INTERNAL_SERVER_ERROR',
        message: isUpstreamError(error) ? `${service === 'synvo' ? 'Synvo' : 'MemSync'} (${error.endpoint}) failed with ${error.code}` : 'an unexpected failure',
      });
    };
    try {
      const files = (await clients.synvo.listFiles(user, { path: '/', recursive: true }, call)).filter((f) => !f.isDir && f.fileId);
      for (const file of files) {
        try {
          await clients.synvo.deleteFile(user, file.fileId!, call);
          report.filesDeleted += 1;
        } catch (error) {
          // Gone already (a concurrent delete): nothing left to do.
          if (!isNotFound(error)) fail('synvo', file.path, error);
        }
      }
    } catch (error) {
      fail('synvo', null, error);
    }
    try {
      const ids: string[] = [];
      for (let page = 1; ; page++) {
        const listed = await clients.memsync.listMemories(user, { page, pageSize: rules.MEMORY_PAGE_SIZE.max }, call);
        ids.push(...listed.items.map((m) => m.id));
        if (page >= listed.totalPages || listed.items.length === 0) break;
      }
      if (ids.length > 0) report.memoriesDeleted = (await clients.memsync.deleteMemories(user, ids, call)).deleted.length;
    } catch (error) {
      // No MemSync account linked: MemSync holds nothing of the user through this gateway.
      if (!memsyncNotConnected(error)) fail('memsync', null, error);
    }
    // The key goes last, and only once the memories are gone: a re-run still needs it to finish.
    const accounts = this.#deps.memsyncAccounts;
    if (accounts.scoping === 'key' && !report.failures.some((f) => f.service === 'memsync')) {
      try {
        if ((await accounts.status(user)).connected) {
          await accounts.disconnect(user);
          report.memsyncDisconnected = true;
        }
      } catch (error) {
        fail('memsync', null, error);
      }
    }
    await invalidator.after('forgetUser', user);
    return report;
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
