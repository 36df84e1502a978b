import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../emulators/core/types.js';
import { startMemSyncEmulator } from '../../../emulators/memsync/index.js';
import { STORE_FIELDS, call, searchMemories, storeMemories } from './memsync-http.js';

const START = Date.parse('2025-06-10T08:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const ascending = (xs: number[]) => xs.every((x, i) => i === 0 || xs[i - 1]! <= x);
const descending = (xs: number[]) => xs.every((x, i) => i === 0 || xs[i - 1]! >= x);

describe('MemSync emulator: memories', () => {
  let clock = START;
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startMemSyncEmulator({ generationDelayMs: 1, now: () => clock });
  });
  afterAll(() => emu.stop());
  beforeEach(() => {
    clock = START;
    emu.controls.reset();
  });

  describe('POST /v1/memories', () => {
    it('turns each statement of a user message about the user into a third-person memory', async () => {
      const res = await call(emu.url, 'POST', '/v1/memories', {
        json: {
          user_id: 'sam',
          agent_id: 'agent-7',
          thread_id: 'thread-42',
          source: 'chat',
          messages: [
            { role: 'user', content: 'Hi there! I work as a nurse in Oakland. My sister lives in Berlin. Can you suggest a book?' },
            { role: 'assistant', content: 'I can suggest a few books about nursing.' },
            { role: 'user', content: 'I visited Tokyo last year for a medical conference.' },
          ],
        },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        success: true,
        memories_created: 3,
        processing_time: expect.stringMatching(/^\d+\.\ds$/),
        categories_detected: ['career', 'relationships', 'health', 'travel'],
        memories: [
          { id: expect.stringMatching(/^mem_/), memory: 'User works as a nurse in Oakland.', categories: ['career'], type: 'semantic', created_at: iso(START) },
          { id: expect.stringMatching(/^mem_/), memory: "User's sister lives in Berlin.", categories: ['relationships'], type: 'semantic', created_at: iso(START) },
          { id: expect.stringMatching(/^mem_/), memory: 'User visited Tokyo last year for a medical conference.', categories: ['health', 'travel'], type: 'episodic', created_at: iso(START) },
        ],
      });
      expect(new Set(res.body.memories.map((m: { id: string }) => m.id)).size).toBe(3);
    });

    it('writes contractions, adverbs and past tenses in the third person and marks time references episodic', async () => {
      const res = await storeMemories(emu.url, 'sam', [
        "I'm a vegetarian and I really love cooking Thai curries. I've lived in Lisbon since 2019. I always carry my camera. I moved to Berlin yesterday!",
      ]);
      expect(res.body.memories.map((m: { memory: string; type: string }) => [m.memory, m.type])).toEqual([
        ['User is a vegetarian and the user really loves cooking Thai curries.', 'semantic'],
        ['User has lived in Lisbon since 2019.', 'episodic'],
        ['User always carries their camera.', 'semantic'],
        ['User moved to Berlin yesterday.', 'episodic'],
      ]);
      expect(res.body.memories[0].categories).toEqual(['interests', 'health']);
    });

    it('creates no memory from a conversation that says nothing about the user', async () => {
      const res = await storeMemories(emu.url, 'sam', ['What time is it in Lisbon?', 'The weather is nice.']);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ success: true, memories_created: 0, categories_detected: [], memories: [] });
    });

    it.each([
      ['no messages field', { user_id: 'sam' }, 'messages'],
      ['an empty messages list', { messages: [] }, 'messages'],
      ['messages that are not a list', { messages: 'I like tea' }, 'messages'],
      ['an unknown role', { messages: [{ role: 'robot', content: 'I like tea.' }] }, 'messages.0.role'],
      ['a system message (MemSync stores user and assistant messages only)', { messages: [{ role: 'system', content: 'You are helpful.' }] }, 'messages.0.role'],
      ['no agent_id', { ...STORE_FIELDS, agent_id: undefined, messages: [{ role: 'user', content: 'I like tea.' }] }, 'agent_id'],
      ['no thread_id', { ...STORE_FIELDS, thread_id: undefined, messages: [{ role: 'user', content: 'I like tea.' }] }, 'thread_id'],
      ['no source', { ...STORE_FIELDS, source: undefined, messages: [{ role: 'user', content: 'I like tea.' }] }, 'source'],
      ['an empty source', { ...STORE_FIELDS, source: ' ', messages: [{ role: 'user', content: 'I like tea.' }] }, 'source'],
      ['empty content', { messages: [{ role: 'user', content: '  ' }] }, 'messages.0.content'],
      ['a user_id that is not a string', { user_id: 7, messages: [{ role: 'user', content: 'I like tea.' }] }, 'user_id'],
      ['metadata that is not an object', { metadata: 'x', messages: [{ role: 'user', content: 'I like tea.' }] }, 'metadata'],
    ])('rejects %s with VALIDATION_ERROR naming the field', async (_name, json, field) => {
      const res = await call(emu.url, 'POST', '/v1/memories', { json });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: expect.stringContaining('Request validation failed'), code: 'VALIDATION_ERROR' });
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    });

    it('rejects a body that is not JSON with VALIDATION_ERROR', async () => {
      const res = await call(emu.url, 'POST', '/v1/memories', { raw: '{"messages": [' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: expect.any(String), code: 'VALIDATION_ERROR', details: [{ field: 'body', message: 'must be a JSON object' }] });
    });
  });

  describe('POST /v1/memories/search', () => {
    it('finds stored memories, closest first, with every field of the contract', async () => {
      await storeMemories(
        emu.url,
        'sam',
        ['I play chess online every evening after work.', 'I grow tomatoes and basil in my garden.', 'I play tennis with my brother on Sundays.'],
        { agent_id: 'agent-7', thread_id: 'thread-42', source: 'chat' },
      );
      clock += 60_000;
      const res = await searchMemories(emu.url, { user_id: 'sam', query: 'which games does the user play, like chess?' });
      expect(res.status).toBe(200);
      expect(res.body.user_bio).toBeNull();
      expect(res.body.memories.map((m: { memory: string }) => m.memory)).toEqual([
        'User plays chess online every evening after work.',
        'User plays tennis with their brother on Sundays.',
      ]);
      expect(res.body.memories[0]).toEqual({
        id: expect.stringMatching(/^mem_/),
        memory: 'User plays chess online every evening after work.',
        categories: ['career', 'interests'],
        type: 'semantic',
        vector_distance: expect.any(Number),
        rerank_score: null,
        source: 'chat',
        created_at: iso(START),
        updated_at: iso(START),
        agent_id: 'agent-7',
        thread_id: 'thread-42',
      });
      const distances = res.body.memories.map((m: { vector_distance: number }) => m.vector_distance);
      expect(ascending(distances)).toBe(true);
      for (const d of distances) {
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(2);
      }
      expect(distances[0]).toBeLessThan(distances[1]);
    });

    it('gives a memory identical to the query a distance of 0', async () => {
      const res = await searchMemories(emu.url, {
        user_id: 'alex',
        query: 'User practices yoga twice a week and tries to sleep eight hours a night to balance long workdays.',
      });
      expect(res.body.memories[0].vector_distance).toBe(0);
    });

    it('orders by rerank_score, highest first, with rerank', async () => {
      const res = await searchMemories(emu.url, { user_id: 'alex', query: 'machine learning conferences in Boston', rerank: true, include_bio: false });
      expect(res.status).toBe(200);
      const scores = res.body.memories.map((m: { rerank_score: number }) => m.rerank_score);
      expect(scores.length).toBeGreaterThan(2);
      expect(descending(scores)).toBe(true);
      for (const s of scores) {
        expect(s).toBeGreaterThan(0);
        expect(s).toBeLessThanOrEqual(1);
      }
      expect(res.body.memories[0].memory).toContain('Boston');
    });

    it('returns at most `limit` memories', async () => {
      const res = await searchMemories(emu.url, { user_id: 'alex', query: 'the user and their work, family, travel and hobbies', limit: 2 });
      expect(res.body.memories).toHaveLength(2);
    });

    it('keeps only memories of the requested categories', async () => {
      const res = await searchMemories(emu.url, { user_id: 'alex', query: 'startup machine learning colleague', categories: ['relationships'] });
      expect(res.body.memories.length).toBeGreaterThan(0);
      for (const m of res.body.memories) expect(m.categories).toContain('relationships');
    });

    it("includes the user's current bio by default and leaves it out with include_bio false", async () => {
      const withBio = await searchMemories(emu.url, { user_id: 'alex', query: 'hiking' });
      expect(withBio.body.user_bio).toContain('hiking');
      const withoutBio = await searchMemories(emu.url, { user_id: 'alex', query: 'hiking', include_bio: false });
      expect(withoutBio.body.user_bio).toBeNull();
    });

    it('sends null for fields a seeded memory never had', async () => {
      const res = await searchMemories(emu.url, { user_id: 'alex', query: 'Python pipelines' });
      expect(res.body.memories[0]).toMatchObject({ source: null, updated_at: null, agent_id: null, thread_id: null });
    });

    it('answers 200 with no memories when nothing matches the query', async () => {
      const res = await searchMemories(emu.url, { user_id: 'alex', query: 'zeppelin xylophone' });
      expect(res.status).toBe(200);
      expect(res.body.memories).toEqual([]);
    });

    it('answers NO_MEMORIES_FOUND for a user with no memories', async () => {
      const res = await searchMemories(emu.url, { user_id: 'newcomer', query: 'anything' });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: expect.any(String), code: 'NO_MEMORIES_FOUND' });
    });

    it('searches the default user when no user_id is given', async () => {
      const res = await searchMemories(emu.url, { query: 'Nanyang Technological University' });
      expect(res.status).toBe(200);
      expect(res.body.memories[0].memory).toContain('Nanyang Technological University');
    });

    it.each([
      ['no query', { user_id: 'alex' }, 'query'],
      ['an empty query', { query: '' }, 'query'],
      ['a limit of 0', { query: 'x', limit: 0 }, 'limit'],
      ['a limit of 101', { query: 'x', limit: 101 }, 'limit'],
      ['a limit that is a string', { query: 'x', limit: '5' }, 'limit'],
      ['a fractional limit', { query: 'x', limit: 1.5 }, 'limit'],
      ['a rerank that is not a boolean', { query: 'x', rerank: 'yes' }, 'rerank'],
      ['an include_bio that is not a boolean', { query: 'x', include_bio: 1 }, 'include_bio'],
      ['an unknown category', { query: 'x', categories: ['gossip'] }, 'categories.0'],
    ])('rejects %s with VALIDATION_ERROR naming the field', async (_name, json, field) => {
      const res = await searchMemories(emu.url, json);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_ERROR');
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    });

    it('accepts limits of 1 and 100', async () => {
      expect((await searchMemories(emu.url, { user_id: 'alex', query: 'startup', limit: 1 })).body.memories).toHaveLength(1);
      expect((await searchMemories(emu.url, { user_id: 'alex', query: 'startup', limit: 100 })).status).toBe(200);
    });
  });

  describe('isolation between users', () => {
    it("never shows one user's memories or bio through another user's id", async () => {
      await storeMemories(emu.url, 'sam', ['I keep a secret recipe for lemon meringue pie from my grandmother.']);
      const samHits = await searchMemories(emu.url, { user_id: 'sam', query: 'lemon meringue pie' });
      expect(samHits.body.memories).toHaveLength(1);

      for (const other of ['default', 'alex', 'sam2']) {
        const res = await searchMemories(emu.url, { user_id: other, query: 'lemon meringue pie grandmother recipe' });
        if (res.status === 200) expect(JSON.stringify(res.body)).not.toContain('meringue');
        else expect(res.body.code).toBe('NO_MEMORIES_FOUND');
      }

      const defaultSearch = await searchMemories(emu.url, { user_id: 'default', query: 'Sarah Johnson startup' });
      expect(JSON.stringify(defaultSearch.body)).not.toContain('Sarah Johnson');
      expect(defaultSearch.body.user_bio).toBeNull();
    });

    it('counts only the asking user’s memories for the bio', async () => {
      await storeMemories(emu.url, 'sam', ['I work as a nurse in Oakland and I love the night shifts at the hospital.']);
      const res = await call(emu.url, 'GET', '/v1/profile/bio?user_id=sam');
      expect(res.body.current_memory_count).toBe(1);
    });
  });
});
