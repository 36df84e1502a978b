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

const userIdProperty = { type: 'string', description: 'The user within the API key account.', default: 'default' };

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

/** A fresh document per emulator (its `servers` entry is set to the emulator's own URL once it listens). */
export function memSyncOpenApi(): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: {
      title: 'MemSync (emulator)',
      version: '1.0.0',
      description:
        'Emulator of the MemSync user-memory API (memgate, /work/shared/upstream-api.md). Every endpoint takes a `user_id` ' +
        '(query for GET, body for POST; default `default`). Rules for extraction, distances and bios: emulators/memsync/README.md.',
    },
    servers: [{ url: '/', description: 'This emulator' }],
    security: [{ ApiKey: [] }],
    tags: [{ name: 'profile' }, { name: 'memories' }],
    paths: {
      '/v1/profile/bio': { get: bioOperation('getBio', 'The user’s generated biography') },
      '/profile/bio': { get: bioOperation('getBioUnversioned', 'The user’s generated biography (unversioned path of the original docs)') },
      '/v1/memories': {
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
          },
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
          properties: { role: { type: 'string', enum: ['user', 'assistant', 'system'] }, content: { type: 'string', minLength: 1 } },
        },
        StoreMemoriesRequest: {
          type: 'object',
          required: ['messages'],
          properties: {
            messages: { type: 'array', minItems: 1, items: ref('ChatMessage') },
            user_id: userIdProperty,
            agent_id: nullableString,
            thread_id: nullableString,
            source: nullableString,
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
