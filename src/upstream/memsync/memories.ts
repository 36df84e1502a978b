/** MemSync's memory endpoints: store a conversation's memories, search, list, update, delete. */
import { randomUUID } from 'node:crypto';
import type {
  CallOptions,
  DeletedMemoriesResult,
  MemoryListQuery,
  MemoryPage,
  MemorySearchQuery,
  MemorySearchResult,
  MemoryUpdate,
  StoreMemoriesInput,
  StoreMemoriesResult,
  UpdatedMemory,
} from '../types.js';
import { CONVERSATION_FIELD, MEMSYNC_MESSAGE_ROLES } from '../vocabulary.js';
import { readBatchDelete, readMemoryPage, readMemorySearch, readStoredMemories, readUpdatedMemory, unwrapEnvelope } from './schemas.js';
import type { MemSyncCall } from './scope.js';

const ROLES: readonly string[] = MEMSYNC_MESSAGE_ROLES;
/** Ids per `POST /memories/batch-delete` (the emulator's limit; the reference gives none). */
export const BATCH_DELETE_SIZE = 100;

export async function storeMemories(call: MemSyncCall, user: string, input: StoreMemoriesInput, opts?: CallOptions): Promise<StoreMemoriesResult> {
  const { check } = call;
  const scope = await call.scopeOf('memories', user);
  const messages = input?.messages;
  if (!Array.isArray(messages) || messages.length === 0) throw check.reject('memories', 'messages must not be empty');
  messages.forEach((m, i) => {
    if (!m || !ROLES.includes(m.role) || typeof m.content !== 'string') {
      throw check.reject('memories', `messages[${i}] must have a role MemSync stores (user or assistant) and a string content`);
    }
  });
  const fields = { agent_id: input.agentId ?? call.agentId, thread_id: input.threadId ?? `thread_${randomUUID()}`, source: input.source ?? 'chat' };
  for (const [name, value] of Object.entries(fields)) {
    if (!CONVERSATION_FIELD.pattern.test(value)) throw check.reject('memories', `${name} ${CONVERSATION_FIELD.message}`);
  }
  const json = { messages: messages.map((m) => ({ role: m.role, content: m.content })), ...fields, metadata: input.metadata };
  // A memory write is replayed only when it provably never reached MemSync.
  const req = { endpoint: 'memories', method: 'POST', path: '/memories', json, retry: 'unsent', signal: opts?.signal } as const;
  return call.transport.requestJson(call.withScope(req, scope), (res) => readStoredMemories(unwrapEnvelope(res.body)));
}

export async function searchMemories(call: MemSyncCall, user: string, query: MemorySearchQuery, opts?: CallOptions): Promise<MemorySearchResult> {
  const scope = await call.scopeOf('memoriesSearch', user);
  if (typeof query?.query !== 'string' || query.query.trim() === '') throw call.check.reject('memoriesSearch', 'query must not be empty');
  const limit = query.limit ?? 10;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw call.check.reject('memoriesSearch', 'limit must be an integer from 1 to 100');
  return call.transport.requestJson(
    call.withScope({
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
    }, scope),
    (res) => (res.status === 404 ? { userBio: null, memories: [] } : readMemorySearch(unwrapEnvelope(res.body))),
  );
}

export async function listMemories(call: MemSyncCall, user: string, query: MemoryListQuery = {}, opts?: CallOptions): Promise<MemoryPage> {
  const scope = await call.scopeOf('memoriesList', user);
  const page = query.page ?? 1;
  const pageSize = query.pageSize ?? 20;
  if (!Number.isInteger(page) || page < 1) throw call.check.reject('memoriesList', 'page must be an integer from 1');
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) throw call.check.reject('memoriesList', 'page size must be an integer from 1 to 100');
  call.check.category('memoriesList', query.category);
  const params = { page, page_size: pageSize, category: query.category, agent_id: query.agentId, thread_id: query.threadId };
  const req = { endpoint: 'memoriesList', method: 'GET', path: '/memories', query: params, retry: 'safe', signal: opts?.signal } as const;
  // The list's own `data` is not the envelope's: it has no `status`.
  return call.transport.requestJson(call.withScope(req, scope), (res) => readMemoryPage(unwrapEnvelope(res.body)));
}

export async function updateMemory(call: MemSyncCall, user: string, id: string, update: MemoryUpdate, opts?: CallOptions): Promise<UpdatedMemory> {
  const { check } = call;
  const scope = await call.scopeOf('memoryUpdate', user);
  check.memoryId('memoryUpdate', id);
  check.category('memoryUpdate', update?.category);
  if (update.content !== undefined) check.text('memoryUpdate', 'content', update.content);
  if (update.importance !== undefined && !(update.importance >= 0 && update.importance <= 1)) throw check.reject('memoryUpdate', 'importance must be from 0 to 1');
  if (update.memoryType !== undefined && update.memoryType !== 'semantic' && update.memoryType !== 'episodic') throw check.reject('memoryUpdate', 'memory type must be semantic or episodic');
  const json = {
    content: update.content,
    category: update.category,
    memory_type: update.memoryType,
    importance: update.importance,
    metadata: update.metadata,
  };
  if (Object.values(json).every((v) => v === undefined)) throw check.reject('memoryUpdate', 'nothing to update');
  return call.transport.requestJson(
    call.withScope({
      endpoint: 'memoryUpdate',
      method: 'PATCH',
      path: `/memories/${encodeURIComponent(id)}`,
      json,
      // A write: replayed only when it provably never reached MemSync.
      retry: 'unsent',
      ownNotFound: (body) => body.upstreamCode === 'MEMORY_NOT_FOUND',
      // 422: a valid request MemSync cannot process (its introduction's table): the caller's edit.
      statusCodes: { 400: 'BAD_USER_INPUT', 422: 'BAD_USER_INPUT' },
      signal: opts?.signal,
    }, scope),
    (res) => readUpdatedMemory(unwrapEnvelope(res.body)),
  );
}

/** One call per 100 ids, in order; a failure stops there (the earlier batches stay deleted). */
export async function deleteMemories(call: MemSyncCall, user: string, ids: readonly string[], opts?: CallOptions): Promise<DeletedMemoriesResult> {
  const scope = await call.scopeOf('memoriesBatchDelete', user);
  if (!Array.isArray(ids) || ids.length === 0) throw call.check.reject('memoriesBatchDelete', 'ids must not be empty');
  for (const id of ids) call.check.memoryId('memoriesBatchDelete', id);
  const unique = [...new Set(ids)];
  const result: DeletedMemoriesResult = { deleted: [], notFound: [] };
  for (let i = 0; i < unique.length; i += BATCH_DELETE_SIZE) {
    const batch = await call.transport.requestJson(
      call.withScope({
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
}
