/**
 * The MemSync client: one method per endpoint of MemSync as emulators/README.md describes it, on its
 * own transport (pool, bulkhead, breaker). Paths are relative to the configured base URL, which
 * carries MemSync's `/v1`.
 *
 * Who a call is about: with `scoping: 'key'` (the default) every call is made with the MemSync API
 * key of that user (`keyOf`), and a user without one gets NOT_CONNECTED with nothing sent; never
 * the operator's key, never another user's. With `scoping: 'user-param'` the operator's key is
 * sent with the user as `user_id` (query parameter for GET, body field for POST).
 */
import { randomUUID } from 'node:crypto';
import { InputRejected, UpstreamError } from '../errors.js';
import { createUpstreamTransport, type UpstreamRequest } from '../transport/index.js';
import type {
  Bio,
  BioQuery,
  DeletedMemoriesResult,
  MemSyncClient,
  MemSyncClientConfig,
  MemoryPage,
  MemoryProfile,
  MemorySearchResult,
  StoreMemoriesResult,
  UpdatedBio,
  UpdatedMemory,
} from '../types.js';
import {
  BIO_FORMATS,
  BIO_STYLES,
  CONVERSATION_FIELD,
  MEMORY_CATEGORY_NAMES,
  MEMSYNC_MESSAGE_ROLES,
  USER_NAME,
  isValidFileId,
  isValidUserName,
  type BioFormat,
  type BioStyle,
} from '../vocabulary.js';
import {
  readBatchDelete,
  readBio,
  readMemoryPage,
  readMemorySearch,
  readProfile,
  readStoredMemories,
  readUpdatedBio,
  readUpdatedMemory,
  unwrapEnvelope,
} from './schemas.js';

const ROLES: readonly string[] = MEMSYNC_MESSAGE_ROLES;
const CATEGORIES: readonly string[] = MEMORY_CATEGORY_NAMES;
const PROFILE_SECTIONS = ['bio', 'categories', 'insights', 'stats', 'traits'];
/** Ids per `POST /memories/batch-delete` (the emulator's limit; the reference gives none). */
export const BATCH_DELETE_SIZE = 100;

/** Who a request is for: the key to send, and the `user_id` to add in user-param mode. */
interface Scope {
  apiKey?: string;
  userId?: string;
}

export function createMemSyncClient(config: MemSyncClientConfig): MemSyncClient {
  const scoping = config.scoping ?? 'key';
  const operatorKey = scoping === 'user-param' ? (config.apiKey ?? '') : '';
  const transport = createUpstreamTransport('memsync', config.baseUrl, operatorKey, config.options);
  const keyOf = config.keyOf ?? (async () => null);
  const agentId = config.agentId ?? 'memgate';

  const rejectInput = (endpoint: string, message: string): UpstreamError => transport.coerce(new InputRejected(message), endpoint);

  /** Checks the user name and finds the user's scope; NOT_CONNECTED when the user has no key. */
  const scopeOf = async (endpoint: string, user: string): Promise<Scope> => {
    if (!isValidUserName(user)) throw rejectInput(endpoint, USER_NAME.message);
    if (scoping === 'user-param') return { userId: user };
    const apiKey = await keyOf(user);
    if (!apiKey) {
      throw new UpstreamError(`memsync ${endpoint}: the user has not connected a MemSync account`, { code: 'NOT_CONNECTED', service: 'memsync', endpoint });
    }
    return { apiKey };
  };
  // A memory id goes into a path, as a file id does: the same rule.
  const checkMemoryId = (endpoint: string, id: string) => {
    if (!isValidFileId(id)) throw rejectInput(endpoint, 'memory id must be 1 to 256 characters of A-Z a-z 0-9 . _ ~ : -');
  };
  const checkCategory = (endpoint: string, category: string | undefined) => {
    if (category !== undefined && !CATEGORIES.includes(category)) throw rejectInput(endpoint, `category must be one of ${CATEGORIES.join(', ')}`);
  };
  const checkFormatStyle = (endpoint: string, format: BioFormat | undefined, style: BioStyle | undefined) => {
    if (format !== undefined && !(BIO_FORMATS as readonly string[]).includes(format)) throw rejectInput(endpoint, `format must be one of ${BIO_FORMATS.join(', ')}`);
    if (style !== undefined && !(BIO_STYLES as readonly string[]).includes(style)) throw rejectInput(endpoint, `style must be one of ${BIO_STYLES.join(', ')}`);
  };

  const withScope = (req: UpstreamRequest, scope: Scope): UpstreamRequest => {
    const scoped: UpstreamRequest = scope.apiKey ? { ...req, apiKey: scope.apiKey } : { ...req };
    if (scope.userId !== undefined) {
      if (req.method === 'GET') scoped.query = { ...req.query, user_id: scope.userId };
      else scoped.json = { ...(req.json as Record<string, unknown>), user_id: scope.userId };
    }
    return scoped;
  };

  const bioRequest = (query: BioQuery, signal: AbortSignal | undefined): UpstreamRequest => ({
    // A refresh has an endpoint name of its own: its 429 means the regeneration cooldown.
    endpoint: query.refresh ? 'bioRefresh' : 'bio',
    method: 'GET',
    path: '/profile/bio',
    query: {
      format: query.format,
      style: query.style,
      refresh: query.refresh ? 'true' : undefined,
      exclude_categories: query.excludeCategories?.length ? query.excludeCategories.join(',') : undefined,
    },
    // A refresh regenerates (and starts a cooldown): replayed only if it never got there.
    retry: query.refresh ? 'unsent' : 'safe',
    ownNotFound: (body) => body.upstreamCode === 'BIO_NOT_FOUND',
    signal,
  });

  return {
    service: 'memsync',

    async getBio(user, query: BioQuery = {}, opts): Promise<Bio> {
      const endpoint = query.refresh ? 'bioRefresh' : 'bio';
      const scope = await scopeOf(endpoint, user);
      if (query.format !== undefined && !BIO_FORMATS.includes(query.format)) throw rejectInput(endpoint, `format must be one of ${BIO_FORMATS.join(', ')}`);
      if (query.style !== undefined && !BIO_STYLES.includes(query.style)) throw rejectInput(endpoint, `style must be one of ${BIO_STYLES.join(', ')}`);
      // 404 BIO_NOT_FOUND is thrown as NOT_FOUND with details.suggestion and details.currentMemoryCount.
      return transport.requestJson(withScope(bioRequest(query, opts?.signal), scope), (res) => readBio(unwrapEnvelope(res.body)));
    },

    async storeMemories(user, input, opts): Promise<StoreMemoriesResult> {
      const scope = await scopeOf('memories', user);
      const messages = input?.messages;
      if (!Array.isArray(messages) || messages.length === 0) throw rejectInput('memories', 'messages must not be empty');
      messages.forEach((m, i) => {
        if (!m || !ROLES.includes(m.role) || typeof m.content !== 'string') {
          throw rejectInput('memories', `messages[${i}] must have a role MemSync stores (user or assistant) and a string content`);
        }
      });
      const fields = { agent_id: input.agentId ?? agentId, thread_id: input.threadId ?? `thread_${randomUUID()}`, source: input.source ?? 'chat' };
      for (const [name, value] of Object.entries(fields)) {
        if (!CONVERSATION_FIELD.pattern.test(value)) throw rejectInput('memories', `${name} ${CONVERSATION_FIELD.message}`);
      }
      return transport.requestJson(
        withScope(
          {
            endpoint: 'memories',
            method: 'POST',
            path: '/memories',
            json: { messages: messages.map((m) => ({ role: m.role, content: m.content })), ...fields, metadata: input.metadata },
            // A memory write is replayed only when it provably never reached MemSync.
            retry: 'unsent',
            signal: opts?.signal,
          },
          scope,
        ),
        (res) => readStoredMemories(unwrapEnvelope(res.body)),
      );
    },

    async searchMemories(user, query, opts): Promise<MemorySearchResult> {
      const scope = await scopeOf('memoriesSearch', user);
      if (typeof query?.query !== 'string' || query.query.trim() === '') throw rejectInput('memoriesSearch', 'query must not be empty');
      const limit = query.limit ?? 10;
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw rejectInput('memoriesSearch', 'limit must be an integer from 1 to 100');
      return transport.requestJson(
        withScope(
          {
            endpoint: 'memoriesSearch',
            method: 'POST',
            path: '/memories/search',
            json: {
              query: query.query,
              limit,
              categories: query.categories?.length ? query.categories : undefined,
              rerank: query.rerank,
              include_bio: query.includeBio,
            },
            // A POST is replayed only when it provably never reached MemSync, even a read-only one.
            retry: 'unsent',
            acceptStatuses: [404],
            ownNotFound: (body) => body.upstreamCode === 'NO_MEMORIES_FOUND',
            signal: opts?.signal,
          },
          scope,
        ),
        (res) => (res.status === 404 ? { userBio: null, memories: [] } : readMemorySearch(unwrapEnvelope(res.body))),
      );
    },

    async getProfile(user, query = {}, opts): Promise<MemoryProfile | null> {
      const scope = await scopeOf('profile', user);
      for (const section of query.include ?? []) {
        if (!PROFILE_SECTIONS.includes(section)) throw rejectInput('profile', `include must list some of ${PROFILE_SECTIONS.join(', ')}`);
      }
      checkCategory('profile', query.category);
      return transport.requestJson(
        withScope({
          endpoint: 'profile',
          method: 'GET',
          path: '/profile',
          query: {
            include: query.include?.length ? query.include.join(',') : undefined,
            category: query.category,
            refresh: query.refresh ? 'true' : undefined,
          },
          // A refresh may regenerate: replayed only if it never got there.
          retry: query.refresh ? 'unsent' : 'safe',
          acceptStatuses: [404],
          ownNotFound: (body) => body.upstreamCode === 'PROFILE_NOT_FOUND',
          signal: opts?.signal,
        }, scope),
        (res) => (res.status === 404 ? null : readProfile(unwrapEnvelope(res.body))),
      );
    },

    async listMemories(user, query = {}, opts): Promise<MemoryPage> {
      const scope = await scopeOf('memoriesList', user);
      const page = query.page ?? 1;
      const pageSize = query.pageSize ?? 20;
      if (!Number.isInteger(page) || page < 1) throw rejectInput('memoriesList', 'page must be an integer from 1');
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) throw rejectInput('memoriesList', 'page size must be an integer from 1 to 100');
      checkCategory('memoriesList', query.category);
      return transport.requestJson(
        withScope({
          endpoint: 'memoriesList',
          method: 'GET',
          path: '/memories',
          query: { page, page_size: pageSize, category: query.category, agent_id: query.agentId, thread_id: query.threadId },
          retry: 'safe',
          signal: opts?.signal,
        }, scope),
        // The list's own `data` is not the envelope's: it has no `status`.
        (res) => readMemoryPage(unwrapEnvelope(res.body)),
      );
    },

    async updateMemory(user, id, update, opts): Promise<UpdatedMemory> {
      const scope = await scopeOf('memoryUpdate', user);
      checkMemoryId('memoryUpdate', id);
      checkCategory('memoryUpdate', update?.category);
      if (update.content !== undefined && (typeof update.content !== 'string' || update.content.trim() === '')) throw rejectInput('memoryUpdate', 'content must not be empty');
      if (update.importance !== undefined && !(update.importance >= 0 && update.importance <= 1)) throw rejectInput('memoryUpdate', 'importance must be from 0 to 1');
      if (update.memoryType !== undefined && update.memoryType !== 'semantic' && update.memoryType !== 'episodic') throw rejectInput('memoryUpdate', 'memory type must be semantic or episodic');
      const json = {
        content: update.content,
        category: update.category,
        memory_type: update.memoryType,
        importance: update.importance,
        metadata: update.metadata,
      };
      if (Object.values(json).every((v) => v === undefined)) throw rejectInput('memoryUpdate', 'nothing to update');
      return transport.requestJson(
        withScope({
          endpoint: 'memoryUpdate',
          method: 'PATCH',
          path: `/memories/${encodeURIComponent(id)}`,
          json,
          // A write: replayed only when it provably never reached MemSync.
          retry: 'unsent',
          ownNotFound: (body) => body.upstreamCode === 'MEMORY_NOT_FOUND',
          statusCodes: { 400: 'BAD_USER_INPUT' },
          signal: opts?.signal,
        }, scope),
        (res) => readUpdatedMemory(unwrapEnvelope(res.body)),
      );
    },

    async deleteMemories(user, ids, opts): Promise<DeletedMemoriesResult> {
      const scope = await scopeOf('memoriesBatchDelete', user);
      if (!Array.isArray(ids) || ids.length === 0) throw rejectInput('memoriesBatchDelete', 'ids must not be empty');
      for (const id of ids) checkMemoryId('memoriesBatchDelete', id);
      const unique = [...new Set(ids)];
      const result: DeletedMemoriesResult = { deleted: [], notFound: [] };
      // One call per 100 ids, in order; a failure stops there (the earlier batches stay deleted).
      for (let i = 0; i < unique.length; i += BATCH_DELETE_SIZE) {
        const batch = await transport.requestJson(
          withScope({
            endpoint: 'memoriesBatchDelete',
            method: 'POST',
            path: '/memories/batch-delete',
            json: { memory_ids: unique.slice(i, i + BATCH_DELETE_SIZE) },
            retry: 'unsent',
            statusCodes: { 400: 'BAD_USER_INPUT' },
            signal: opts?.signal,
          }, scope),
          (res) => readBatchDelete(unwrapEnvelope(res.body)),
        );
        result.deleted.push(...batch.deleted);
        result.notFound.push(...batch.notFound);
      }
      return result;
    },

    async updateBio(user, input, opts): Promise<UpdatedBio> {
      const scope = await scopeOf('bioUpdate', user);
      checkFormatStyle('bioUpdate', input?.format, input?.style);
      const hasText = input.text !== undefined;
      if (hasText === !!input.regenerate) throw rejectInput('bioUpdate', 'give either a text or regenerate');
      if (hasText && (typeof input.text !== 'string' || input.text.trim() === '')) throw rejectInput('bioUpdate', 'text must not be empty');
      for (const list of [input.includeCategories, input.excludeCategories]) for (const c of list ?? []) checkCategory('bioUpdate', c);
      return transport.requestJson(
        withScope({
          endpoint: 'bioUpdate',
          method: 'PATCH',
          path: '/profile/bio',
          json: {
            bio: input.text,
            regenerate: input.regenerate || undefined,
            format: input.format,
            style: input.style,
            manual_override: input.manualOverride,
            include_categories: input.includeCategories?.length ? input.includeCategories : undefined,
            exclude_categories: input.excludeCategories?.length ? input.excludeCategories : undefined,
          },
          // A write (and a regeneration starts the cooldown): never replayed once sent.
          retry: 'unsent',
          ownNotFound: (body) => body.upstreamCode === 'BIO_NOT_FOUND',
          // BIO_TOO_LONG, INVALID_FORMAT: the caller's input; details keep max_length.
          statusCodes: { 400: 'BAD_USER_INPUT' },
          signal: opts?.signal,
        }, scope),
        (res) => readUpdatedBio(unwrapEnvelope(res.body)),
      );
    },

    async checkApiKey(apiKey, opts) {
      if (typeof apiKey !== 'string' || apiKey === '') return false;
      try {
        await transport.requestJson({ ...bioRequest({ format: 'short' }, opts?.signal), endpoint: 'keyCheck', apiKey, acceptStatuses: [404] }, () => undefined);
        return true;
      } catch (error) {
        const e = error as UpstreamError;
        if (e.code === 'UPSTREAM_REJECTED' && (e.status === 401 || e.status === 403)) return false;
        throw error;
      }
    },

    close: () => transport.close(),
  };
}
