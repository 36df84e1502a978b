/**
 * MemSync's wire types: one zod schema per response, normalised to the types of ../types.ts.
 * MemSync times are ISO 8601 with `Z`; zone-less ones are read as UTC all the same.
 */
import { z } from 'zod';
import { nullableUtcDate, parseResponse, utcDate } from '../response-schema.js';
import type { Bio, Memory, MemorySearchResult, StoreMemoriesResult } from '../types.js';

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
