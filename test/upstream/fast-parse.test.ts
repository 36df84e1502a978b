import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as memsync from '../../src/upstream/memsync/schemas.js';
import { FAIL, fastParser } from '../../src/upstream/fast-parse.js';
import { eventsArrayResponse, eventsObjectResponse } from '../../src/upstream/synvo/schemas/events.js';
import { profileResponse } from '../../src/upstream/synvo/schemas/profile.js';

const event = (type: string, content: string, mention: unknown, happen?: unknown) => ({ event_type: type, content, mention_time: mention, ...(happen === undefined ? {} : { happen_time: happen }) });
const memory = { id: 'm1', memory: 'Likes hiking', categories: ['Hobbies'], type: null, created_at: '2025-11-16T15:29:18.344000', updated_at: null, extra: 1 };

/** Valid answers of the hot reads, in the shapes the upstreams send (both shapes where there are two). */
const samples: [string, z.ZodTypeAny, unknown][] = [
  ['synvo profile, documented shape', profileResponse, { education: { sub_topics: { school: { value: 'NTU' }, year: { value: 3, note: 'x' } } }, basic: { sub_topics: {} } }],
  ['synvo profile, alternate shape', profileResponse, { interest: { books: ['Dune', 'Emma'], music: 'jazz', none: null, flag: true } }],
  ['synvo events, array', eventsArrayResponse, [event('Upload', 'a', '2025-11-16 15:29:18.344000', null), event('chat', 'b', '2025-11-16T15:29:18Z', '2025-11-01T00:00:00+02:00')]],
  ['synvo events, object', eventsObjectResponse, { total_count: 2, events: [event('x', 'c', '2025-11-16T15:29:18')], page: 1 }],
  ['memsync bio', memsync.bioResponse, {
    bio: 'Alex', format: 'short', style: 'professional', word_count: 1, character_count: 4, confidence: 0.9, source_memories: 3,
    categories_included: ['work'], key_themes: [], generated_at: '2025-11-16T15:29:18Z', expires_at: '2025-11-17T15:29:18Z', is_manual: null,
  }],
  ['memsync memory search', memsync.memorySearchResponse, { user_bio: null, memories: [memory, { ...memory, id: 'm2', categories: undefined }] }],
  ['memsync stored memories', memsync.storeMemoriesResponse, { memories_created: 1, processing_time: 0.5, memories: [memory] }],
];

/** Every variant of `value` with one leaf changed, removed, or one key added: what a drifting upstream sends. */
function* mutations(value: unknown): Generator<unknown> {
  const replacements: unknown[] = [null, undefined, 1, Number.NaN, 'text', '', true, [], {}, ['x'], '2025-13-45', { value: 'x' }];
  for (const r of replacements) yield r;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) for (const m of mutations(value[i])) yield value.map((v, j) => (j === i ? m : v));
    yield [...value, value[0]];
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      for (const m of mutations(record[key])) yield { ...record, [key]: m };
      const { [key]: _dropped, ...rest } = record;
      yield rest;
    }
    yield { ...record, added: 'extra' };
    yield JSON.parse(`{"__proto__": {"polluted": true}, ${JSON.stringify(record).slice(1)}`.replace(/, }$/, '}'));
  }
}

/** Dates as tagged strings, so that key order and values both count. */
const canonical = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (x instanceof Date ? `date:${x.getTime()}` : x === undefined ? 'undefined' : x));

describe('compiled response parsers (the success path of parseResponse)', () => {
  it('compiles the schemas of the hot reads', () => {
    for (const [name, schema] of samples) expect(fastParser(schema), name).not.toBeNull();
  });

  it('give exactly what zod gives for a valid answer, and refuse every variant zod refuses', () => {
    let compared = 0;
    let refused = 0;
    for (const [name, schema, body] of samples) {
      const parser = fastParser(schema)!;
      for (const input of [body, ...mutations(body)]) {
        const expected = schema.safeParse(input);
        const got = parser(input);
        if (expected.success) expect(canonical(got), `${name}: ${canonical(input)}`).toBe(canonical(expected.data));
        else {
          expect(got, `${name} accepted what zod refuses: ${canonical(input)}`).toBe(FAIL);
          refused += 1;
        }
        compared += 1;
      }
    }
    // The mutations must exercise both outcomes, many times.
    expect(compared).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(300);
  });

  it('leaves to zod the schemas it cannot mirror exactly (checks, refinements, defaults, tuples)', () => {
    for (const schema of [z.number().int(), z.string().url(), z.string().min(1), z.array(z.string()).min(1), z.string().default('x'), z.tuple([z.string()]), z.string().refine(() => true), z.object({}).strict(), z.object({}).catchall(z.string())]) {
      expect(fastParser(schema)).toBeNull();
    }
  });
});
