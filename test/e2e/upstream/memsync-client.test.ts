import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../emulators/core/types.js';
import type { MemSyncClient } from '../../../src/upstream/types.js';
import { Harness, count, rejection } from './harness.js';

describe('MemSync client against the MemSync emulator', () => {
  const h = new Harness();
  let emu: RunningEmulator;
  let memsync: MemSyncClient;

  beforeAll(async () => {
    emu = await h.memsyncEmulator();
    memsync = h.memsync(emu.url, { maxAttempts: 3, retryAfterBudgetMs: 1_500 });
  });
  afterAll(() => h.dispose());
  beforeEach(() => {
    emu.controls.reset();
    h.calls.length = 0;
  });

  it('reads a bio with its figures and dates', async () => {
    const bio = await memsync.getBio('alex', { format: 'short', style: 'factual' });
    expect(bio).toMatchObject({ format: 'short', style: 'factual', text: expect.any(String) });
    expect(bio.wordCount).toBeGreaterThan(0);
    expect(bio.expiresAt.getTime()).toBeGreaterThan(bio.generatedAt.getTime());
  });

  it('throws NOT_FOUND with the suggestion and memory count when no bio can be made yet', async () => {
    const error = await rejection(memsync.getBio('newcomer'));
    expect(error).toMatchObject({
      code: 'NOT_FOUND',
      upstreamCode: 'BIO_NOT_FOUND',
      service: 'memsync',
      endpoint: 'bio',
      status: 404,
      details: { suggestion: expect.any(String), currentMemoryCount: 0 },
    });
  });

  it('stores memories from messages, sending the user in the body', async () => {
    const stored = await memsync.storeMemories('newcomer', {
      messages: [{ role: 'user', content: 'I have been learning to play the cello for three years now and love Bach suites' }],
      threadId: 't1',
    });
    expect(stored.memoriesCreated).toBeGreaterThan(0);
    expect(stored.memories[0]?.createdAt).toBeInstanceOf(Date);
    expect(emu.controls.calls().routes.memories?.byUser).toEqual({ newcomer: 1 });
  });

  it('searches memories, closest first', async () => {
    const result = await memsync.searchMemories('alex', { query: 'where does the user work', limit: 3, includeBio: false });
    expect(result.memories.length).toBeGreaterThan(0);
    expect(result.memories.length).toBeLessThanOrEqual(3);
    const distances = result.memories.map((m) => m.vectorDistance ?? 0);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
  });

  it('reads a search with no memories (404 NO_MEMORIES_FOUND) as an empty result', async () => {
    expect(await memsync.searchMemories('newcomer', { query: 'anything' })).toEqual({ userBio: null, memories: [] });
    expect(h.calls.at(-1)).toMatchObject({ endpoint: 'memoriesSearch', status: 404, attempts: 1 });
    expect(h.calls.at(-1)).not.toHaveProperty('errorCode');
  });

  it('fails with UPSTREAM_BAD_RESPONSE, not BIO_NOT_FOUND or an empty search, when a wrong base path answers 404', async () => {
    const misrouted = h.memsync(`${emu.url}/api`);
    const bio = await rejection(misrouted.getBio('alex'));
    expect(bio).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', status: 404, endpoint: 'bio' });
    expect(bio).not.toHaveProperty('upstreamCode');
    expect(bio.message).toContain('is the base URL right?');
    expect(await rejection(misrouted.searchMemories('newcomer', { query: 'anything' }))).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', status: 404, endpoint: 'memoriesSearch' });
    expect(emu.controls.calls().routes).toEqual({});
  });

  it('retries the bio read on a 502, but never a memory write', async () => {
    emu.controls.addFault({ route: 'bio', kind: 'status', status: 502, body: { error: 'Bad gateway' }, times: 1 });
    await memsync.getBio('alex');
    expect(count(emu, 'bio')).toBe(2);
    emu.controls.addFault({ route: 'memories', kind: 'status', status: 500, body: { error: 'Processing failed', code: 'PROCESSING_ERROR' } });
    const error = await rejection(memsync.storeMemories('alex', { messages: [{ role: 'user', content: 'I moved to Lisbon last month for a new job in fintech' }] }));
    expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstreamCode: 'PROCESSING_ERROR', status: 500 });
    expect(count(emu, 'memories')).toBe(1);
  });

  it('maps the rate limit body and header to RATE_LIMITED with retryAfter, once over budget', async () => {
    emu.controls.addFault({ route: 'memoriesSearch', kind: 'rateLimit', retryAfter: 60 });
    const error = await rejection(memsync.searchMemories('alex', { query: 'work' }));
    expect(error).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 60, upstreamCode: 'RATE_LIMIT_EXCEEDED' });
    expect(count(emu, 'memoriesSearch')).toBe(1);
  });

  it('maps an upstream 400 to UPSTREAM_REJECTED with its code and details', async () => {
    emu.controls.addFault({ route: 'bio', kind: 'status', status: 400, body: { error: 'Invalid bio format specified', code: 'INVALID_FORMAT', valid_formats: ['full', 'short'] } });
    expect(await rejection(memsync.getBio('alex'))).toMatchObject({ code: 'UPSTREAM_REJECTED', upstreamCode: 'INVALID_FORMAT', details: { validFormats: ['full', 'short'] } });
  });

  it('refuses bad input with BAD_USER_INPUT before calling the upstream', async () => {
    expect(await rejection(memsync.getBio('no spaces allowed'))).toMatchObject({ code: 'BAD_USER_INPUT', service: 'memsync' });
    expect(await rejection(memsync.storeMemories('alex', { messages: [] }))).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await rejection(memsync.searchMemories('alex', { query: 'x', limit: 1000 }))).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(Object.keys(emu.controls.calls().routes)).toEqual([]);
  });
});
