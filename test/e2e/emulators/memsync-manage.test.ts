import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../emulators/core/types.js';
import { startMemSyncEmulator } from '../../../emulators/memsync/index.js';
import { call, getBio, searchMemories, storeMemories } from './memsync-http.js';

const profile = (base: string, query: string) => call(base, 'GET', `/v1/profile?${query}`);
const list = (base: string, query: string) => call(base, 'GET', `/v1/memories?${query}`);
const patch = (base: string, id: string, json: Record<string, unknown>) => call(base, 'PATCH', `/v1/memories/${id}`, { json });
const remove = (base: string, id: string, query = 'user_id=alex') => call(base, 'DELETE', `/v1/memories/${id}?${query}`);
const batch = (base: string, json: Record<string, unknown>) => call(base, 'POST', '/v1/memories/batch-delete', { json });
const updateBio = (base: string, json: Record<string, unknown>) => call(base, 'PATCH', '/v1/profile/bio', { json });
const ids = (res: { body: { data: Array<{ id: string }> } }) => res.body.data.map((m) => m.id);

describe('MemSync emulator: profile and memory management', () => {
  let emu: RunningEmulator;
  let clock = Date.parse('2025-01-01T00:00:00Z');
  beforeAll(async () => {
    emu = await startMemSyncEmulator({ generationDelayMs: 1, now: () => clock });
  });
  afterAll(() => emu.stop());
  beforeEach(() => {
    clock = Date.parse('2025-01-01T00:00:00Z');
    emu.controls.reset();
  });

  describe('GET /v1/profile', () => {
    it('sends bio, categories and stats by default, composed from the account memories', async () => {
      const res = await profile(emu.url, 'user_id=alex');
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['bio', 'categories', 'last_updated', 'stats', 'user_id']);
      expect(res.body.user_id).toBe('alex');
      expect(res.body.bio).toEqual({ summary: expect.stringContaining('software engineer'), generated_at: expect.stringMatching(/Z$/), confidence: expect.any(Number), word_count: expect.any(Number) });
      expect(res.body.categories.career).toMatchObject({ title: 'Professional life', memory_count: 8, highlights: expect.any(Array), last_updated: expect.stringMatching(/Z$/) });
      expect(res.body.categories.relationships.people).toEqual(expect.arrayContaining(['Sarah Johnson', 'Dr. Martinez']));
      expect(res.body.stats).toMatchObject({
        total_memories: 16,
        by_type: { semantic: 12, episodic: 4 },
        date_range: { first_memory: '2024-01-02T09:12:00Z', last_memory: '2024-01-15T10:00:00Z' },
        avg_importance: 0.5,
      });
      expect(res.body.stats.by_category.career).toBe(8);
    });

    it('counts private memories without ever quoting them', async () => {
      const res = await profile(emu.url, 'user_id=alex&include=categories,insights,traits,stats');
      expect(res.body.categories.private).toEqual({ title: 'Private', summary: '1 private memory', memory_count: 1, last_updated: '2024-01-15T10:00:00Z' });
      expect(JSON.stringify(res.body)).not.toMatch(/therapist/i);
      expect(res.body.insights.map((i: { category: string }) => i.category)).not.toContain('private');
      expect(res.body.traits[0]).toEqual({ trait: expect.any(String), strength: expect.any(Number), evidence_count: expect.any(Number), category: expect.any(String) });
    });

    it('sends only the sections asked for, and one category with category=', async () => {
      const traits = await profile(emu.url, 'user_id=alex&include=traits');
      expect(Object.keys(traits.body).sort()).toEqual(['last_updated', 'traits', 'user_id']);
      const career = await profile(emu.url, 'user_id=alex&include=categories&category=career');
      expect(Object.keys(career.body.categories)).toEqual(['career']);
    });

    it('has no bio summary for an account without a bio, and 404 PROFILE_NOT_FOUND for a new account', async () => {
      const student = await profile(emu.url, 'user_id=default');
      expect(student.status).toBe(200);
      expect(student.body.bio).toBeNull();
      expect(student.body.stats.total_memories).toBe(3);
      const newcomer = await profile(emu.url, 'user_id=newcomer');
      expect(newcomer.status).toBe(404);
      expect(newcomer.body).toEqual({ error: expect.any(String), code: 'PROFILE_NOT_FOUND', suggestion: expect.any(String) });
    });

    it('answers 400 for an unknown section, category or refresh value', async () => {
      expect((await profile(emu.url, 'include=bio,poems')).body).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ field: 'include' }] });
      expect((await profile(emu.url, 'category=poems')).body).toMatchObject({ code: 'INVALID_CATEGORY', valid_categories: expect.arrayContaining(['career']) });
      expect((await profile(emu.url, 'refresh=maybe')).status).toBe(400);
    });
  });

  describe('GET /v1/memories', () => {
    it('lists the account memories newest first, a page at a time', async () => {
      const first = await list(emu.url, 'user_id=alex&page_size=5');
      expect(first.status).toBe(200);
      expect(first.body.pagination).toEqual({ page: 1, page_size: 5, total: 16, total_pages: 4 });
      expect(ids(first)).toEqual(['mem_000016', 'mem_000015', 'mem_000014', 'mem_000013', 'mem_000012']);
      expect(first.body.data[0]).toEqual({
        id: 'mem_000016', memory: expect.stringContaining('therapist'), categories: ['private', 'health'], type: 'episodic',
        source: 'chat', created_at: '2024-01-15T10:00:00Z', updated_at: '2024-01-15T10:00:00Z', agent_id: 'onboarding-assistant', thread_id: 'thread_seed_16',
      });
      const last = await list(emu.url, 'user_id=alex&page_size=5&page=4');
      expect(ids(last)).toEqual(['mem_000001']);
      expect((await list(emu.url, 'user_id=alex&page=9')).body.data).toEqual([]);
      expect((await list(emu.url, 'user_id=alex')).body.pagination).toEqual({ page: 1, page_size: 20, total: 16, total_pages: 1 });
    });

    it('filters by category, agent and thread', async () => {
      expect((await list(emu.url, 'user_id=alex&category=travel')).body.pagination.total).toBe(2);
      expect((await list(emu.url, 'user_id=alex&thread_id=thread_seed_10')).body.data.map((m: { memory: string }) => m.memory)).toEqual([expect.stringContaining('conferences')]);
      await storeMemories(emu.url, 'alex', ['I started learning Portuguese this week.'], { agent_id: 'tutor', thread_id: 't1', source: 'chat' });
      expect((await list(emu.url, 'user_id=alex&agent_id=tutor')).body.pagination.total).toBe(1);
    });

    it("shows each account only its own memories, and an empty page to an account with none", async () => {
      expect((await list(emu.url, 'user_id=default')).body.pagination.total).toBe(3);
      const none = await list(emu.url, 'user_id=newcomer');
      expect(none.status).toBe(200);
      expect(none.body).toEqual({ data: [], pagination: { page: 1, page_size: 20, total: 0, total_pages: 0 } });
    });

    it('answers 400 for a bad page, page size or category', async () => {
      for (const query of ['page=0', 'page=x', 'page_size=0', 'page_size=101']) {
        expect((await list(emu.url, `user_id=alex&${query}`)).body.code, query).toBe('VALIDATION_ERROR');
      }
      expect((await list(emu.url, 'user_id=alex&category=poems')).body.code).toBe('INVALID_CATEGORY');
    });
  });

  describe('PATCH /v1/memories/{id}', () => {
    it('changes content, category, type, importance and metadata; search and list see the change', async () => {
      clock += 60_000;
      const res = await patch(emu.url, 'mem_000006', {
        user_id: 'alex', content: 'User loves trail running in the Marin Headlands on weekends.', category: 'health', memory_type: 'semantic', importance: 0.9, metadata: { tags: ['running'] },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        memory_id: 'mem_000006', content: 'User loves trail running in the Marin Headlands on weekends.', category: 'health', memory_type: 'semantic',
        importance: 0.9, metadata: { tags: ['running'] }, created_at: '2024-01-06T08:30:00Z', updated_at: '2025-01-01T00:01:00Z',
      });
      const found = await searchMemories(emu.url, { user_id: 'alex', query: 'trail running', include_bio: false });
      expect(found.body.memories[0]).toMatchObject({ id: 'mem_000006', categories: ['health'], updated_at: '2025-01-01T00:01:00Z' });
      expect((await profile(emu.url, 'user_id=alex&include=stats')).body.stats.avg_importance).toBe(0.53);
    });

    it('regenerates a bio that used the changed memory, so the old text does not linger', async () => {
      expect((await getBio(emu.url, { user_id: 'alex', format: 'bullets' })).body.bio).toContain('hiking');
      await patch(emu.url, 'mem_000006', { user_id: 'alex', content: 'User loves sailing across the San Francisco Bay on weekends with friends.' });
      const bio = await getBio(emu.url, { user_id: 'alex', format: 'bullets' });
      expect(bio.body.bio).toContain('sailing');
      expect(bio.body.bio).not.toContain("hiking the Bay Area's trails");
    });

    it("answers 404 MEMORY_NOT_FOUND for an unknown id and for another account's, which stays as it was", async () => {
      const unknown = await patch(emu.url, 'mem_999999', { user_id: 'alex', content: 'x' });
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({ error: 'Memory not found', code: 'MEMORY_NOT_FOUND', memory_id: 'mem_999999' });
      expect((await patch(emu.url, 'mem_000001', { user_id: 'default', content: 'Hijacked.' })).status).toBe(404);
      expect((await list(emu.url, 'user_id=alex&page=1&page_size=100')).body.data.find((m: { id: string }) => m.id === 'mem_000001').memory).toContain('software engineer');
    });

    it('answers 400 for an unknown category, a bad importance or type, and an empty change', async () => {
      expect((await patch(emu.url, 'mem_000001', { user_id: 'alex', category: 'poems' })).body.code).toBe('INVALID_CATEGORY');
      expect((await patch(emu.url, 'mem_000001', { user_id: 'alex', importance: 1.5 })).body).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ field: 'importance' }] });
      expect((await patch(emu.url, 'mem_000001', { user_id: 'alex', memory_type: 'dream' })).body.code).toBe('VALIDATION_ERROR');
      expect((await patch(emu.url, 'mem_000001', { user_id: 'alex', content: '  ' })).body.code).toBe('VALIDATION_ERROR');
      expect((await patch(emu.url, 'mem_000001', { user_id: 'alex' })).body).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ field: 'body' }] });
    });
  });

  describe('DELETE /v1/memories/{id} and POST /v1/memories/batch-delete', () => {
    it('deletes a memory from the list, the searches and the profile', async () => {
      const res = await remove(emu.url, 'mem_000010', 'user_id=alex&cascade=true');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        success: true, memory_id: 'mem_000010', deleted_at: '2025-01-01T00:00:00Z',
        cascade_deletions: { profile_updates: 1, derived_insights: 2, embeddings: 1 }, backup_id: 'backup_000010',
      });
      expect((await list(emu.url, 'user_id=alex')).body.pagination.total).toBe(15);
      expect((await searchMemories(emu.url, { user_id: 'alex', query: 'poster Boston conferences' })).body.memories.map((m: { id: string }) => m.id)).not.toContain('mem_000010');
      expect((await remove(emu.url, 'mem_000010')).status).toBe(404);
      expect((await remove(emu.url, 'mem_000011', 'user_id=alex&backup=false')).body.backup_id).toBeNull();
    });

    it("answers 404 for another account's memory, which stays", async () => {
      expect((await remove(emu.url, 'mem_000001', 'user_id=default')).body.code).toBe('MEMORY_NOT_FOUND');
      expect((await list(emu.url, 'user_id=alex')).body.pagination.total).toBe(16);
    });

    it("deletes several at once, naming the ids the account does not have (another account's stay)", async () => {
      const res = await batch(emu.url, { user_id: 'alex', memory_ids: ['mem_000001', 'mem_000002', 'mem_000017', 'nope', 'mem_000001'] });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ success: true, deleted: ['mem_000001', 'mem_000002'], not_found: ['mem_000017', 'nope'] });
      expect((await list(emu.url, 'user_id=default')).body.pagination.total).toBe(3);
      expect((await list(emu.url, 'user_id=alex')).body.pagination.total).toBe(14);
    });

    it('answers 400 to an empty batch, more than 100 ids, or ids that are not strings', async () => {
      expect((await batch(emu.url, { user_id: 'alex', memory_ids: [] })).body.code).toBe('VALIDATION_ERROR');
      expect((await batch(emu.url, { user_id: 'alex', memory_ids: Array.from({ length: 101 }, (_, i) => `mem_${i}`) })).body.details[0].message).toMatch(/100/);
      expect((await batch(emu.url, { user_id: 'alex', memory_ids: [1, 2] })).status).toBe(400);
    });
  });

  describe('PATCH /v1/profile/bio', () => {
    it('keeps a manual bio, served by GET /profile/bio, search and the profile, until 3 new memories arrive', async () => {
      const text = 'Alex is a software engineer in San Francisco who loves the outdoors.';
      const res = await updateBio(emu.url, { user_id: 'alex', bio: text, style: 'factual' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ bio: text, format: 'full', style: 'factual', word_count: 12, character_count: text.length, is_manual: true, updated_at: '2025-01-01T00:00:00Z' });
      expect((await getBio(emu.url, { user_id: 'alex', format: 'short' })).body).toMatchObject({ bio: text, is_manual: true, source_memories: 0 });
      expect((await searchMemories(emu.url, { user_id: 'alex', query: 'hiking' })).body.user_bio).toBe(text);
      expect((await profile(emu.url, 'user_id=alex&include=bio')).body.bio.summary).toBe(text);
      await storeMemories(emu.url, 'alex', ['I adopted a dog named Pixel last week.', 'I joined a climbing gym downtown.', 'I am learning to play the guitar.']);
      const after = await getBio(emu.url, { user_id: 'alex' });
      expect(after.body.is_manual).toBeUndefined();
      expect(after.body.bio).not.toBe(text);
    });

    it('keeps a manual bio with manual_override whatever arrives, until a refresh', async () => {
      await updateBio(emu.url, { user_id: 'alex', bio: 'Hand-written.', manual_override: true });
      await storeMemories(emu.url, 'alex', ['I adopted a dog named Pixel last week.', 'I joined a climbing gym downtown.', 'I am learning to play the guitar.']);
      expect((await getBio(emu.url, { user_id: 'alex' })).body.bio).toBe('Hand-written.');
      const refreshed = await getBio(emu.url, { user_id: 'alex', refresh: 'true' });
      expect(refreshed.body.bio).not.toBe('Hand-written.');
      expect((await getBio(emu.url, { user_id: 'alex' })).body.bio).toBe(refreshed.body.bio);
    });

    it('accepts a manual bio for an account too new for a generated one', async () => {
      expect((await getBio(emu.url, { user_id: 'default' })).status).toBe(404);
      await updateBio(emu.url, { user_id: 'default', bio: 'An AI student at NTU.' });
      expect((await getBio(emu.url, { user_id: 'default' })).body.bio).toBe('An AI student at NTU.');
    });

    it('answers 400 BIO_TOO_LONG naming the limit for a manual bio over 500 words', async () => {
      const res = await updateBio(emu.url, { user_id: 'alex', bio: 'word '.repeat(501) });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'Bio text too long', code: 'BIO_TOO_LONG', max_length: 500, current_length: 501 });
      expect((await updateBio(emu.url, { user_id: 'alex', bio: 'word '.repeat(500) })).status).toBe(200);
    });

    it('regenerates with regenerate: true in the format and style asked, under the refresh cooldown', async () => {
      await updateBio(emu.url, { user_id: 'alex', bio: 'Hand-written.', manual_override: true });
      const res = await updateBio(emu.url, { user_id: 'alex', regenerate: true, format: 'short', style: 'formal' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ format: 'short', style: 'formal', is_manual: false, bio: expect.stringContaining('The individual') });
      expect((await getBio(emu.url, { user_id: 'alex' })).body.is_manual).toBeUndefined();
      const again = await updateBio(emu.url, { user_id: 'alex', regenerate: true });
      expect(again.status).toBe(429);
      expect(again.headers['retry-after']).toBe('600');
      expect((await getBio(emu.url, { user_id: 'alex', refresh: 'true' })).status).toBe(429);
      clock += 10 * 60_000;
      expect((await updateBio(emu.url, { user_id: 'alex', regenerate: true, exclude_categories: ['travel'] })).status).toBe(200);
    });

    it('answers 404 BIO_NOT_FOUND to regenerate for too few memories, and 400 to nothing, both, or a bad format', async () => {
      expect((await updateBio(emu.url, { user_id: 'default', regenerate: true })).body).toMatchObject({ code: 'BIO_NOT_FOUND', current_memory_count: 3 });
      expect((await updateBio(emu.url, { user_id: 'alex' })).body.code).toBe('VALIDATION_ERROR');
      expect((await updateBio(emu.url, { user_id: 'alex', bio: 'x', regenerate: true })).body.code).toBe('VALIDATION_ERROR');
      expect((await updateBio(emu.url, { user_id: 'alex', bio: 'x', format: 'poem' })).body.code).toBe('INVALID_FORMAT');
      expect((await updateBio(emu.url, { user_id: 'alex', bio: '' })).body.code).toBe('VALIDATION_ERROR');
    });
  });

  it('counts every new route by account, and honours faults on them', async () => {
    await profile(emu.url, 'user_id=alex');
    await list(emu.url, 'user_id=alex');
    await patch(emu.url, 'mem_000001', { user_id: 'alex', importance: 0.7 });
    await remove(emu.url, 'mem_000002');
    await batch(emu.url, { user_id: 'alex', memory_ids: ['mem_000003'] });
    await updateBio(emu.url, { user_id: 'default', bio: 'x' });
    emu.controls.addFault({ route: 'memoryDelete', kind: 'status', status: 503, times: 1 });
    expect((await remove(emu.url, 'mem_000004')).status).toBe(503);
    expect((await list(emu.url, 'user_id=alex')).body.pagination.total).toBe(14);
    expect(emu.controls.calls().routes).toMatchObject({
      profile: { total: 1, byUser: { alex: 1 } },
      memoriesList: { total: 2, byUser: { alex: 2 } },
      memoryUpdate: { total: 1, byUser: { alex: 1 } },
      memoryDelete: { total: 2, byUser: { alex: 2 } },
      memoriesBatchDelete: { total: 1, byUser: { alex: 1 } },
      bioUpdate: { total: 1, byUser: { default: 1 } },
    });
  });
});
