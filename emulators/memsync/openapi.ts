/**
 * OpenAPI 3.0 description of the MemSync emulator, served at /openapi.json. Hive Gateway's
 * OpenAPI source reads it, so every schema matches what routes.ts sends (test/e2e/emulators/
 * memsync-openapi.test.ts validates real responses against it).
 */
import { BIO_FORMATS, BIO_STYLES } from './bio.js';
import { MEMORY_CATEGORIES } from './extract.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const nullableString = { type: 'string', nullable: true };
const dateTime = { type: 'string', format: 'date-time' };

const rateHeaders = {
  'X-RateLimit-Limit': { description: 'Requests a minute allowed for this API key.', schema: { type: 'integer' } },
  'X-RateLimit-Remaining': { description: 'Requests left in the current window.', schema: { type: 'integer' } },
  'X-RateLimit-Reset': { description: 'When the window resets (epoch seconds).', schema: { type: 'integer' } },
};

const commonErrors = {
  '401': { description: 'Missing or unknown API key.', content: json(ref('Unauthorized')) },
  '429': {
    description: 'Over the rate limit (for the bio also: `refresh=true` inside the 10-minute cooldown).',
    headers: { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } }, ...rateHeaders },
    content: json(ref('RateLimited')),
  },
};

const userIdProperty = { type: 'string', description: 'App keys only (the user-param mode): the account the call is about. Account keys ignore it.', default: 'default' };

function bioOperation(operationId: string, summary: string) {
  return {
    operationId,
    summary,
    tags: ['profile'],
    parameters: [
      { name: 'format', in: 'query', required: false, schema: { ...ref('BioFormat'), default: 'full' } },
      { name: 'style', in: 'query', required: false, schema: { ...ref('BioStyle'), default: 'narrative' } },
      { name: 'refresh', in: 'query', required: false, description: 'Regenerate now (at most once every 10 minutes per user).', schema: { type: 'boolean', default: false } },
      { name: 'exclude_categories', in: 'query', required: false, description: 'Comma-separated memory categories left out of the bio.', schema: { type: 'string' } },
      { name: 'user_id', in: 'query', required: false, schema: { type: 'string', default: 'default' } },
    ],
    responses: {
      '200': { description: 'The bio.', headers: rateHeaders, content: json(ref('Bio')) },
      '400': { description: 'Invalid format, style or refresh value.', content: json(ref('BioBadRequest')) },
      '404': { description: 'Not enough memories for a bio yet.', content: json(ref('BioNotFound')) },
      ...commonErrors,
    },
  };
}

const validationError = { description: 'The body does not match the request schema.', content: json(ref('ValidationError')) };
const userIdQuery = { name: 'user_id', in: 'query', required: false, schema: { type: 'string', default: 'default' } };
const memoryIdParam = { name: 'memory_id', in: 'path', required: true, schema: { type: 'string' } };
const memoryNotFound = { description: 'No such memory for this account (also another account\'s).', content: json(ref('MemoryNotFound')) };
const badRequest = { description: 'Invalid parameters.', content: json(ref('BadRequest')) };

/** A fresh document per emulator (its `servers` entry is set to the emulator's own URL once it listens). */
export function memSyncOpenApi(): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: {
      title: 'MemSync (emulator)',
      version: '1.0.0',
      description:
        'Emulator of the MemSync user-memory API (memgate: emulators/README.md describes the behaviour), served under /v1. An API key ' +
        'belongs to one account and every call reads and writes that account only; app keys (the user-param mode) name ' +
        'the account with `user_id` (query for GET, body for POST; default `default`). Rules for extraction, distances ' +
        'and bios: emulators/memsync/README.md.',
    },
    servers: [{ url: '/', description: 'This emulator' }],
    security: [{ ApiKey: [] }],
    tags: [{ name: 'profile' }, { name: 'memories' }],
    paths: {
      '/v1/profile/bio': {
        get: bioOperation('getBio', 'The user’s generated biography (or the manual one while it holds)'),
        patch: {
          operationId: 'updateBio',
          summary: 'Writes the biography by hand (bio) or regenerates it (regenerate: true, same cooldown as refresh)',
          tags: ['profile'],
          requestBody: { required: true, content: json(ref('UpdateBioRequest')) },
          responses: {
            '200': { description: 'The biography now.', headers: rateHeaders, content: json(ref('UpdatedBio')) },
            '400': { description: 'BIO_TOO_LONG (over 500 words), INVALID_FORMAT, INVALID_STYLE or VALIDATION_ERROR.', content: json(ref('BioUpdateBadRequest')) },
            '404': { description: 'Regenerate: not enough memories for a bio yet.', content: json(ref('BioNotFound')) },
            ...commonErrors,
          },
        },
      },
      '/v1/profile': {
        get: {
          operationId: 'getProfile',
          summary: 'The account’s profile: bio summary, category profiles, insights, traits and statistics',
          tags: ['profile'],
          parameters: [
            { name: 'include', in: 'query', required: false, description: 'Comma-separated of bio, categories, insights, stats, traits.', schema: { type: 'string', default: 'bio,categories,stats' } },
            { name: 'category', in: 'query', required: false, description: 'Only this category’s profile.', schema: ref('MemoryCategory') },
            { name: 'refresh', in: 'query', required: false, description: 'Regenerate a stale bio for the summary.', schema: { type: 'boolean', default: false } },
            userIdQuery,
          ],
          responses: {
            '200': { description: 'The profile; only the sections asked for.', headers: rateHeaders, content: json(ref('Profile')) },
            '400': badRequest,
            '404': { description: 'A new account: no memories yet.', content: json(ref('ProfileNotFound')) },
            ...commonErrors,
          },
        },
      },
      '/v1/memories/{memory_id}': {
        patch: {
          operationId: 'updateMemory',
          summary: 'Changes a memory’s content, category, type, importance or metadata',
          tags: ['memories'],
          parameters: [memoryIdParam],
          requestBody: { required: true, content: json(ref('UpdateMemoryRequest')) },
          responses: {
            '200': { description: 'The updated memory.', headers: rateHeaders, content: json(ref('UpdatedMemory')) },
            '400': badRequest,
            '404': memoryNotFound,
            ...commonErrors,
          },
        },
        delete: {
          operationId: 'deleteMemory',
          summary: 'Deletes a memory for good',
          tags: ['memories'],
          parameters: [
            memoryIdParam,
            { name: 'cascade', in: 'query', required: false, schema: { type: 'boolean', default: false } },
            { name: 'backup', in: 'query', required: false, schema: { type: 'boolean', default: true } },
            userIdQuery,
          ],
          responses: {
            '200': { description: 'Deleted.', headers: rateHeaders, content: json(ref('DeletedMemory')) },
            '400': validationError,
            '404': memoryNotFound,
            ...commonErrors,
          },
        },
      },
      '/v1/memories/batch-delete': {
        post: {
          operationId: 'batchDeleteMemories',
          summary: 'Deletes several memories at once (at most 100 ids a call)',
          tags: ['memories'],
          requestBody: { required: true, content: json(ref('BatchDeleteRequest')) },
          responses: {
            '200': { description: 'Which ids were deleted and which this account does not have.', headers: rateHeaders, content: json(ref('BatchDeleteResponse')) },
            '400': validationError,
            ...commonErrors,
          },
        },
      },
      '/v1/memories': {
        get: {
          operationId: 'listMemories',
          summary: 'The account’s memories, newest first, a page at a time',
          tags: ['memories'],
          parameters: [
            { name: 'page', in: 'query', required: false, schema: { type: 'integer', minimum: 1, default: 1 } },
            { name: 'page_size', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
            { name: 'category', in: 'query', required: false, schema: ref('MemoryCategory') },
            { name: 'agent_id', in: 'query', required: false, schema: { type: 'string' } },
            { name: 'thread_id', in: 'query', required: false, schema: { type: 'string' } },
            userIdQuery,
          ],
          responses: {
            '200': { description: 'One page of memories.', headers: rateHeaders, content: json(ref('MemoryPage')) },
            '400': badRequest,
            ...commonErrors,
          },
        },
        post: {
          operationId: 'storeMemories',
          summary: 'Extract and store memories from a conversation',
          tags: ['memories'],
          requestBody: { required: true, content: json(ref('StoreMemoriesRequest')) },
          responses: {
            '200': { description: 'Memories extracted and stored.', headers: rateHeaders, content: json(ref('StoreMemoriesResponse')) },
            '400': validationError,
            ...commonErrors,
          },
        },
      },
      '/v1/memories/search': {
        post: {
          operationId: 'searchMemories',
          summary: 'Search the user’s memories by meaning',
          tags: ['memories'],
          requestBody: { required: true, content: json(ref('SearchMemoriesRequest')) },
          responses: {
            '200': { description: 'Matching memories, closest first (or best `rerank_score` first).', headers: rateHeaders, content: json(ref('SearchMemoriesResponse')) },
            '400': validationError,
            '404': { description: 'The user has no memories at all.', content: json(ref('NoMemoriesFound')) },
            ...commonErrors,
          },
        },
      },
    },
    components: {
      securitySchemes: {
        ApiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
      schemas: {
        MemoryCategory: { type: 'string', enum: [...MEMORY_CATEGORIES] },
        MemoryType: { type: 'string', enum: ['semantic', 'episodic'] },
        BioFormat: { type: 'string', enum: [...BIO_FORMATS] },
        BioStyle: { type: 'string', enum: [...BIO_STYLES] },
        Bio: {
          type: 'object',
          required: ['bio', 'format', 'style', 'word_count', 'character_count', 'confidence', 'source_memories', 'categories_included', 'key_themes', 'generated_at', 'expires_at'],
          properties: {
            bio: { type: 'string' },
            format: ref('BioFormat'),
            style: ref('BioStyle'),
            word_count: { type: 'integer', minimum: 0 },
            character_count: { type: 'integer', minimum: 0 },
            confidence: { type: 'number', minimum: 0, maximum: 1 },
            source_memories: { type: 'integer', minimum: 0 },
            categories_included: { type: 'array', items: ref('MemoryCategory') },
            key_themes: { type: 'array', items: { type: 'string' } },
            generated_at: dateTime,
            expires_at: dateTime,
            is_manual: { type: 'boolean', description: 'Present (true) on a biography written by hand.' },
          },
          additionalProperties: false,
        },
        UpdateBioRequest: {
          type: 'object',
          properties: {
            bio: { type: 'string', description: 'Manual text, at most 500 words.' },
            format: ref('BioFormat'),
            style: ref('BioStyle'),
            regenerate: { type: 'boolean', default: false },
            manual_override: { type: 'boolean', default: false, description: 'Keep the manual text even when significant new memories arrive.' },
            include_categories: { type: 'array', items: { type: 'string' } },
            exclude_categories: { type: 'array', items: { type: 'string' } },
            user_id: userIdProperty,
          },
        },
        UpdatedBio: {
          type: 'object',
          required: ['bio', 'format', 'style', 'word_count', 'character_count', 'is_manual', 'updated_at'],
          properties: {
            bio: { type: 'string' },
            format: ref('BioFormat'),
            style: ref('BioStyle'),
            word_count: { type: 'integer', minimum: 0 },
            character_count: { type: 'integer', minimum: 0 },
            is_manual: { type: 'boolean' },
            updated_at: dateTime,
          },
          additionalProperties: false,
        },
        BioUpdateBadRequest: {
          type: 'object',
          required: ['error', 'code'],
          properties: {
            error: { type: 'string' },
            code: { type: 'string', enum: ['BIO_TOO_LONG', 'INVALID_FORMAT', 'INVALID_STYLE', 'VALIDATION_ERROR'] },
            max_length: { type: 'integer' },
            current_length: { type: 'integer' },
            valid_formats: { type: 'array', items: { type: 'string' } },
            valid_styles: { type: 'array', items: { type: 'string' } },
            details: { type: 'array', items: ref('FieldError') },
          },
          additionalProperties: false,
        },
        BadRequest: {
          type: 'object',
          required: ['error', 'code'],
          properties: {
            error: { type: 'string' },
            code: { type: 'string', enum: ['INVALID_CATEGORY', 'VALIDATION_ERROR'] },
            valid_categories: { type: 'array', items: { type: 'string' } },
            details: { type: 'array', items: ref('FieldError') },
          },
          additionalProperties: false,
        },
        MemoryNotFound: {
          type: 'object',
          required: ['error', 'code', 'memory_id'],
          properties: { error: { type: 'string' }, code: { type: 'string', enum: ['MEMORY_NOT_FOUND'] }, memory_id: { type: 'string' } },
          additionalProperties: false,
        },
        ProfileNotFound: {
          type: 'object',
          required: ['error', 'code'],
          properties: { error: { type: 'string' }, code: { type: 'string', enum: ['PROFILE_NOT_FOUND'] }, suggestion: { type: 'string' } },
          additionalProperties: false,
        },
        Profile: {
          type: 'object',
          required: ['user_id', 'last_updated'],
          properties: {
            user_id: { type: 'string' },
            bio: {
              type: 'object',
              nullable: true,
              required: ['summary', 'generated_at', 'confidence', 'word_count'],
              properties: { summary: { type: 'string' }, generated_at: dateTime, confidence: { type: 'number' }, word_count: { type: 'integer' } },
            },
            categories: {
              type: 'object',
              description: 'Category to its profile; the fields differ by category, memory_count and last_updated always present.',
              additionalProperties: {
                type: 'object',
                required: ['memory_count', 'last_updated'],
                properties: { memory_count: { type: 'integer' }, last_updated: dateTime },
                additionalProperties: true,
              },
            },
            insights: {
              type: 'array',
              items: {
                type: 'object',
                required: ['insight_id', 'title', 'description', 'category', 'confidence', 'generated_at', 'memory_count'],
                properties: {
                  insight_id: { type: 'string' },
                  title: { type: 'string' },
                  description: { type: 'string' },
                  category: ref('MemoryCategory'),
                  confidence: { type: 'number' },
                  generated_at: dateTime,
                  memory_count: { type: 'integer' },
                },
              },
            },
            traits: {
              type: 'array',
              items: {
                type: 'object',
                required: ['trait', 'strength', 'evidence_count', 'category'],
                properties: { trait: { type: 'string' }, strength: { type: 'number' }, evidence_count: { type: 'integer' }, category: ref('MemoryCategory') },
              },
            },
            stats: {
              type: 'object',
              required: ['total_memories', 'by_category', 'by_type', 'date_range', 'avg_importance', 'top_participants', 'top_locations'],
              properties: {
                total_memories: { type: 'integer' },
                by_category: { type: 'object', additionalProperties: { type: 'integer' } },
                by_type: { type: 'object', additionalProperties: { type: 'integer' } },
                date_range: { type: 'object', properties: { first_memory: dateTime, last_memory: dateTime } },
                avg_importance: { type: 'number' },
                top_participants: { type: 'array', items: { type: 'string' } },
                top_locations: { type: 'array', items: { type: 'string' } },
              },
            },
            last_updated: dateTime,
          },
        },
        ListedMemory: {
          type: 'object',
          required: ['id', 'memory', 'categories', 'type', 'source', 'created_at', 'updated_at', 'agent_id', 'thread_id'],
          properties: {
            id: { type: 'string' },
            memory: { type: 'string' },
            categories: { type: 'array', items: ref('MemoryCategory') },
            type: ref('MemoryType'),
            source: nullableString,
            created_at: dateTime,
            updated_at: { ...dateTime, nullable: true },
            agent_id: nullableString,
            thread_id: nullableString,
          },
          additionalProperties: false,
        },
        MemoryPage: {
          type: 'object',
          required: ['data', 'pagination'],
          properties: {
            data: { type: 'array', items: ref('ListedMemory') },
            pagination: {
              type: 'object',
              required: ['page', 'page_size', 'total', 'total_pages'],
              properties: { page: { type: 'integer' }, page_size: { type: 'integer' }, total: { type: 'integer' }, total_pages: { type: 'integer' } },
              additionalProperties: false,
            },
          },
          additionalProperties: false,
        },
        UpdateMemoryRequest: {
          type: 'object',
          properties: {
            content: { type: 'string', minLength: 1 },
            category: ref('MemoryCategory'),
            memory_type: ref('MemoryType'),
            importance: { type: 'number', minimum: 0, maximum: 1 },
            metadata: { type: 'object', additionalProperties: true },
            user_id: userIdProperty,
          },
        },
        UpdatedMemory: {
          type: 'object',
          required: ['memory_id', 'content', 'category', 'memory_type', 'importance', 'metadata', 'created_at', 'updated_at'],
          properties: {
            memory_id: { type: 'string' },
            content: { type: 'string' },
            category: ref('MemoryCategory'),
            memory_type: ref('MemoryType'),
            importance: { type: 'number' },
            metadata: { type: 'object', additionalProperties: true },
            created_at: dateTime,
            updated_at: dateTime,
          },
          additionalProperties: false,
        },
        DeletedMemory: {
          type: 'object',
          required: ['success', 'memory_id', 'deleted_at', 'cascade_deletions', 'backup_id'],
          properties: {
            success: { type: 'boolean' },
            memory_id: { type: 'string' },
            deleted_at: dateTime,
            cascade_deletions: {
              type: 'object',
              required: ['profile_updates', 'derived_insights', 'embeddings'],
              properties: { profile_updates: { type: 'integer' }, derived_insights: { type: 'integer' }, embeddings: { type: 'integer' } },
            },
            backup_id: nullableString,
          },
          additionalProperties: false,
        },
        BatchDeleteRequest: {
          type: 'object',
          required: ['memory_ids'],
          properties: {
            memory_ids: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string' } },
            cascade: { type: 'boolean' },
            backup: { type: 'boolean' },
            user_id: userIdProperty,
          },
        },
        BatchDeleteResponse: {
          type: 'object',
          required: ['success', 'deleted', 'not_found'],
          properties: { success: { type: 'boolean' }, deleted: { type: 'array', items: { type: 'string' } }, not_found: { type: 'array', items: { type: 'string' } } },
          additionalProperties: false,
        },
        NoMemoriesFound: {
          type: 'object',
          required: ['error', 'code'],
          properties: { error: { type: 'string' }, code: { type: 'string', enum: ['NO_MEMORIES_FOUND'] } },
          additionalProperties: false,
        },
        Unauthorized: {
          type: 'object',
          required: ['error', 'code'],
          properties: { error: { type: 'string' }, code: { type: 'string', enum: ['UNAUTHORIZED'] } },
          additionalProperties: false,
        },
        RateLimited: {
          type: 'object',
          required: ['error', 'code', 'retry_after'],
          properties: { error: { type: 'string' }, code: { type: 'string', enum: ['RATE_LIMIT_EXCEEDED'] }, retry_after: { type: 'integer', minimum: 0 } },
          additionalProperties: false,
        },
        BioNotFound: {
          type: 'object',
          required: ['error', 'code', 'suggestion', 'current_memory_count'],
          properties: {
            error: { type: 'string' },
            code: { type: 'string', enum: ['BIO_NOT_FOUND'] },
            suggestion: { type: 'string' },
            current_memory_count: { type: 'integer', minimum: 0 },
          },
          additionalProperties: false,
        },
        BioBadRequest: {
          type: 'object',
          required: ['error', 'code'],
          properties: {
            error: { type: 'string' },
            code: { type: 'string', enum: ['INVALID_FORMAT', 'INVALID_STYLE', 'VALIDATION_ERROR'] },
            valid_formats: { type: 'array', items: { type: 'string' } },
            valid_styles: { type: 'array', items: { type: 'string' } },
            details: { type: 'array', items: ref('FieldError') },
          },
          additionalProperties: false,
        },
        FieldError: {
          type: 'object',
          required: ['field', 'message'],
          properties: { field: { type: 'string' }, message: { type: 'string' } },
          additionalProperties: false,
        },
        ValidationError: {
          type: 'object',
          required: ['error', 'code', 'details'],
          properties: {
            error: { type: 'string' },
            code: { type: 'string', enum: ['VALIDATION_ERROR'] },
            details: { type: 'array', items: ref('FieldError') },
          },
          additionalProperties: false,
        },
        ChatMessage: {
          type: 'object',
          required: ['role', 'content'],
          properties: { role: { type: 'string', enum: ['user', 'assistant'] }, content: { type: 'string', minLength: 1 } },
        },
        StoreMemoriesRequest: {
          type: 'object',
          required: ['messages', 'agent_id', 'thread_id', 'source'],
          properties: {
            messages: { type: 'array', minItems: 1, items: ref('ChatMessage') },
            user_id: userIdProperty,
            agent_id: { type: 'string', minLength: 1, description: 'The application storing the memories.' },
            thread_id: { type: 'string', minLength: 1, description: 'The conversation.' },
            source: { type: 'string', minLength: 1, description: 'Where it happened, e.g. chat, email, sms.' },
            metadata: { type: 'object', additionalProperties: true, nullable: true },
          },
        },
        StoredMemory: {
          type: 'object',
          required: ['id', 'memory', 'categories', 'type', 'created_at'],
          properties: {
            id: { type: 'string' },
            memory: { type: 'string' },
            categories: { type: 'array', items: ref('MemoryCategory') },
            type: ref('MemoryType'),
            created_at: dateTime,
          },
          additionalProperties: false,
        },
        StoreMemoriesResponse: {
          type: 'object',
          required: ['success', 'memories_created', 'processing_time', 'categories_detected', 'memories'],
          properties: {
            success: { type: 'boolean' },
            memories_created: { type: 'integer', minimum: 0 },
            processing_time: { type: 'string', description: 'Seconds with one decimal and an `s`, e.g. `0.1s`.' },
            categories_detected: { type: 'array', items: ref('MemoryCategory') },
            memories: { type: 'array', items: ref('StoredMemory') },
          },
          additionalProperties: false,
        },
        SearchMemoriesRequest: {
          type: 'object',
          required: ['query'],
          properties: {
            query: { type: 'string', minLength: 1 },
            user_id: userIdProperty,
            limit: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
            categories: { type: 'array', items: ref('MemoryCategory'), nullable: true },
            rerank: { type: 'boolean', default: false },
            include_bio: { type: 'boolean', default: true },
          },
        },
        SearchMemory: {
          type: 'object',
          required: ['id', 'memory', 'categories', 'type', 'vector_distance', 'rerank_score', 'source', 'created_at', 'updated_at', 'agent_id', 'thread_id'],
          properties: {
            id: { type: 'string' },
            memory: { type: 'string' },
            categories: { type: 'array', items: ref('MemoryCategory') },
            type: ref('MemoryType'),
            vector_distance: { type: 'number', minimum: 0, maximum: 2, description: 'Lower is closer.' },
            rerank_score: { type: 'number', minimum: 0, maximum: 1, nullable: true, description: 'Set with `rerank: true`, else null.' },
            source: nullableString,
            created_at: dateTime,
            updated_at: { ...dateTime, nullable: true },
            agent_id: nullableString,
            thread_id: nullableString,
          },
          additionalProperties: false,
        },
        SearchMemoriesResponse: {
          type: 'object',
          required: ['user_bio', 'memories'],
          properties: {
            user_bio: { type: 'string', nullable: true, description: 'The current bio (full, narrative) with `include_bio`, else null.' },
            memories: { type: 'array', items: ref('SearchMemory') },
          },
          additionalProperties: false,
        },
      },
    },
  };
}
