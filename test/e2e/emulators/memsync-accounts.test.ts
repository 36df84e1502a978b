/**
 * The MemSync emulator scopes by API key, as MemSync does: each key opens one account; a new
 * person signs up through POST /__emulator/keys; `user_id` names the account only for app keys
 * (the user-param mode). Also the envelope shape fault and the realistic rate limits.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MEMSYNC_SEED_KEYS, startMemSyncEmulator, type RunningMemSyncEmulator } from '../../../emulators/memsync/index.js';
import { STORE_FIELDS, call } from './memsync-http.js';

let emu: RunningMemSyncEmulator;
beforeAll(async () => {
  emu = await startMemSyncEmulator({ generationDelayMs: 1 });
});
afterAll(() => emu.stop());
beforeEach(() => emu.controls.reset());

const store = (key: string, content: string, extra: Record<string, unknown> = {}) =>
  call(emu.url, 'POST', '/v1/memories', { key, json: { messages: [{ role: 'user', content }], ...STORE_FIELDS, ...extra } });
const search = (key: string, query: string, extra: Record<string, unknown> = {}) =>
  call(emu.url, 'POST', '/v1/memories/search', { key, json: { query, ...extra } });

describe('accounts and keys', () => {
  it('opens one seed account per seed key, whatever user_id says', async () => {
    const alex = await call(emu.url, 'GET', '/v1/profile/bio?user_id=default', { key: MEMSYNC_SEED_KEYS.alex });
    expect(alex.status).toBe(200);
    expect(alex.body.bio).toContain('San Francisco');
    const fallback = await call(emu.url, 'GET', '/v1/profile/bio?user_id=alex', { key: MEMSYNC_SEED_KEYS.default });
    expect(fallback.body).toMatchObject({ code: 'BIO_NOT_FOUND', current_memory_count: 3 });
    const newcomer = await search(MEMSYNC_SEED_KEYS.newcomer, 'anything', { user_id: 'alex' });
    expect(newcomer.body.code).toBe('NO_MEMORIES_FOUND');
    expect(emu.controls.calls().routes).toMatchObject({ bio: { byUser: { alex: 1, default: 1 } }, memoriesSearch: { byUser: { newcomer: 1 } } });
  });

  it('signs a new person up on POST /__emulator/keys: a new, empty account that only its key reaches', async () => {
    const res = await call(emu.url, 'POST', '/__emulator/keys', { key: null, json: { user: 'zoe' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ api_key: expect.stringMatching(/^memsync-key-[0-9a-f]{24}$/), account: 'zoe' });
    const again = await call(emu.url, 'POST', '/__emulator/keys', { key: null, json: { user: 'zoe' } });
    expect(again.body.account).toBe('zoe-2');
    expect(again.body.api_key).not.toBe(res.body.api_key);

    expect((await store(res.body.api_key, 'I collect vintage typewriters from flea markets.')).status).toBe(200);
    expect((await search(res.body.api_key, 'typewriters')).body.memories).toHaveLength(1);
    expect((await search(again.body.api_key, 'typewriters')).body.code).toBe('NO_MEMORIES_FOUND');
    for (const key of Object.values(MEMSYNC_SEED_KEYS)) {
      const hits = (await search(key, 'vintage typewriters flea markets')).body.memories ?? [];
      expect(hits.map((m: { memory: string }) => m.memory).join(' ')).not.toContain('typewriters');
    }
  });

  it('refuses a sign-up without a valid user name, and forgets new accounts on reset', async () => {
    expect((await call(emu.url, 'POST', '/__emulator/keys', { key: null, json: {} })).status).toBe(400);
    expect((await call(emu.url, 'POST', '/__emulator/keys', { key: null, json: { user: 'no spaces' } })).body.detail).toContain('user');
    const { apiKey } = emu.controls.createAccount('yan');
    expect((await call(emu.url, 'GET', '/v1/profile/bio', { key: apiKey })).status).toBe(404);
    emu.controls.reset();
    expect((await call(emu.url, 'GET', '/v1/profile/bio', { key: apiKey })).body).toEqual({ error: 'Invalid or expired token', code: 'UNAUTHORIZED' });
  });

  it('answers an unknown key 401 on every route', async () => {
    for (const [method, path] of [['GET', '/v1/profile/bio'], ['POST', '/v1/memories'], ['POST', '/v1/memories/search']] as const) {
      expect((await call(emu.url, method, path, { key: 'memsync-key-nobody', json: {} })).status).toBe(401);
    }
  });
});

describe('the envelope shape fault', () => {
  it('wraps answers as {"data","status":"success","timestamp"} and errors as {"error":{code,message,details},"status":"error"}', async () => {
    emu.controls.addFault({ route: 'bio', kind: 'shape', variant: 'envelope', times: 2 });
    const ok = await call(emu.url, 'GET', '/v1/profile/bio', { key: MEMSYNC_SEED_KEYS.alex });
    expect(ok.body).toEqual({ data: expect.objectContaining({ bio: expect.stringContaining('San Francisco') }), status: 'success', timestamp: expect.any(String) });
    const missing = await call(emu.url, 'GET', '/v1/profile/bio', { key: MEMSYNC_SEED_KEYS.newcomer });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      error: { code: 'BIO_NOT_FOUND', message: 'Bio not yet generated', details: { suggestion: expect.any(String), current_memory_count: 0 } },
      status: 'error',
      timestamp: expect.any(String),
    });
    expect((await call(emu.url, 'GET', '/v1/profile/bio', { key: MEMSYNC_SEED_KEYS.alex })).body.bio).toContain('San Francisco');
  });

  it('is refused with 400 on a route MemSync does not have, or as Synvo\'s alternate variant', async () => {
    expect((await call(emu.url, 'POST', '/__emulator/faults', { key: null, json: { route: 'bio', kind: 'shape', variant: 'alternate' } })).status).toBe(400);
    expect((await call(emu.url, 'POST', '/__emulator/faults', { key: null, json: { route: 'query', kind: 'shape', variant: 'envelope' } })).status).toBe(400);
  });
});

describe('realistic rate limits', () => {
  it('applies MemSync\'s published limits per key: 50 searches and 100 other calls a minute', async () => {
    const limited = await startMemSyncEmulator({ rateLimits: 'realistic', now: () => Date.parse('2026-01-01T00:00:00Z') });
    try {
      const key = MEMSYNC_SEED_KEYS.alex;
      const searches = [];
      for (let i = 0; i < 51; i++) searches.push(await call(limited.url, 'POST', '/v1/memories/search', { key, json: { query: 'hiking', limit: 1 } }));
      expect(searches.slice(0, 50).every((r) => r.status === 200)).toBe(true);
      expect(searches[0]!.headers['x-ratelimit-limit']).toBe('50');
      expect(searches[50]).toMatchObject({ status: 429, body: { code: 'RATE_LIMIT_EXCEEDED' } });
      expect(Number(searches[50]!.headers['retry-after'])).toBeGreaterThan(0);
      // Other calls have their own budget of 100, and other keys theirs.
      const bio = await call(limited.url, 'GET', '/v1/profile/bio', { key });
      expect(bio.status).toBe(200);
      expect(bio.headers['x-ratelimit-limit']).toBe('100');
      expect((await call(limited.url, 'POST', '/v1/memories/search', { key: MEMSYNC_SEED_KEYS.default, json: { query: 'NTU' } })).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });
});
