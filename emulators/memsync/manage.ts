/**
 * MemSync's memory management and profile endpoints (emulators/README.md, "The upstreams' behaviour"): `GET /profile`,
 * `GET /memories`, `PATCH /memories/{id}`, `DELETE /memories/{id}`, `POST /memories/batch-delete`,
 * `PATCH /profile/bio`. Every route acts on the account the request resolves to (`account`), and
 * nothing of one account is visible or changeable through another: another account's memory id is
 * `404 MEMORY_NOT_FOUND`, exactly as an unknown one.
 */
import { z } from 'zod';
import type { EmulatorContext, RouteDefinition } from '../core/kit.js';
import {
  BIO_FORMATS,
  BIO_STYLES,
  BIO_TTL_MS,
  REFRESH_COOLDOWN_MS,
  SIGNIFICANT_NEW_MEMORIES,
  assess,
  renderBio,
  type BioBody,
  type BioFormat,
  type BioSnapshot,
  type BioStyle,
} from './bio.js';
import { MEMORY_CATEGORIES, type MemoryCategory } from './extract.js';
import { DEFAULT_PROFILE_SECTIONS, PROFILE_SECTIONS, composeProfile, type ProfileSection } from './profile.js';
import type { ManualBio, MemoryStore, StoredMemory } from './store.js';
import { countWords, isoTime } from './text.js';

/** A manual biography's limit, in words (memgate reads MemSync's `max_length: 500` as words: emulators/README.md). */
export const MAX_BIO_WORDS = 500;
/** Most ids one `POST /memories/batch-delete` takes (the emulator's choice; the reference gives none). */
export const MAX_BATCH_DELETE = 100;

export interface ManageDeps {
  store: MemoryStore;
  now: () => number;
  /** Generates a new bio snapshot of the account now (shared with concurrent readers). */
  generate(account: string): Promise<BioSnapshot>;
  /** The bio a read without `refresh` serves: the cached one, or a new one when it is stale. */
  currentBio(account: string): Promise<BioSnapshot | null>;
  /** The account a request is about (for the routes and their counters). */
  account(c: EmulatorContext): Promise<string> | string;
}

type Detail = { field: string; message: string };

function validationError(c: EmulatorContext, details: Detail[], error = 'Request validation failed'): Response {
  return c.json({ error, code: 'VALIDATION_ERROR', details }, 400);
}

const issuesOf = (error: z.ZodError): Detail[] => error.issues.map((i) => ({ field: i.path.join('.') || 'body', message: i.message }));

async function jsonObject(c: EmulatorContext): Promise<Record<string, unknown> | undefined> {
  try {
    const body: unknown = await c.req.json();
    return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `true`/`false` query values; the default when absent; undefined for anything else. */
function queryBoolean(value: string | undefined, fallback: boolean): boolean | undefined {
  if (value === undefined || value === '') return fallback;
  return value === 'true' ? true : value === 'false' ? false : undefined;
}

const notFound = (c: EmulatorContext, id: string) => c.json({ error: 'Memory not found', code: 'MEMORY_NOT_FOUND', memory_id: id }, 404);
const invalidCategory = (c: EmulatorContext) =>
  c.json({ error: 'Invalid category specified', code: 'INVALID_CATEGORY', valid_categories: [...MEMORY_CATEGORIES] }, 400);
const isCategory = (value: unknown): value is MemoryCategory => typeof value === 'string' && (MEMORY_CATEGORIES as readonly string[]).includes(value);

/** A memory as `GET /memories` lists it: the search fields without the scores. */
function listedMemory(m: StoredMemory) {
  return {
    id: m.id,
    memory: m.memory,
    categories: [...m.categories],
    type: m.type,
    source: m.source,
    created_at: isoTime(m.createdAt),
    updated_at: m.updatedAt === null ? null : isoTime(m.updatedAt),
    agent_id: m.agentId,
    thread_id: m.threadId,
  };
}

/** A manual bio while it holds: always with `manual_override`, else until significant new memories arrive. */
export function activeManualBio(store: MemoryStore, account: string): ManualBio | null {
  const manual = store.user(account).manualBio;
  if (!manual) return null;
  if (manual.override || store.memories(account).length - manual.memoryCount < SIGNIFICANT_NEW_MEMORIES) return manual;
  return null;
}

/** A manual bio as `GET /profile/bio` sends it (the same fields as a generated one, plus `is_manual`). */
export function manualBioBody(manual: ManualBio): BioBody & { is_manual: true } {
  return {
    bio: manual.text,
    format: manual.format as BioFormat,
    style: manual.style as BioStyle,
    word_count: countWords(manual.text),
    character_count: manual.text.length,
    confidence: 1,
    source_memories: 0,
    categories_included: [],
    key_themes: [],
    generated_at: isoTime(manual.updatedAt),
    expires_at: isoTime(manual.updatedAt + BIO_TTL_MS),
    is_manual: true,
  };
}

const listQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(100).default(20),
  category: z.string().optional(),
  agent_id: z.string().optional(),
  thread_id: z.string().optional(),
});

const updateBody = z
  .object({
    content: z.string().trim().min(1, 'must be a non-empty string').optional(),
    category: z.unknown().optional(),
    memory_type: z.enum(['semantic', 'episodic']).optional(),
    importance: z.number().min(0).max(1).optional(),
    metadata: z.record(z.unknown()).optional(),
  })
  .passthrough();

const batchBody = z.object({
  memory_ids: z.array(z.string().min(1)).min(1, 'must hold at least one id').max(MAX_BATCH_DELETE, `at most ${MAX_BATCH_DELETE} ids per call`),
  cascade: z.boolean().optional(),
  backup: z.boolean().optional(),
});

const bioUpdateBody = z.object({
  bio: z.string().optional(),
  format: z.string().optional(),
  style: z.string().optional(),
  regenerate: z.boolean().optional(),
  manual_override: z.boolean().optional(),
  include_categories: z.array(z.string()).optional(),
  exclude_categories: z.array(z.string()).optional(),
});

/** The six routes, each acting on `deps.account(c)`. */
export function memoryManagementRoutes(deps: ManageDeps): RouteDefinition[] {
  const { store, now } = deps;
  const account = deps.account;

  const profile: RouteDefinition = {
    id: 'profile',
    method: 'GET',
    paths: ['/v1/profile'],
    user: account,
    async handler(c) {
      const userId = await account(c);
      const include = c.req.query('include');
      const sections = new Set<ProfileSection>();
      for (const raw of include === undefined || include.trim() === '' ? DEFAULT_PROFILE_SECTIONS : include.split(',')) {
        const section = raw.trim().toLowerCase();
        if (!(PROFILE_SECTIONS as readonly string[]).includes(section)) {
          return validationError(c, [{ field: 'include', message: `unknown section '${raw.trim()}'; expected some of ${PROFILE_SECTIONS.join(', ')}` }]);
        }
        sections.add(section as ProfileSection);
      }
      const category = c.req.query('category');
      if (category !== undefined && !isCategory(category)) return invalidCategory(c);
      const refresh = queryBoolean(c.req.query('refresh'), false);
      if (refresh === undefined) return validationError(c, [{ field: 'refresh', message: 'must be true or false' }]);
      const memories = store.memories(userId);
      if (memories.length === 0) {
        return c.json({ error: 'Profile not yet generated', code: 'PROFILE_NOT_FOUND', suggestion: 'Store some memories first to generate a profile' }, 404);
      }
      let bio: Parameters<typeof composeProfile>[1]['bio'] = null;
      if (sections.has('bio')) {
        const manual = activeManualBio(store, userId);
        // Only a refresh may start a generation; a plain read shows the bio there is.
        const snapshot = manual ? null : refresh ? await deps.currentBio(userId) : store.user(userId).bio;
        const rendered = manual ? manualBioBody(manual) : snapshot ? renderBio(snapshot, 'full', 'narrative', new Set()) : null;
        if (rendered) bio = { summary: rendered.bio, generatedAt: Date.parse(rendered.generated_at), confidence: rendered.confidence, wordCount: rendered.word_count };
      }
      return c.json(composeProfile(memories, { userId, sections, ...(category ? { category } : {}), bio, now: now() }));
    },
  };

  const memoriesList: RouteDefinition = {
    id: 'memoriesList',
    method: 'GET',
    paths: ['/v1/memories'],
    user: account,
    async handler(c) {
      const userId = await account(c);
      const parsed = listQuery.safeParse(c.req.query());
      if (!parsed.success) return validationError(c, issuesOf(parsed.error));
      const q = parsed.data;
      if (q.category !== undefined && !isCategory(q.category)) return invalidCategory(c);
      const all = store
        .memories(userId)
        .filter((m) => (!q.category || m.categories.includes(q.category as MemoryCategory)) && (!q.agent_id || m.agentId === q.agent_id) && (!q.thread_id || m.threadId === q.thread_id))
        // Newest first; ids break ties (later ids are newer).
        .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
      const start = (q.page - 1) * q.page_size;
      return c.json({
        data: all.slice(start, start + q.page_size).map(listedMemory),
        pagination: { page: q.page, page_size: q.page_size, total: all.length, total_pages: Math.ceil(all.length / q.page_size) },
      });
    },
  };

  const memoryUpdate: RouteDefinition = {
    id: 'memoryUpdate',
    method: 'PATCH',
    paths: ['/v1/memories/:memory_id'],
    user: account,
    async handler(c) {
      const userId = await account(c);
      const id = c.req.param('memory_id') ?? '';
      const body = await jsonObject(c);
      if (!body) return validationError(c, [{ field: 'body', message: 'must be a JSON object' }]);
      const parsed = updateBody.safeParse(body);
      if (!parsed.success) return validationError(c, issuesOf(parsed.error));
      const patch = parsed.data;
      if (patch.category !== undefined && !isCategory(patch.category)) return invalidCategory(c);
      if (patch.content === undefined && patch.category === undefined && patch.memory_type === undefined && patch.importance === undefined && patch.metadata === undefined) {
        return validationError(c, [{ field: 'body', message: 'nothing to update: give content, category, memory_type, importance or metadata' }]);
      }
      const updated = store.update(userId, id, {
        ...(patch.content !== undefined ? { memory: patch.content } : {}),
        ...(patch.category !== undefined ? { categories: [patch.category as MemoryCategory] } : {}),
        ...(patch.memory_type !== undefined ? { type: patch.memory_type } : {}),
        ...(patch.importance !== undefined ? { importance: patch.importance } : {}),
        ...(patch.metadata !== undefined ? { metadata: patch.metadata } : {}),
        updatedAt: now(),
      });
      if (!updated) return notFound(c, id);
      return c.json({
        memory_id: updated.id,
        content: updated.memory,
        category: updated.categories[0] ?? 'identity',
        memory_type: updated.type,
        importance: updated.importance,
        metadata: updated.metadata ?? {},
        created_at: isoTime(updated.createdAt),
        updated_at: isoTime(updated.updatedAt ?? updated.createdAt),
      });
    },
  };

  const memoryDelete: RouteDefinition = {
    id: 'memoryDelete',
    method: 'DELETE',
    paths: ['/v1/memories/:memory_id'],
    user: account,
    async handler(c) {
      const userId = await account(c);
      const id = c.req.param('memory_id') ?? '';
      const cascade = queryBoolean(c.req.query('cascade'), false);
      const backup = queryBoolean(c.req.query('backup'), true);
      if (cascade === undefined || backup === undefined) {
        return validationError(c, [{ field: cascade === undefined ? 'cascade' : 'backup', message: 'must be true or false' }]);
      }
      const memory = store.find(userId, id);
      if (!memory || !store.remove(userId, id)) return notFound(c, id);
      return c.json({
        success: true,
        memory_id: id,
        deleted_at: isoTime(now()),
        cascade_deletions: { profile_updates: cascade ? 1 : 0, derived_insights: cascade ? memory.categories.length : 0, embeddings: 1 },
        backup_id: backup ? `backup_${id.replace(/^mem_/, '')}` : null,
      });
    },
  };

  const memoriesBatchDelete: RouteDefinition = {
    id: 'memoriesBatchDelete',
    method: 'POST',
    paths: ['/v1/memories/batch-delete'],
    user: account,
    async handler(c) {
      const userId = await account(c);
      const body = await jsonObject(c);
      if (!body) return validationError(c, [{ field: 'body', message: 'must be a JSON object' }]);
      const parsed = batchBody.safeParse(body);
      if (!parsed.success) return validationError(c, issuesOf(parsed.error));
      const deleted: string[] = [];
      const missing: string[] = [];
      for (const id of new Set(parsed.data.memory_ids)) (store.remove(userId, id) ? deleted : missing).push(id);
      return c.json({ success: true, deleted, not_found: missing });
    },
  };

  const bioUpdate: RouteDefinition = {
    id: 'bioUpdate',
    method: 'PATCH',
    paths: ['/v1/profile/bio'],
    user: account,
    async handler(c) {
      const userId = await account(c);
      const body = await jsonObject(c);
      if (!body) return validationError(c, [{ field: 'body', message: 'must be a JSON object' }]);
      const parsed = bioUpdateBody.safeParse(body);
      if (!parsed.success) return validationError(c, issuesOf(parsed.error));
      const p = parsed.data;
      const format = p.format ?? 'full';
      const style = p.style ?? 'narrative';
      if (!(BIO_FORMATS as readonly string[]).includes(format)) {
        return c.json({ error: 'Invalid bio format specified', code: 'INVALID_FORMAT', valid_formats: [...BIO_FORMATS] }, 400);
      }
      if (!(BIO_STYLES as readonly string[]).includes(style)) {
        return c.json({ error: 'Invalid bio style specified', code: 'INVALID_STYLE', valid_styles: [...BIO_STYLES] }, 400);
      }
      if (p.bio !== undefined && p.regenerate) return validationError(c, [{ field: 'regenerate', message: 'give either bio or regenerate, not both' }]);
      const state = store.user(userId);
      const updatedAt = now();

      if (p.bio !== undefined) {
        const text = p.bio.trim();
        if (text === '') return validationError(c, [{ field: 'bio', message: 'must be a non-empty string' }]);
        const words = countWords(text);
        if (words > MAX_BIO_WORDS) {
          return c.json({ error: 'Bio text too long', code: 'BIO_TOO_LONG', max_length: MAX_BIO_WORDS, current_length: words }, 400);
        }
        state.manualBio = { text, format, style, override: p.manual_override ?? false, updatedAt, memoryCount: store.memories(userId).length };
        return c.json({ bio: text, format, style, word_count: words, character_count: text.length, is_manual: true, updated_at: isoTime(updatedAt) });
      }
      if (!p.regenerate) return validationError(c, [{ field: 'body', message: 'give bio (manual text) or regenerate: true' }]);

      // Regenerating is a refresh: the same 10-minute cooldown per account.
      const since = state.lastRefreshAt === null ? Infinity : now() - state.lastRefreshAt;
      if (since < REFRESH_COOLDOWN_MS) {
        const retryAfter = Math.max(1, Math.ceil((REFRESH_COOLDOWN_MS - since) / 1000));
        c.header('Retry-After', String(retryAfter));
        return c.json({ error: 'Too many bio generation requests', code: 'RATE_LIMIT_EXCEEDED', retry_after: retryAfter }, 429);
      }
      const memories = store.memories(userId);
      const exclude = new Set((p.exclude_categories ?? []).map((x) => x.trim().toLowerCase()));
      if (p.include_categories?.length) {
        const include = new Set(p.include_categories.map((x) => x.trim().toLowerCase()));
        for (const category of MEMORY_CATEGORIES) if (!include.has(category)) exclude.add(category);
      }
      const eligibility = assess(memories, exclude);
      if (!eligibility.ok) {
        return c.json({ error: 'Bio not yet generated', code: 'BIO_NOT_FOUND', suggestion: eligibility.suggestion, current_memory_count: memories.length }, 404);
      }
      state.lastRefreshAt = now();
      state.manualBio = null;
      const snapshot = await deps.generate(userId);
      const rendered = renderBio(snapshot, format as BioFormat, style as BioStyle, exclude)!;
      return c.json({
        bio: rendered.bio,
        format,
        style,
        word_count: rendered.word_count,
        character_count: rendered.character_count,
        is_manual: false,
        updated_at: rendered.generated_at,
      });
    },
  };

  return [profile, memoriesList, memoryUpdate, memoryDelete, memoriesBatchDelete, bioUpdate];
}
