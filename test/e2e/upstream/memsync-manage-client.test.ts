import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../emulators/core/types.js';
import type { MemSyncClient } from '../../../src/upstream/types.js';
import { Harness, count, rejection } from './harness.js';

describe('MemSync client: profile and memory management', () => {
  const h = new Harness();
  let emu: RunningEmulator;
  let memsync: MemSyncClient;

  beforeAll(async () => {
    emu = await h.memsyncEmulator();
    memsync = h.memsync(emu.apiUrl, { maxAttempts: 3 });
  });
  afterAll(() => h.dispose());
  beforeEach(() => {
    emu.controls.reset();
    h.calls.length = 0;
  });

  describe('getProfile', () => {
    it('reads every section, categories kept as open key/value data', async () => {
      const profile = await memsync.getProfile('alex', { include: ['bio', 'categories', 'insights', 'stats', 'traits'] });
      expect(profile?.bio).toEqual({ summary: expect.stringContaining('software engineer'), generatedAt: expect.any(Date), confidence: expect.any(Number), wordCount: expect.any(Number) });
      const career = profile?.categories.find((c) => c.category === 'career');
      expect(career).toMatchObject({ memoryCount: 8, lastUpdated: expect.any(Date), data: { title: 'Professional life', highlights: expect.any(Array) } });
      expect(career?.data).not.toHaveProperty('memory_count');
      expect(profile?.insights[0]).toMatchObject({ id: expect.stringMatching(/^insight_/), title: expect.any(String), category: expect.any(String), generatedAt: expect.any(Date) });
      expect(profile?.traits.length).toBeGreaterThan(0);
      expect(profile?.stats).toMatchObject({ totalMemories: 16, byType: { semantic: 12, episodic: 4 }, firstMemoryAt: new Date('2024-01-02T09:12:00Z'), averageImportance: 0.5 });
      expect(emu.controls.calls().routes.profile?.byUser).toEqual({ alex: 1 });
    });

    it('reads only the default sections unless asked, and null for a new account (404 PROFILE_NOT_FOUND)', async () => {
      const profile = await memsync.getProfile('default');
      expect(profile).toMatchObject({ bio: null, insights: [], traits: [], stats: { totalMemories: 3 } });
      expect(await memsync.getProfile('newcomer')).toBeNull();
      expect(h.calls.at(-1)).toMatchObject({ endpoint: 'profile', status: 404, attempts: 1 });
    });

    it('refuses an unknown section or category before calling MemSync', async () => {
      expect(await rejection(memsync.getProfile('alex', { include: ['poems' as 'bio'] }))).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(await rejection(memsync.getProfile('alex', { category: 'poems' as 'career' }))).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(count(emu, 'profile')).toBe(0);
    });

    it('retries a read on a 503 and gives RATE_LIMITED on a 429 past the budget', async () => {
      emu.controls.addFault({ route: 'profile', kind: 'status', status: 503, times: 1 });
      expect((await memsync.getProfile('alex'))?.stats?.totalMemories).toBe(16);
      expect(count(emu, 'profile')).toBe(2);
      emu.controls.addFault({ route: 'profile', kind: 'rateLimit', retryAfter: 60, times: 1 });
      expect(await rejection(memsync.getProfile('alex'))).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 60, service: 'memsync' });
    });
  });

  describe('listMemories', () => {
    it('reads a page, newest first, with its pagination', async () => {
      const page = await memsync.listMemories('alex', { page: 2, pageSize: 5 });
      expect(page).toMatchObject({ page: 2, pageSize: 5, total: 16, totalPages: 4 });
      expect(page.items.map((m) => m.id)).toEqual(['mem_000011', 'mem_000010', 'mem_000009', 'mem_000008', 'mem_000007']);
      expect(page.items[0]).toMatchObject({ text: expect.stringContaining('Lisbon'), categories: ['travel', 'interests'], vectorDistance: null, createdAt: expect.any(Date) });
      expect((await memsync.listMemories('alex', { category: 'travel' })).total).toBe(2);
      expect((await memsync.listMemories('newcomer')).items).toEqual([]);
    });

    it('refuses a page size over 100 before calling, and reads a 5xx as unavailable after retries', async () => {
      expect(await rejection(memsync.listMemories('alex', { pageSize: 101 }))).toMatchObject({ code: 'BAD_USER_INPUT' });
      emu.controls.addFault({ route: 'memoriesList', kind: 'status', status: 500, times: 3 });
      expect(await rejection(memsync.listMemories('alex'))).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', status: 500 });
      expect(count(emu, 'memoriesList')).toBe(3);
    });
  });

  describe('updateMemory', () => {
    it('changes a memory and reads the change back', async () => {
      const updated = await memsync.updateMemory('alex', 'mem_000001', { content: 'User works as a staff engineer at a health-tech startup.', category: 'career', importance: 0.8 });
      expect(updated).toEqual({
        id: 'mem_000001', text: 'User works as a staff engineer at a health-tech startup.', category: 'career', type: 'semantic',
        importance: 0.8, metadata: {}, createdAt: new Date('2024-01-02T09:12:00Z'), updatedAt: expect.any(Date),
      });
      expect(emu.controls.calls().routes.memoryUpdate?.byUser).toEqual({ alex: 1 });
    });

    it("maps an unknown id and another account's to NOT_FOUND, and MemSync's 400 to BAD_USER_INPUT", async () => {
      expect(await rejection(memsync.updateMemory('default', 'mem_000001', { content: 'x y z' }))).toMatchObject({ code: 'NOT_FOUND', upstreamCode: 'MEMORY_NOT_FOUND', status: 404 });
      emu.controls.addFault({ route: 'memoryUpdate', kind: 'status', status: 400, body: { error: 'Invalid category specified', code: 'INVALID_CATEGORY' }, times: 1 });
      expect(await rejection(memsync.updateMemory('alex', 'mem_000001', { importance: 0.1 }))).toMatchObject({ code: 'BAD_USER_INPUT', upstreamCode: 'INVALID_CATEGORY' });
    });

    it('refuses an empty change, a bad importance and a bad id before calling, and never sends a change twice', async () => {
      expect(await rejection(memsync.updateMemory('alex', 'mem_000001', {}))).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(await rejection(memsync.updateMemory('alex', 'mem_000001', { importance: 2 }))).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(await rejection(memsync.updateMemory('alex', '../profile', { importance: 0.2 }))).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(count(emu, 'memoryUpdate')).toBe(0);
      emu.controls.addFault({ route: 'memoryUpdate', kind: 'status', status: 502, times: 1 });
      expect(await rejection(memsync.updateMemory('alex', 'mem_000001', { importance: 0.2 }))).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
      expect(count(emu, 'memoryUpdate')).toBe(1);
    });
  });

  describe('deleteMemories', () => {
    it('deletes through the batch endpoint, naming the ids the account does not have', async () => {
      const result = await memsync.deleteMemories('alex', ['mem_000001', 'mem_000002', 'mem_000017', 'mem_000001']);
      expect(result).toEqual({ deleted: ['mem_000001', 'mem_000002'], notFound: ['mem_000017'] });
      expect((await memsync.listMemories('alex')).total).toBe(14);
      expect((await memsync.listMemories('default')).total).toBe(3);
    });

    it('sends 100 ids a call', async () => {
      const ids = [...Array.from({ length: 16 }, (_, i) => `mem_${String(i + 1).padStart(6, '0')}`), ...Array.from({ length: 200 }, (_, i) => `ghost_${i}`)];
      const result = await memsync.deleteMemories('alex', ids);
      expect(result.deleted).toHaveLength(16);
      expect(result.notFound).toHaveLength(200);
      expect(count(emu, 'memoriesBatchDelete')).toBe(3);
      expect((await memsync.listMemories('alex')).total).toBe(0);
    });

    it('never sends a batch twice once it reached MemSync', async () => {
      emu.controls.addFault({ route: 'memoriesBatchDelete', kind: 'status', status: 503, times: 1 });
      expect(await rejection(memsync.deleteMemories('alex', ['mem_000001']))).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
      expect(count(emu, 'memoriesBatchDelete')).toBe(1);
    });
  });

  describe('updateBio', () => {
    it('writes a manual bio, which getBio then reads as manual', async () => {
      const updated = await memsync.updateBio('alex', { text: 'Alex builds ML tools for clinicians.', manualOverride: true, style: 'factual' });
      expect(updated).toEqual({ text: 'Alex builds ML tools for clinicians.', format: 'full', style: 'factual', wordCount: 6, characterCount: 36, isManual: true, updatedAt: expect.any(Date) });
      expect(await memsync.getBio('alex')).toMatchObject({ text: 'Alex builds ML tools for clinicians.', isManual: true });
    });

    it('regenerates in a format, and maps the cooldown to RATE_LIMITED with retryAfter', async () => {
      expect(await memsync.updateBio('alex', { regenerate: true, format: 'short' })).toMatchObject({ format: 'short', isManual: false });
      expect(await rejection(memsync.updateBio('alex', { regenerate: true }))).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 600, status: 429 });
      expect(count(emu, 'bioUpdate')).toBe(2);
    });

    it('maps BIO_TOO_LONG to BAD_USER_INPUT keeping the limit, and BIO_NOT_FOUND to NOT_FOUND', async () => {
      const error = await rejection(memsync.updateBio('alex', { text: 'word '.repeat(501) }));
      expect(error).toMatchObject({ code: 'BAD_USER_INPUT', upstreamCode: 'BIO_TOO_LONG', status: 400, details: { maxLength: 500, currentLength: 501 } });
      expect(await rejection(memsync.updateBio('default', { regenerate: true }))).toMatchObject({ code: 'NOT_FOUND', upstreamCode: 'BIO_NOT_FOUND' });
    });

    it('refuses neither or both of text and regenerate before calling', async () => {
      expect(await rejection(memsync.updateBio('alex', {}))).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(await rejection(memsync.updateBio('alex', { text: 'x', regenerate: true }))).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(count(emu, 'bioUpdate')).toBe(0);
    });
  });
});
