import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MEMSYNC_SEED_KEYS, type RunningMemSyncEmulator } from '../../../emulators/memsync/index.js';
import type { MemSyncClient } from '../../../src/upstream/types.js';
import { Harness, MEMSYNC_KEY, count, rejection } from './harness.js';

describe('MemSync client against the MemSync emulator', () => {
  const h = new Harness();
  let emu: RunningMemSyncEmulator;
  let memsync: MemSyncClient;

  beforeAll(async () => {
    emu = await h.memsyncEmulator();
    memsync = h.memsync(emu.apiUrl, { maxAttempts: 3, retryAfterBudgetMs: 1_500 });
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

  it('stores memories from messages under the account of the user\'s key', async () => {
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

describe('MemSync client: whose key, which paths, which bodies', () => {
  const h = new Harness();
  let emu: RunningMemSyncEmulator;

  beforeAll(async () => {
    emu = await h.memsyncEmulator();
  });
  afterAll(() => h.dispose());
  beforeEach(() => {
    emu.controls.reset();
    h.calls.length = 0;
  });

  it('makes every call with the key of the user it is about: each account sees only its own memories', async () => {
    const one = emu.controls.createAccount('one');
    const two = emu.controls.createAccount('two');
    const memsync = h.memsync(emu.apiUrl, {}, { one: one.apiKey, two: two.apiKey });
    await memsync.storeMemories('one', { messages: [{ role: 'user', content: 'I restore old sailing boats in a shed near Gdansk harbour.' }] });
    await memsync.storeMemories('two', { messages: [{ role: 'user', content: 'I teach chemistry at a secondary school in Leeds.' }] });
    const ofOne = await memsync.searchMemories('one', { query: 'restoring sailing boats near Gdansk' });
    const ofTwo = await memsync.searchMemories('two', { query: 'restoring sailing boats near Gdansk' });
    expect(ofOne.memories.map((m) => m.text)).toEqual(['User restores old sailing boats in a shed near Gdansk harbour.']);
    expect(ofTwo.memories.map((m) => m.text)).not.toContain('User restores old sailing boats in a shed near Gdansk harbour.');
    expect(ofTwo.memories.every((m) => m.text === 'User teaches chemistry at a secondary school in Leeds.')).toBe(true);
    expect(emu.controls.calls().routes.memoriesSearch?.byUser).toEqual({ one: 1, two: 1 });
  });

  it('fails a user without a key with NOT_CONNECTED and sends nothing', async () => {
    const memsync = h.memsync(emu.apiUrl, {}, {});
    for (const call of [memsync.getBio('alex'), memsync.searchMemories('alex', { query: 'work' }), memsync.storeMemories('alex', { messages: [{ role: 'user', content: 'hi' }] })]) {
      expect(await rejection(call)).toMatchObject({ code: 'NOT_CONNECTED', service: 'memsync' });
    }
    expect(emu.controls.calls().routes).toEqual({});
  });

  it('sends agent_id, thread_id and source, which MemSync requires, with the documented defaults', async () => {
    const memsync = h.memsync(emu.apiUrl, {}, MEMSYNC_SEED_KEYS, { agentId: 'my-app' });
    const content = 'I brew cider from the apples of my own orchard every autumn.';
    await memsync.storeMemories('newcomer', { messages: [{ role: 'user', content }] });
    await memsync.storeMemories('newcomer', { messages: [{ role: 'user', content: 'I brew cider with my father every year.' }], threadId: 'orchard', source: 'sms' });
    const found = await memsync.searchMemories('newcomer', { query: 'brewing cider', limit: 5 });
    const byThread = Object.fromEntries(found.memories.map((m) => [m.text, { agentId: m.agentId, threadId: m.threadId, source: m.source }]));
    expect(byThread['User brews cider with their father every year.']).toEqual({ agentId: 'my-app', threadId: 'orchard', source: 'sms' });
    expect(byThread['User brews cider from the apples of their own orchard every autumn.']).toEqual({ agentId: 'my-app', threadId: expect.stringMatching(/^thread_/), source: 'chat' });
  });

  it('refuses a system message with BAD_USER_INPUT before calling MemSync (it stores user and assistant messages only)', async () => {
    const memsync = h.memsync(emu.apiUrl);
    const error = await rejection(memsync.storeMemories('alex', { messages: [{ role: 'system' as 'user', content: 'You are helpful.' }] }));
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', endpoint: 'memories' });
    expect(emu.controls.calls().routes).toEqual({});
  });

  it('appends only relative paths to the base URL: the documented base with /v1 works, a doubled /v1 is UPSTREAM_BAD_RESPONSE', async () => {
    expect((await h.memsync(emu.apiUrl).getBio('alex')).text).toContain('San Francisco');
    const doubled = await rejection(h.memsync(`${emu.apiUrl}/v1`).getBio('alex'));
    expect(doubled).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', status: 404 });
    expect(doubled.message).toContain('is the base URL right?');
  });

  it('reads answers wrapped in the {"data","status":"success"} envelope, and errors in the {"error":{...},"status":"error"} one', async () => {
    const memsync = h.memsync(emu.apiUrl);
    emu.controls.addFault({ route: '*', kind: 'shape', variant: 'envelope' });
    expect((await memsync.getBio('alex')).text).toContain('San Francisco');
    expect((await memsync.searchMemories('alex', { query: 'the user and their work, family, travel and hobbies', limit: 2 })).memories).toHaveLength(2);
    expect((await memsync.storeMemories('newcomer', { messages: [{ role: 'user', content: 'I play the oboe in a town orchestra.' }] })).memoriesCreated).toBe(1);
    expect(await rejection(memsync.getBio('default'))).toMatchObject({
      code: 'NOT_FOUND',
      upstreamCode: 'BIO_NOT_FOUND',
      details: { suggestion: expect.any(String), currentMemoryCount: 3 },
    });
  });

  it('reads a 403 whose error says the rate limit was exceeded as RATE_LIMITED with retryAfter, and any other 403 as UPSTREAM_REJECTED', async () => {
    const memsync = h.memsync(emu.apiUrl, { maxAttempts: 1 });
    emu.controls.addFault({ route: 'bio', kind: 'status', status: 403, body: { detail: 'Rate limit exceeded', status_code: 403 }, times: 1 });
    expect(await rejection(memsync.getBio('alex'))).toMatchObject({ code: 'RATE_LIMITED', status: 403, retryAfter: 60 });
    emu.controls.addFault({ route: 'bio', kind: 'status', status: 403, body: { error: { code: 'RATE_LIMIT_EXCEEDED', message: 'Rate limit exceeded', details: { limit: 100 } }, status: 'error', retry_after: 12 }, times: 1 });
    expect(await rejection(memsync.getBio('alex'))).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 12 });
    emu.controls.addFault({ route: 'bio', kind: 'status', status: 403, body: { detail: 'Insufficient permissions', status_code: 403 }, times: 1 });
    expect(await rejection(memsync.getBio('alex'))).toMatchObject({ code: 'UPSTREAM_REJECTED', status: 403 });
  });

  it('checks a key with one bio read: a key of an account is accepted (bio or not), an unknown key is not', async () => {
    const memsync = h.memsync(emu.apiUrl);
    expect(await memsync.checkApiKey(MEMSYNC_SEED_KEYS.alex)).toBe(true);
    expect(await memsync.checkApiKey(MEMSYNC_SEED_KEYS.newcomer)).toBe(true);
    expect(await memsync.checkApiKey('memsync-key-unknown')).toBe(false);
    expect(emu.controls.calls().routes.bio?.total).toBe(3);
    emu.controls.addFault({ route: 'bio', kind: 'status', status: 500, body: { error: 'down' } });
    expect(await rejection(memsync.checkApiKey(MEMSYNC_SEED_KEYS.alex))).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
  });

  it('in the user-param mode sends the operator key with the user as user_id (query for GET, body for POST)', async () => {
    const memsync = h.memsync(emu.apiUrl, {}, {}, { scoping: 'user-param', apiKey: MEMSYNC_KEY });
    expect((await memsync.getBio('alex')).text).toContain('San Francisco');
    await memsync.storeMemories('param-user', { messages: [{ role: 'user', content: 'I carve wooden spoons at weekends.' }] });
    expect((await memsync.searchMemories('param-user', { query: 'wooden spoons' })).memories).toHaveLength(1);
    expect(emu.controls.calls().routes).toMatchObject({ bio: { byUser: { alex: 1 } }, memories: { byUser: { 'param-user': 1 } }, memoriesSearch: { byUser: { 'param-user': 1 } } });
  });
});
