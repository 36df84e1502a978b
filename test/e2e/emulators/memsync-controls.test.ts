import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../emulators/core/types.js';
import { startMemSyncEmulator } from '../../../emulators/memsync/index.js';
import { call, getBio, searchMemories, storeMemories } from './memsync-http.js';

const addFault = (base: string, fault: Record<string, unknown>) => call(base, 'POST', '/__emulator/faults', { json: fault, key: null });
const calls = async (base: string) => (await call(base, 'GET', '/__emulator/calls', { key: null })).body;

describe('MemSync emulator: auth, rate limits, faults, counters and reset', () => {
  let emu: RunningEmulator;
  const started: RunningEmulator[] = [];
  beforeAll(async () => {
    emu = await startMemSyncEmulator({ generationDelayMs: 1 });
  });
  afterAll(async () => {
    await emu.stop();
    await Promise.all(started.map((e) => e.stop()));
  });
  beforeEach(() => emu.controls.reset());

  describe('auth', () => {
    it('answers 401 UNAUTHORIZED without an API key or with an unknown one', async () => {
      for (const key of [null, 'synvo-dev-key']) {
        const res = await call(emu.url, 'GET', '/v1/profile/bio?user_id=alex', { key });
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ error: 'Invalid or expired token', code: 'UNAUTHORIZED' });
        expect(res.headers['x-ratelimit-limit']).toBe('100000');
        expect(res.headers['x-ratelimit-remaining']).toBe('100000');
        expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000));
      }
      const search = await call(emu.url, 'POST', '/v1/memories/search', { json: { query: 'x' }, key: 'nope' });
      expect(search.status).toBe(401);
    });

    it('accepts the key as a Bearer token too', async () => {
      const res = await call(emu.url, 'GET', '/v1/profile/bio?user_id=alex', { key: null, headers: { authorization: 'Bearer memsync-dev-key' } });
      expect(res.status).toBe(200);
    });

    it('accepts only the configured keys when apiKeys is given', async () => {
      const custom = await startMemSyncEmulator({ apiKeys: ['k-1'] });
      started.push(custom);
      expect((await call(custom.url, 'GET', '/v1/profile/bio?user_id=alex', { key: 'k-1' })).status).toBe(200);
      expect((await call(custom.url, 'GET', '/v1/profile/bio?user_id=alex')).status).toBe(401);
    });
  });

  describe('rate limits', () => {
    it('sends the rate-limit headers on every answer', async () => {
      const res = await getBio(emu.url, { user_id: 'alex' });
      expect(res.headers['x-ratelimit-limit']).toBe('100000');
      expect(Number(res.headers['x-ratelimit-remaining'])).toBeLessThan(100_000);
      expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000 - 1);
    });

    it('answers 429 RATE_LIMIT_EXCEEDED with Retry-After over the per-key limit', async () => {
      const limited = await startMemSyncEmulator({ rateLimitPerMinute: 3 });
      started.push(limited);
      for (let i = 0; i < 3; i++) expect((await getBio(limited.url, { user_id: 'alex' })).status).toBe(200);
      const res = await searchMemories(limited.url, { user_id: 'alex', query: 'hiking' });
      expect(res.status).toBe(429);
      expect(res.body).toEqual({ error: 'Too many requests', code: 'RATE_LIMIT_EXCEEDED', retry_after: expect.any(Number) });
      expect(res.headers['retry-after']).toBe(String(res.body.retry_after));
      expect(res.body.retry_after).toBeGreaterThanOrEqual(1);
      expect(res.headers['x-ratelimit-remaining']).toBe('0');
    });
  });

  describe('faults over the HTTP control API', () => {
    it('answers an injected status with its body, for `times` calls only', async () => {
      expect((await addFault(emu.url, { route: 'bio', kind: 'status', status: 503, body: { detail: 'down', status_code: 503 }, times: 2 })).status).toBe(200);
      for (let i = 0; i < 2; i++) {
        const res = await getBio(emu.url, { user_id: 'alex' });
        expect(res.status).toBe(503);
        expect(res.body).toEqual({ detail: 'down', status_code: 503 });
      }
      expect((await getBio(emu.url, { user_id: 'alex' })).status).toBe(200);
    });

    it('lets `skip` calls through untouched before the fault applies', async () => {
      expect((await addFault(emu.url, { route: 'bio', kind: 'status', status: 503, skip: 2, times: 1 })).status).toBe(200);
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await getBio(emu.url, { user_id: 'alex' })).status);
      expect(statuses).toEqual([200, 200, 503, 200]);
    });

    it('answers an injected rateLimit with Retry-After and the MemSync error body', async () => {
      await addFault(emu.url, { route: 'memories', kind: 'rateLimit', retryAfter: 7, times: 1 });
      const res = await storeMemories(emu.url, 'sam', ['I love tea.']);
      expect(res.status).toBe(429);
      expect(res.headers['retry-after']).toBe('7');
      expect(res.body).toEqual({ error: 'Too many requests', code: 'RATE_LIMIT_EXCEEDED', retry_after: 7 });
    });

    it('answers a malformed fault with a 200 whose body is not JSON', async () => {
      await addFault(emu.url, { route: 'memoriesSearch', kind: 'malformed', times: 1 });
      const res = await searchMemories(emu.url, { user_id: 'alex', query: 'hiking' });
      expect(res.status).toBe(200);
      expect(res.body).toBeUndefined();
      expect(() => JSON.parse(res.text)).toThrow();
    });

    it('destroys the connection without an answer on a reset fault', async () => {
      await addFault(emu.url, { route: 'bio', kind: 'reset', times: 1 });
      await expect(getBio(emu.url, { user_id: 'alex' })).rejects.toMatchObject({ code: expect.stringMatching(/^UND_ERR/) });
      expect((await getBio(emu.url, { user_id: 'alex' })).status).toBe(200);
    });

    it('sends the headers and half the body, then closes, on a truncate fault', async () => {
      await addFault(emu.url, { route: 'bio', kind: 'truncate', times: 1 });
      const res = await request(`${emu.url}/v1/profile/bio?user_id=alex`, { headers: { 'x-api-key': 'memsync-dev-key' } });
      expect(res.statusCode).toBe(200);
      expect(Number(res.headers['content-length'])).toBeGreaterThan(100);
      await expect(res.body.text()).rejects.toThrow();
    });

    it('delays the answer on a latency fault and leaves it unchanged', async () => {
      await addFault(emu.url, { route: 'bio', kind: 'latency', ms: 400, times: 1 });
      const order: string[] = [];
      const delayed = getBio(emu.url, { user_id: 'alex' }).then((r) => {
        order.push('bio');
        return r;
      });
      await searchMemories(emu.url, { user_id: 'alex', query: 'hiking' });
      order.push('search');
      const res = await delayed;
      expect(order).toEqual(['search', 'bio']);
      expect(res.status).toBe(200);
      expect(res.body.source_memories).toBe(15);
    });

    it('applies a fault on route * to every route', async () => {
      await addFault(emu.url, { route: '*', kind: 'status', status: 500 });
      expect((await getBio(emu.url, { user_id: 'alex' })).status).toBe(500);
      expect((await storeMemories(emu.url, 'sam', ['I love tea.'])).status).toBe(500);
      expect((await searchMemories(emu.url, { query: 'x' })).status).toBe(500);
      expect((await call(emu.url, 'DELETE', '/__emulator/faults', { key: null })).status).toBe(200);
      expect((await getBio(emu.url, { user_id: 'alex' })).status).toBe(200);
    });

    it('rejects an invalid fault with 400 naming the field', async () => {
      const res = await addFault(emu.url, { route: 'bio', kind: 'explode' });
      expect(res.status).toBe(400);
      expect(res.body.detail).toContain('kind');
    });

    it("rejects a fault on a route MemSync does not have, or a stream fault on bio, naming the route", async () => {
      const synvoRoute = await addFault(emu.url, { route: 'fileList', kind: 'status', status: 500 });
      expect(synvoRoute.status).toBe(400);
      expect(synvoRoute.body.detail).toBe(
        "route: unknown route 'fileList'; expected one of bio, memories, memoriesSearch, profile, memoriesList, memoryUpdate, memoryDelete, memoriesBatchDelete, bioUpdate or *",
      );
      expect((await addFault(emu.url, { route: 'bio', kind: 'cutStream', afterTokens: 1 })).status).toBe(400);
      expect((await getBio(emu.url, { user_id: 'alex' })).status).toBe(200);
    });
  });

  describe('faults from the factory', () => {
    it('applies and clears faults programmatically', async () => {
      emu.controls.addFault({ route: 'memoriesSearch', kind: 'status', status: 502, times: 1 });
      expect((await searchMemories(emu.url, { user_id: 'alex', query: 'hiking' })).status).toBe(502);
      emu.controls.addFault({ route: 'memoriesSearch', kind: 'rateLimit', retryAfter: 3 });
      expect((await searchMemories(emu.url, { user_id: 'alex', query: 'hiking' })).headers['retry-after']).toBe('3');
      emu.controls.clearFaults();
      expect((await searchMemories(emu.url, { user_id: 'alex', query: 'hiking' })).status).toBe(200);
    });

    it('applies a latency fault programmatically', async () => {
      emu.controls.addFault({ route: 'memoriesSearch', kind: 'latency', ms: 300, times: 1 });
      const order: string[] = [];
      const delayed = searchMemories(emu.url, { user_id: 'alex', query: 'hiking' }).then((r) => {
        order.push('search');
        return r;
      });
      await getBio(emu.url, { user_id: 'alex' });
      order.push('bio');
      expect((await delayed).body.memories[0].memory).toContain('hiking');
      expect(order).toEqual(['bio', 'search']);
    });

    it('applies malformed, reset and truncate faults programmatically', async () => {
      emu.controls.addFault({ route: 'bio', kind: 'malformed', times: 1 });
      expect((await getBio(emu.url, { user_id: 'alex' })).body).toBeUndefined();
      emu.controls.addFault({ route: 'bio', kind: 'reset', times: 1 });
      await expect(getBio(emu.url, { user_id: 'alex' })).rejects.toThrow();
      emu.controls.addFault({ route: 'bio', kind: 'truncate', times: 1 });
      await expect(getBio(emu.url, { user_id: 'alex' })).rejects.toThrow();
      expect((await getBio(emu.url, { user_id: 'alex' })).status).toBe(200);
    });
  });

  describe('counters', () => {
    it('counts calls per route and per user, over HTTP and from the factory', async () => {
      await getBio(emu.url, { user_id: 'alex' });
      await getBio(emu.url, { user_id: 'alex', format: 'short' });
      await getBio(emu.url);
      await storeMemories(emu.url, 'sam', ['I love tea and biscuits in the afternoon.']);
      await searchMemories(emu.url, { user_id: 'sam', query: 'tea' });
      await searchMemories(emu.url, { query: 'NTU' });
      const expected = {
        routes: {
          bio: { total: 3, byUser: { alex: 2, default: 1 } },
          memories: { total: 1, byUser: { sam: 1 } },
          memoriesSearch: { total: 2, byUser: { sam: 1, default: 1 } },
        },
        openStreams: 0,
      };
      expect(await calls(emu.url)).toEqual(expected);
      expect(emu.controls.calls()).toEqual(expected);
    });

    it('counts rejected calls too (401, 400, faults)', async () => {
      await call(emu.url, 'GET', '/v1/profile/bio?user_id=alex', { key: null });
      await getBio(emu.url, { user_id: 'alex', format: 'poem' });
      emu.controls.addFault({ route: 'bio', kind: 'status', status: 500, times: 1 });
      await getBio(emu.url, { user_id: 'alex' });
      expect((await calls(emu.url)).routes.bio).toEqual({ total: 3, byUser: { alex: 3 } });
    });

    it('resets the counters on DELETE /__emulator/calls', async () => {
      await getBio(emu.url, { user_id: 'alex' });
      expect((await call(emu.url, 'DELETE', '/__emulator/calls', { key: null })).status).toBe(200);
      expect(await calls(emu.url)).toEqual({ routes: {}, openStreams: 0 });
      await getBio(emu.url, { user_id: 'alex' });
      expect((await calls(emu.url)).routes.bio.total).toBe(1);
    });
  });

  describe('reset', () => {
    it('brings back the seed data with no faults and counters at zero', async () => {
      await storeMemories(emu.url, 'sam', ['I keep bees on the roof of my apartment building in Brooklyn.']);
      await storeMemories(emu.url, 'alex', ['I started learning to sail on the San Francisco Bay this spring.']);
      await addFault(emu.url, { route: 'bio', kind: 'status', status: 500, times: 10 });
      expect((await call(emu.url, 'POST', '/__emulator/reset', { key: null })).status).toBe(200);

      expect(await calls(emu.url)).toEqual({ routes: {}, openStreams: 0 });
      expect((await searchMemories(emu.url, { user_id: 'sam', query: 'bees' })).status).toBe(404);
      const sail = await searchMemories(emu.url, { user_id: 'alex', query: 'sail' });
      expect(sail.body.memories).toEqual([]);
      const bio = await getBio(emu.url, { user_id: 'alex' });
      expect(bio.status).toBe(200);
      expect(bio.body.source_memories).toBe(15);
    });

    it('resets from the factory as well', async () => {
      await storeMemories(emu.url, 'sam', ['I keep bees on the roof of my apartment building in Brooklyn.']);
      emu.controls.reset();
      expect((await searchMemories(emu.url, { user_id: 'sam', query: 'bees' })).status).toBe(404);
    });
  });

  describe('without controls', () => {
    it('serves no /__emulator/ API when started with controls off', async () => {
      const closed = await startMemSyncEmulator({ controls: false });
      started.push(closed);
      expect((await call(closed.url, 'GET', '/__emulator/calls', { key: null })).status).toBe(404);
      expect((await addFault(closed.url, { route: 'bio', kind: 'status', status: 500 })).status).toBe(404);
      expect((await getBio(closed.url, { user_id: 'alex' })).status).toBe(200);
    });
  });
});
