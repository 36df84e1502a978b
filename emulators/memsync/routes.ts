import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { apiKeyOf, type EmulatorContext, type RouteDefinition } from '../core/kit.js';
import type { MemSyncAccounts } from './accounts.js';
import {
  BIO_FORMATS,
  BIO_STYLES,
  REFRESH_COOLDOWN_MS,
  SIGNIFICANT_NEW_MEMORIES,
  assess,
  createSnapshot,
  renderBio,
  type BioFormat,
  type BioSnapshot,
  type BioStyle,
} from './bio.js';
import { MEMORY_CATEGORIES, extractMemories } from './extract.js';
import { activeManualBio, manualBioBody, memoryManagementRoutes } from './manage.js';
import { searchMemories } from './search.js';
import type { MemoryStore, StoredMemory } from './store.js';
import { isoTime } from './text.js';

export interface MemSyncRouteDeps {
  store: MemoryStore;
  accounts: MemSyncAccounts;
  now: () => number;
  generationDelayMs: number;
}

const DEFAULT_USER = 'default';

const messageSchema = z.object({
  role: z.enum(['user', 'assistant'], { errorMap: () => ({ message: 'must be user or assistant' }) }),
  content: z.string().trim().min(1, 'must be a non-empty string'),
});

const requiredText = z.string({ required_error: 'is required', invalid_type_error: 'must be a string' }).trim().min(1, 'must be a non-empty string');

// `user_id` names the account only for app keys (the user-param mode); account keys ignore it.
const userIdField = z.string({ invalid_type_error: 'must be a string' }).nullish();

const storeBodySchema = z.object({
  user_id: userIdField,
  messages: z.array(messageSchema, { required_error: 'is required' }).min(1, 'must hold at least one message'),
  agent_id: requiredText,
  thread_id: requiredText,
  source: requiredText,
  metadata: z.record(z.unknown()).nullish(),
});

const searchBodySchema = z.object({
  user_id: userIdField,
  query: z.string().trim().min(1, 'must be a non-empty string'),
  limit: z.number().int().min(1).max(100).default(10),
  categories: z.array(z.enum(MEMORY_CATEGORIES)).nullish(),
  rerank: z.boolean().default(false),
  include_bio: z.boolean().default(true),
});

function validationError(c: EmulatorContext, details: { field: string; message: string }[]): Response {
  const first = details[0];
  const error = first ? `Request validation failed: ${first.field} ${first.message}` : 'Request validation failed';
  return c.json({ error, code: 'VALIDATION_ERROR', details }, 400);
}

/** Reads a JSON object body; `undefined` when the body is not a JSON object. */
async function jsonBody(c: EmulatorContext): Promise<Record<string, unknown> | undefined> {
  try {
    const body: unknown = await c.req.json();
    return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The account a request is about: the one its key opens. For an app key (the user-param mode) the
 * `user_id` of the query, else of a JSON body (GET and DELETE have none); `default` when absent.
 * A request with no key or an unknown key (answered 401) is counted under the user it names.
 */
export async function accountOfRequest(c: EmulatorContext, accounts: MemSyncAccounts): Promise<string> {
  const key = apiKeyOf(c);
  const account = key && !accounts.isAppKey(key) ? accounts.accountOf(key) : undefined;
  if (account) return account;
  const fromQuery = c.req.query('user_id');
  if (fromQuery) return fromQuery;
  if (c.req.method === 'GET' || c.req.method === 'DELETE') return DEFAULT_USER;
  const userId = (await jsonBody(c))?.user_id;
  return typeof userId === 'string' && userId ? userId : DEFAULT_USER;
}

async function parseBody<T extends z.ZodTypeAny>(
  c: EmulatorContext,
  schema: T,
): Promise<{ ok: true; data: z.infer<T> } | { ok: false; response: Response }> {
  const body = await jsonBody(c);
  if (!body) return { ok: false, response: validationError(c, [{ field: 'body', message: 'must be a JSON object' }]) };
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    return {
      ok: false,
      response: validationError(
        c,
        parsed.error.issues.map((issue) => ({ field: issue.path.join('.') || 'body', message: issue.message })),
      ),
    };
  }
  return { ok: true, data: parsed.data };
}

function memoryBody(m: StoredMemory) {
  return { id: m.id, memory: m.memory, categories: [...m.categories], type: m.type, created_at: isoTime(m.createdAt) };
}

/** The MemSync routes over one store. */
export function memSyncRoutes(deps: MemSyncRouteDeps): RouteDefinition[] {
  const { store, now, accounts } = deps;
  const account = (c: EmulatorContext) => accountOfRequest(c, accounts);

  /** Generates (once at a time per user) a new snapshot of the user's memories. */
  const generate = (userId: string): Promise<BioSnapshot> => {
    const state = store.user(userId);
    if (state.generating) return state.generating;
    const memories = [...store.memories(userId)];
    state.generating = (async () => {
      await sleep(deps.generationDelayMs);
      const snapshot = createSnapshot(memories, now());
      state.bio = snapshot;
      return snapshot;
    })().finally(() => {
      state.generating = null;
    });
    return state.generating;
  };

  /** The bio to serve without `refresh`: the cached one unless expired or behind by significant new memories. */
  const currentBio = async (userId: string): Promise<BioSnapshot | null> => {
    const state = store.user(userId);
    const memories = store.memories(userId);
    const bio = state.bio;
    const stale = !bio || now() >= bio.expiresAt || memories.length - bio.memoryCount >= SIGNIFICANT_NEW_MEMORIES;
    if (stale && assess(memories, new Set()).ok) return generate(userId);
    return bio;
  };

  const bio: RouteDefinition = {
    id: 'bio',
    method: 'GET',
    paths: ['/v1/profile/bio'],
    user: (c) => accountOfRequest(c, accounts),
    async handler(c) {
      const format = c.req.query('format') ?? 'full';
      const style = c.req.query('style') ?? 'narrative';
      const refreshParam = c.req.query('refresh');
      const userId = await account(c);
      if (!(BIO_FORMATS as readonly string[]).includes(format)) {
        return c.json({ error: 'Invalid bio format specified', code: 'INVALID_FORMAT', valid_formats: [...BIO_FORMATS] }, 400);
      }
      if (!(BIO_STYLES as readonly string[]).includes(style)) {
        return c.json({ error: 'Invalid bio style specified', code: 'INVALID_STYLE', valid_styles: [...BIO_STYLES] }, 400);
      }
      if (refreshParam !== undefined && refreshParam !== 'true' && refreshParam !== 'false') {
        return c.json(
          { error: 'Invalid refresh value: expected true or false', code: 'VALIDATION_ERROR', details: [{ field: 'refresh', message: 'must be true or false' }] },
          400,
        );
      }
      const exclude = new Set(
        (c.req.query('exclude_categories') ?? '')
          .split(',')
          .map((s) => s.trim().toLowerCase())
          .filter(Boolean),
      );
      const memories = store.memories(userId);
      const notFound = (suggestion: string) =>
        c.json(
          { error: 'Bio not yet generated', code: 'BIO_NOT_FOUND', suggestion, current_memory_count: memories.length },
          404,
        );

      // A manual bio is served while it holds; a refresh replaces it with a generated one.
      const manual = activeManualBio(store, userId);
      if (manual && refreshParam !== 'true') return c.json(manualBioBody(manual));

      let snapshot: BioSnapshot | null;
      if (refreshParam === 'true') {
        const state = store.user(userId);
        const since = state.lastRefreshAt === null ? Infinity : now() - state.lastRefreshAt;
        if (since < REFRESH_COOLDOWN_MS) {
          const retryAfter = Math.max(1, Math.ceil((REFRESH_COOLDOWN_MS - since) / 1000));
          c.header('Retry-After', String(retryAfter));
          return c.json({ error: 'Too many bio generation requests', code: 'RATE_LIMIT_EXCEEDED', retry_after: retryAfter }, 429);
        }
        const eligibility = assess(memories, new Set());
        if (!eligibility.ok) return notFound(eligibility.suggestion);
        state.lastRefreshAt = now();
        state.manualBio = null;
        snapshot = await generate(userId);
      } else {
        snapshot = await currentBio(userId);
      }
      if (!snapshot) return notFound(assess(memories, exclude).suggestion);
      const body = renderBio(snapshot, format as BioFormat, style as BioStyle, exclude);
      if (!body) return notFound(assess(snapshot.memories, exclude).suggestion);
      return c.json(body);
    },
  };

  const memories: RouteDefinition = {
    id: 'memories',
    method: 'POST',
    paths: ['/v1/memories'],
    user: (c) => accountOfRequest(c, accounts),
    async handler(c) {
      const started = performance.now();
      const parsed = await parseBody(c, storeBodySchema);
      if (!parsed.ok) return parsed.response;
      const body = parsed.data;
      const userId = await account(c);
      const createdAt = now();
      const created = extractMemories(body.messages).map((m) =>
        store.add(userId, {
          memory: m.memory,
          categories: m.categories,
          type: m.type,
          source: body.source,
          agentId: body.agent_id,
          threadId: body.thread_id,
          metadata: body.metadata ?? null,
          createdAt,
          updatedAt: createdAt,
        }),
      );
      const detected = [...new Set(created.flatMap((m) => m.categories))];
      return c.json({
        success: true,
        memories_created: created.length,
        processing_time: `${((performance.now() - started) / 1000).toFixed(1)}s`,
        categories_detected: detected,
        memories: created.map(memoryBody),
      });
    },
  };

  const memoriesSearch: RouteDefinition = {
    id: 'memoriesSearch',
    method: 'POST',
    paths: ['/v1/memories/search'],
    user: (c) => accountOfRequest(c, accounts),
    async handler(c) {
      const parsed = await parseBody(c, searchBodySchema);
      if (!parsed.ok) return parsed.response;
      const body = parsed.data;
      const userId = await account(c);
      const all = store.memories(userId);
      if (all.length === 0) {
        return c.json({ error: 'No memories found for this user', code: 'NO_MEMORIES_FOUND' }, 404);
      }
      const hits = searchMemories(all, body.query, {
        limit: body.limit,
        categories: body.categories ?? undefined,
        rerank: body.rerank,
      });
      let userBio: string | null = null;
      if (body.include_bio) {
        const cached = store.user(userId).bio;
        const manual = activeManualBio(store, userId);
        if (manual) userBio = manual.text;
        else if (cached && now() < cached.expiresAt) userBio = renderBio(cached, 'full', 'narrative', new Set())?.bio ?? null;
      }
      return c.json({
        user_bio: userBio,
        memories: hits.map(({ memory: m, distance, rerankScore }) => ({
          id: m.id,
          memory: m.memory,
          categories: [...m.categories],
          type: m.type,
          vector_distance: distance,
          rerank_score: rerankScore,
          source: m.source,
          created_at: isoTime(m.createdAt),
          updated_at: m.updatedAt === null ? null : isoTime(m.updatedAt),
          agent_id: m.agentId,
          thread_id: m.threadId,
        })),
      });
    },
  };

  return [bio, memories, memoriesSearch, ...memoryManagementRoutes({ store, now, generate, currentBio, account })];
}
