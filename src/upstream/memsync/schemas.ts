/**
 * MemSync's wire types: one zod schema per response, normalised to the types of ../types.ts.
 * MemSync times are ISO 8601 with `Z`; zone-less ones are read as UTC all the same.
 */
import { z } from 'zod';
import { nullableUtcDate, parseResponse, utcDate } from '../response-schema.js';
import type {
  Bio,
  DeletedMemoriesResult,
  Memory,
  MemoryPage,
  MemoryProfile,
  MemorySearchResult,
  StoreMemoriesResult,
  UpdatedBio,
  UpdatedMemory,
} from '../types.js';

export const bioResponse = z
  .object({
    bio: z.string(),
    format: z.string(),
    style: z.string(),
    word_count: z.number(),
    character_count: z.number(),
    confidence: z.number(),
    source_memories: z.number(),
    categories_included: z.array(z.string()),
    key_themes: z.array(z.string()),
    generated_at: utcDate,
    expires_at: utcDate,
    is_manual: z.boolean().nullish(),
  })
  .passthrough();

export function readBio(body: unknown): Bio {
  const b = parseResponse(bioResponse, body);
  return {
    text: b.bio,
    format: b.format,
    style: b.style,
    wordCount: b.word_count,
    characterCount: b.character_count,
    confidence: b.confidence,
    sourceMemories: b.source_memories,
    categoriesIncluded: b.categories_included,
    keyThemes: b.key_themes,
    generatedAt: b.generated_at,
    expiresAt: b.expires_at,
    isManual: b.is_manual ?? false,
  };
}

const memory = z
  .object({
    id: z.string(),
    memory: z.string(),
    categories: z.array(z.string()).nullish(),
    type: z.string().nullish(),
    vector_distance: z.number().nullish(),
    rerank_score: z.number().nullish(),
    source: z.string().nullish(),
    created_at: utcDate,
    updated_at: nullableUtcDate,
    agent_id: z.string().nullish(),
    thread_id: z.string().nullish(),
  })
  .passthrough();

function toMemory(m: z.infer<typeof memory>): Memory {
  return {
    id: m.id,
    text: m.memory,
    categories: (m.categories ?? []).map((c) => c.toLowerCase()),
    type: m.type ?? 'semantic',
    vectorDistance: m.vector_distance ?? null,
    rerankScore: m.rerank_score ?? null,
    source: m.source ?? null,
    agentId: m.agent_id ?? null,
    threadId: m.thread_id ?? null,
    createdAt: m.created_at,
    updatedAt: m.updated_at,
  };
}

export const storeMemoriesResponse = z
  .object({
    success: z.boolean().optional(),
    memories_created: z.number(),
    processing_time: z.union([z.string(), z.number()]).nullish(),
    categories_detected: z.array(z.string()).nullish(),
    memories: z.array(memory).nullish(),
  })
  .passthrough();

export function readStoredMemories(body: unknown): StoreMemoriesResult {
  const s = parseResponse(storeMemoriesResponse, body);
  const time = s.processing_time;
  return {
    memoriesCreated: s.memories_created,
    processingTime: time === null || time === undefined ? null : typeof time === 'number' ? `${time}s` : time,
    categoriesDetected: (s.categories_detected ?? []).map((c) => c.toLowerCase()),
    memories: (s.memories ?? []).map(toMemory),
  };
}

export const memorySearchResponse = z
  .object({
    user_bio: z.string().nullish(),
    memories: z.array(memory),
  })
  .passthrough();

export function readMemorySearch(body: unknown): MemorySearchResult {
  const s = parseResponse(memorySearchResponse, body);
  return { userBio: s.user_bio ?? null, memories: s.memories.map(toMemory) };
}

// ---------------------------------------------------------------- profile

const count = z.number().int().nonnegative();
const numberMap = z.record(z.number());

export const profileResponse = z
  .object({
    user_id: z.string().nullish(),
    bio: z
      .object({ summary: z.string(), generated_at: nullableUtcDate, confidence: z.number().nullish(), word_count: z.number().nullish() })
      .passthrough()
      .nullish(),
    // Category profiles differ by category: kept as open key/value data.
    categories: z.record(z.record(z.unknown())).nullish(),
    insights: z
      .array(
        z
          .object({
            insight_id: z.string(),
            title: z.string(),
            description: z.string().nullish(),
            category: z.string().nullish(),
            confidence: z.number().nullish(),
            generated_at: nullableUtcDate,
            memory_count: z.number().nullish(),
          })
          .passthrough(),
      )
      .nullish(),
    traits: z
      .array(z.object({ trait: z.string(), strength: z.number().nullish(), evidence_count: z.number().nullish(), category: z.string().nullish() }).passthrough())
      .nullish(),
    stats: z
      .object({
        total_memories: count.nullish(),
        by_category: numberMap.nullish(),
        by_type: numberMap.nullish(),
        date_range: z.object({ first_memory: nullableUtcDate, last_memory: nullableUtcDate }).passthrough().nullish(),
        avg_importance: z.number().nullish(),
        top_participants: z.array(z.string()).nullish(),
        top_locations: z.array(z.string()).nullish(),
      })
      .passthrough()
      .nullish(),
    last_updated: nullableUtcDate,
  })
  .passthrough();

/** `memory_count` and `last_updated` of a category profile, when they are what the contract says. */
function categoryMeta(data: Record<string, unknown>): { memoryCount: number | null; lastUpdated: Date | null } {
  const n = data.memory_count;
  const when = typeof data.last_updated === 'string' ? new Date(data.last_updated) : null;
  return { memoryCount: typeof n === 'number' && Number.isFinite(n) ? n : null, lastUpdated: when && !Number.isNaN(when.getTime()) ? when : null };
}

export function readProfile(body: unknown): MemoryProfile {
  const p = parseResponse(profileResponse, body);
  const stats = p.stats;
  return {
    userId: p.user_id ?? null,
    bio: p.bio ? { summary: p.bio.summary, generatedAt: p.bio.generated_at, confidence: p.bio.confidence ?? null, wordCount: p.bio.word_count ?? null } : null,
    categories: Object.entries(p.categories ?? {}).map(([category, data]) => {
      const { memory_count: _count, last_updated: _updated, ...rest } = data;
      return { category: category.toLowerCase(), ...categoryMeta(data), data: rest };
    }),
    insights: (p.insights ?? []).map((i) => ({
      id: i.insight_id,
      title: i.title,
      description: i.description ?? '',
      category: i.category?.toLowerCase() ?? null,
      confidence: i.confidence ?? null,
      generatedAt: i.generated_at,
      memoryCount: i.memory_count ?? null,
    })),
    traits: (p.traits ?? []).map((t) => ({ trait: t.trait, strength: t.strength ?? null, evidenceCount: t.evidence_count ?? null, category: t.category?.toLowerCase() ?? null })),
    stats: stats
      ? {
          totalMemories: stats.total_memories ?? null,
          byCategory: stats.by_category ?? {},
          byType: stats.by_type ?? {},
          firstMemoryAt: stats.date_range?.first_memory ?? null,
          lastMemoryAt: stats.date_range?.last_memory ?? null,
          averageImportance: stats.avg_importance ?? null,
          topParticipants: stats.top_participants ?? [],
          topLocations: stats.top_locations ?? [],
        }
      : null,
    lastUpdated: p.last_updated,
  };
}

// ---------------------------------------------------------------- management

export const memoryPageResponse = z
  .object({
    data: z.array(memory),
    pagination: z.object({ page: count, page_size: count, total: count, total_pages: count }).passthrough(),
  })
  .passthrough();

export function readMemoryPage(body: unknown): MemoryPage {
  const p = parseResponse(memoryPageResponse, body);
  return { items: p.data.map(toMemory), page: p.pagination.page, pageSize: p.pagination.page_size, total: p.pagination.total, totalPages: p.pagination.total_pages };
}

export const updatedMemoryResponse = z
  .object({
    memory_id: z.string(),
    content: z.string(),
    category: z.string().nullish(),
    memory_type: z.string().nullish(),
    importance: z.number().nullish(),
    metadata: z.record(z.unknown()).nullish(),
    created_at: nullableUtcDate,
    updated_at: nullableUtcDate,
  })
  .passthrough();

export function readUpdatedMemory(body: unknown): UpdatedMemory {
  const m = parseResponse(updatedMemoryResponse, body);
  return {
    id: m.memory_id,
    text: m.content,
    category: m.category?.toLowerCase() ?? null,
    type: m.memory_type ?? null,
    importance: m.importance ?? null,
    metadata: m.metadata ?? {},
    createdAt: m.created_at,
    updatedAt: m.updated_at,
  };
}

export const batchDeleteResponse = z
  .object({ success: z.boolean().optional(), deleted: z.array(z.string()), not_found: z.array(z.string()).nullish() })
  .passthrough();

export function readBatchDelete(body: unknown): DeletedMemoriesResult {
  const b = parseResponse(batchDeleteResponse, body);
  return { deleted: b.deleted, notFound: b.not_found ?? [] };
}

export const updatedBioResponse = z
  .object({
    bio: z.string(),
    format: z.string(),
    style: z.string(),
    word_count: z.number(),
    character_count: z.number(),
    is_manual: z.boolean(),
    updated_at: utcDate,
  })
  .passthrough();

export function readUpdatedBio(body: unknown): UpdatedBio {
  const b = parseResponse(updatedBioResponse, body);
  return { text: b.bio, format: b.format, style: b.style, wordCount: b.word_count, characterCount: b.character_count, isManual: b.is_manual, updatedAt: b.updated_at };
}

/**
 * MemSync's introduction wraps every answer as `{"data": {...}, "status": "success", "timestamp"}`
 * while its endpoint pages show bare objects: both are read (emulators/README.md).
 */
export function unwrapEnvelope(body: unknown): unknown {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    if (b['status'] === 'success' && 'data' in b) return b['data'];
  }
  return body;
}
