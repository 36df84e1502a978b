import { fetch, request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../emulators/core/types.js';
import { startSynvoEmulator } from '../../../emulators/synvo/index.js';
import { apiKey, call, get, queryForm, uploadAndWait, uploadForm } from './synvo-client.js';

const control = async (base: string, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) => {
  const res = await fetch(`${base}/__emulator/${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as any };
};

type Schema = Record<string, any>;

/** Checks a value against the OpenAPI 3.0 subset the document uses; returns the first mismatch. */
function mismatch(doc: Schema, schema: Schema, value: unknown, at = '$'): string | undefined {
  if (schema.$ref) return mismatch(doc, doc.components.schemas[schema.$ref.split('/').pop()], value, at);
  if (value === null) return schema.nullable ? undefined : `${at}: null but not nullable`;
  if (schema.enum && !schema.enum.includes(value)) return `${at}: ${String(value)} not in enum`;
  switch (schema.type) {
    case 'string':
      return typeof value === 'string' ? undefined : `${at}: expected string`;
    case 'integer':
      return Number.isInteger(value) ? undefined : `${at}: expected integer`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${at}: expected boolean`;
    case 'array':
      if (!Array.isArray(value)) return `${at}: expected array`;
      for (const [i, item] of value.entries()) {
        const m = mismatch(doc, schema.items, item, `${at}[${i}]`);
        if (m) return m;
      }
      return undefined;
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return `${at}: expected object`;
      const record = value as Record<string, unknown>;
      for (const key of schema.required ?? []) if (!(key in record)) return `${at}.${key}: missing`;
      for (const [key, v] of Object.entries(record)) {
        const sub = schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
        if (!sub) {
          if (schema.properties && schema.additionalProperties === undefined) return `${at}.${key}: not in the schema`;
          continue;
        }
        const m = mismatch(doc, sub, v, `${at}.${key}`);
        if (m) return m;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

describe('Synvo emulator: auth, rate limits, faults, counters, reset, OpenAPI', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startSynvoEmulator({ processingDelayMs: 10 });
  });
  afterAll(() => emu.stop());
  beforeEach(() => emu.controls.reset());

  describe('auth', () => {
    it('answers 401 {error, detail} without an API key or with a wrong one', async () => {
      for (const key of [null, 'wrong-key']) {
        const res = await get(emu.url, '/metadata/get_user_profile', key);
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ error: 'Unauthorized', detail: expect.any(String) });
        expect(JSON.stringify(res.body)).not.toContain(apiKey);
      }
    });

    it('accepts the key as Authorization: Bearer too', async () => {
      const res = await call(emu.url, 'GET', '/metadata/get_user_profile', { key: null, headers: { authorization: `Bearer ${apiKey}` } });
      expect(res.status).toBe(200);
    });
  });

  describe('rate limits', () => {
    it('sends the rate-limit headers on every answer', async () => {
      const res = await get(emu.url, '/metadata/get_user_event');
      expect(res.headers['x-ratelimit-limit']).toBe('100000');
      expect(Number(res.headers['x-ratelimit-remaining'])).toBeLessThan(100000);
      expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000 - 1);
    });

    it('sends the rate-limit headers on a 401 as well, with nothing spent from the window', async () => {
      const limited = await startSynvoEmulator({ rateLimitPerMinute: 5 });
      try {
        for (const key of [null, 'wrong-key']) {
          const res = await get(limited.url, '/metadata/get_user_profile', key);
          expect(res.status).toBe(401);
          expect(res.headers['x-ratelimit-limit']).toBe('5');
          expect(res.headers['x-ratelimit-remaining']).toBe('5');
          expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000));
        }
        expect((await get(limited.url, '/metadata/get_user_profile')).headers['x-ratelimit-remaining']).toBe('4');
      } finally {
        await limited.stop();
      }
    });

    it("gives X-RateLimit-Reset in epoch seconds on the emulator's own clock (the now option)", async () => {
      const epoch = Date.parse('2031-05-01T12:00:00Z');
      const clocked = await startSynvoEmulator({ now: () => epoch });
      try {
        for (const key of [undefined, null]) {
          const reset = Number((await get(clocked.url, '/metadata/get_user_profile', key)).headers['x-ratelimit-reset']);
          expect(reset).toBeGreaterThan(epoch / 1000);
          expect(reset).toBeLessThanOrEqual(epoch / 1000 + 60);
        }
      } finally {
        await clocked.stop();
      }
    });

    it('answers 429 with Retry-After and the route-specific body once the key is over its limit', async () => {
      const limited = await startSynvoEmulator({ rateLimitPerMinute: 2 });
      try {
        expect((await get(limited.url, '/metadata/get_user_profile')).headers['x-ratelimit-remaining']).toBe('1');
        expect((await get(limited.url, '/metadata/get_user_profile')).status).toBe(200);
        const profile = await get(limited.url, '/metadata/get_user_profile');
        expect(profile.status).toBe(429);
        expect(Number(profile.headers['retry-after'])).toBeGreaterThan(0);
        expect(profile.headers['x-ratelimit-remaining']).toBe('0');
        expect(profile.body).toEqual({ error: expect.any(String), detail: expect.any(String) });
        const query = await call(limited.url, 'POST', '/ai/query', { body: queryForm('hello') });
        expect(query.status).toBe(429);
        expect(query.body).toEqual({ error: expect.any(String), code: 'RATE_LIMITED' });
        limited.controls.reset();
        expect((await get(limited.url, '/metadata/get_user_profile')).status).toBe(200);
      } finally {
        await limited.stop();
      }
    });
  });

  describe('faults', () => {
    it('injects a status fault over HTTP for the next N calls only', async () => {
      const added = await control(emu.url, 'POST', 'faults', { route: 'profile', kind: 'status', status: 503, body: { detail: 'down', status_code: 503, retry_after: 2 }, times: 2 });
      expect(added.status).toBe(200);
      for (let i = 0; i < 2; i++) {
        const res = await get(emu.url, '/metadata/get_user_profile');
        expect(res.status).toBe(503);
        expect(res.body).toEqual({ detail: 'down', status_code: 503, retry_after: 2 });
      }
      expect((await get(emu.url, '/metadata/get_user_profile')).status).toBe(200);
    });

    it('applies a * fault to every route until cleared over HTTP', async () => {
      await control(emu.url, 'POST', 'faults', { route: '*', kind: 'status', status: 500 });
      expect((await get(emu.url, '/metadata/get_user_event')).status).toBe(500);
      expect((await get(emu.url, '/file/list')).status).toBe(500);
      expect((await control(emu.url, 'DELETE', 'faults')).status).toBe(200);
      expect((await get(emu.url, '/file/list')).status).toBe(200);
    });

    it('answers a rateLimit fault with 429, Retry-After and the route body', async () => {
      emu.controls.addFault({ route: 'search', kind: 'rateLimit', retryAfter: 7, times: 1 });
      const res = await call(emu.url, 'POST', '/ai/search', { body: new URLSearchParams({ message: 'x' }) });
      expect(res.status).toBe(429);
      expect(res.headers['retry-after']).toBe('7');
      expect(res.body).toEqual({ error: expect.any(String), detail: expect.any(String) });
      emu.controls.addFault({ route: 'query', kind: 'rateLimit', retryAfter: 3, times: 1 });
      const q = await call(emu.url, 'POST', '/ai/query', { body: queryForm('hello') });
      expect(q.status).toBe(429);
      expect(q.body.code).toBe('RATE_LIMITED');
    });

    it('answers a malformed fault with 200 and a body that is not JSON', async () => {
      emu.controls.addFault({ route: 'events', kind: 'malformed', times: 1 });
      const res = await get(emu.url, '/metadata/get_user_event');
      expect(res.status).toBe(200);
      expect(typeof res.body).toBe('string');
      expect(() => JSON.parse(res.body)).toThrow();
    });

    it('destroys the connection under a reset fault', async () => {
      emu.controls.addFault({ route: 'fileList', kind: 'reset', times: 1 });
      await expect(get(emu.url, '/file/list')).rejects.toThrow();
      expect((await get(emu.url, '/file/list')).status).toBe(200);
    });

    it('sends the headers and half the body, then closes, under a truncate fault', async () => {
      const whole = await request(`${emu.url}/metadata/get_user_profile`, { headers: { 'x-api-key': apiKey } });
      const wholeText = await whole.body.text();
      emu.controls.addFault({ route: 'profile', kind: 'truncate', times: 1 });
      const res = await request(`${emu.url}/metadata/get_user_profile`, { headers: { 'x-api-key': apiKey } });
      expect(res.statusCode).toBe(200);
      expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(wholeText));
      const received: Buffer[] = [];
      await expect((async () => {
        for await (const chunk of res.body) received.push(chunk as Buffer);
      })()).rejects.toThrow();
      expect(Buffer.concat(received).toString()).toBe(wholeText.slice(0, Math.floor(Buffer.byteLength(wholeText) / 2)));
    });

    it('delays the answer, unchanged, under a latency fault', async () => {
      emu.controls.addFault({ route: 'profile', kind: 'latency', ms: 20, times: 1 });
      const res = await get(emu.url, '/metadata/get_user_profile');
      expect(res.status).toBe(200);
      expect(res.body.education.sub_topics.school.value).toContain('Nanyang');
    });

    it('rejects an invalid fault with 400 naming the field', async () => {
      const res = await control(emu.url, 'POST', 'faults', { route: 'profile', kind: 'explode' });
      expect(res.status).toBe(400);
      expect(res.body.detail).toContain('kind');
    });

    it('rejects a fault on an unknown route, or of a kind its route never applies, instead of arming it silently', async () => {
      const typo = await control(emu.url, 'POST', 'faults', { route: 'profiles', kind: 'status', status: 500 });
      expect(typo.status).toBe(400);
      expect(typo.body.detail).toMatch(/^route: unknown route 'profiles'/);
      const misplaced = await control(emu.url, 'POST', 'faults', { route: 'fileList', kind: 'stall', afterTokens: 1 });
      expect(misplaced.status).toBe(400);
      expect(misplaced.body.detail).toMatch(/^kind: route 'fileList' does not honour 'stall'/);
      expect(() => emu.controls.addFault({ route: 'bio', kind: 'latency', ms: 1 })).toThrow(/unknown route 'bio'/);
      expect(() => emu.controls.addFault({ route: 'search', kind: 'shape', variant: 'alternate' })).toThrow(/does not honour 'shape'/);
      // Nothing was armed: every route still answers normally.
      expect((await get(emu.url, '/metadata/get_user_profile')).status).toBe(200);
      expect((await get(emu.url, '/file/list')).status).toBe(200);
      // The kinds a route does honour, and any kind on *, are accepted.
      expect((await control(emu.url, 'POST', 'faults', { route: 'events', kind: 'shape', variant: 'alternate', times: 1 })).status).toBe(200);
      expect((await control(emu.url, 'POST', 'faults', { route: '*', kind: 'stall', afterTokens: 1, times: 1 })).status).toBe(200);
      expect((await get(emu.url, '/metadata/get_user_event')).body).toHaveProperty('total_count');
    });

    it('does not serve the control API when controls are off', async () => {
      const closed = await startSynvoEmulator({ controls: false });
      try {
        const res = await fetch(`${closed.url}/__emulator/calls`);
        expect(res.status).toBe(404);
        await res.body?.cancel();
      } finally {
        await closed.stop();
      }
    });
  });

  describe('counters', () => {
    it('counts calls per route and per sub-user, over HTTP and programmatically', async () => {
      await get(emu.url, '/metadata/get_user_profile');
      await get(emu.url, '/metadata/get_user_profile?sub_user_name=alex');
      await get(emu.url, '/metadata/get_user_event?sub_user_name=alex');
      await call(emu.url, 'POST', '/ai/query', { body: queryForm('hello', { sub_user_name: 'alex' }) });
      await call(emu.url, 'POST', '/ai/search', { body: new URLSearchParams({ message: 'x', sub_user_name: 'newcomer' }) });
      await call(emu.url, 'POST', '/file/upload', { body: uploadForm('a.txt', 'a', { sub_user_name: 'bo' }) });
      await get(emu.url, '/file/status/x?sub_user_name=bo');
      await get(emu.url, '/file/list?sub_user_name=bo');
      await call(emu.url, 'DELETE', '/file/delete/x?sub_user_name=bo');
      await get(emu.url, '/metadata/get_user_profile', null);
      const expected = {
        routes: {
          profile: { total: 3, byUser: { default: 2, alex: 1 } },
          events: { total: 1, byUser: { alex: 1 } },
          query: { total: 1, byUser: { alex: 1 } },
          search: { total: 1, byUser: { newcomer: 1 } },
          upload: { total: 1, byUser: { bo: 1 } },
          fileStatus: { total: 1, byUser: { bo: 1 } },
          fileList: { total: 1, byUser: { bo: 1 } },
          fileDelete: { total: 1, byUser: { bo: 1 } },
        },
        openStreams: 0,
      };
      expect((await control(emu.url, 'GET', 'calls')).body).toEqual(expected);
      expect(emu.controls.calls()).toEqual(expected);
      expect((await control(emu.url, 'DELETE', 'calls')).status).toBe(200);
      expect(emu.controls.calls()).toEqual({ routes: {}, openStreams: 0 });
    });
  });

  describe('reset', () => {
    it('restores the seed data, clears faults and zeroes the counters over HTTP', async () => {
      await uploadAndWait(emu.url, 'temp.txt', 'Name: Temp Person', { sub_user_name: 'newcomer' });
      await call(emu.url, 'DELETE', '/file/delete/f_default_wellfest');
      emu.controls.addFault({ route: 'events', kind: 'status', status: 500 });
      expect((await get(emu.url, '/metadata/get_user_profile?sub_user_name=newcomer')).status).toBe(200);

      expect((await control(emu.url, 'POST', 'reset')).status).toBe(200);
      expect(emu.controls.calls()).toEqual({ routes: {}, openStreams: 0 });
      expect((await get(emu.url, '/metadata/get_user_profile?sub_user_name=newcomer')).status).toBe(404);
      expect((await get(emu.url, '/file/status/f_default_wellfest')).body.status).toBe('COMPLETED');
      expect((await get(emu.url, '/metadata/get_user_event')).status).toBe(200);
    });

    it('drops processing still pending at a reset', async () => {
      const slow = await startSynvoEmulator({ processingDelayMs: 30 });
      try {
        const up = await call(slow.url, 'POST', '/file/upload', { body: uploadForm('late.txt', 'Name: Late', { sub_user_name: 'newcomer' }) });
        slow.controls.reset();
        // A file uploaded after the reset finishes processing; the earlier one never will.
        expect((await uploadAndWait(slow.url, 'later.txt', 'Name: Later', { sub_user_name: 'someone-else' })).status).toBe('COMPLETED');
        expect((await get(slow.url, `/file/status/${up.body.file_id}?sub_user_name=newcomer`)).body.status).toBe('UNKNOWN');
        expect((await get(slow.url, '/metadata/get_user_profile?sub_user_name=newcomer')).status).toBe(404);
      } finally {
        await slow.stop();
      }
    });
  });

  describe('/openapi.json', () => {
    it('describes every endpoint with an operationId and the X-API-Key scheme', async () => {
      const doc = (await get(emu.url, '/openapi.json', null)).body;
      expect(doc.openapi).toMatch(/^3\.0\./);
      expect(doc.servers).toEqual([{ url: emu.url }]);
      expect(doc.security).toEqual([{ ApiKeyAuth: [] }]);
      expect(doc.components.securitySchemes.ApiKeyAuth).toEqual({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
      const ops = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item as object).map(([method, op]) => `${method.toUpperCase()} ${path} ${op.operationId}`));
      expect(ops.sort()).toEqual([
        'DELETE /file/delete/{file_id} deleteFile',
        'GET /file/download downloadFile',
        'GET /file/list listFiles',
        'GET /file/status/{file_id} getFileStatus',
        'GET /file/thumbnail getThumbnail',
        'GET /metadata/get_user_event/ getUserEvents',
        'GET /metadata/get_user_profile/ getUserProfile',
        'POST /ai/query query',
        'POST /ai/search searchFiles',
        'POST /file/create_dir createDir',
        'POST /file/move moveFile',
        'POST /file/upload uploadFile',
        'POST /webpage/add addWebpage',
      ]);
    });

    it('has response schemas that match what every endpoint sends', async () => {
      const doc = (await get(emu.url, '/openapi.json', null)).body;
      const { upload } = await uploadAndWait(emu.url, 'check.txt', 'Schema check notes about neural networks.');
      const samples: Array<[string, string, string, { status: number; body: unknown }]> = [
        ['/metadata/get_user_profile/', 'get', '200', await get(emu.url, '/metadata/get_user_profile?sub_user_name=alex')],
        ['/metadata/get_user_profile/', 'get', '404', await get(emu.url, '/metadata/get_user_profile?sub_user_name=newcomer')],
        ['/metadata/get_user_event/', 'get', '200', await get(emu.url, '/metadata/get_user_event?sub_user_name=alex')],
        ['/metadata/get_user_event/', 'get', '400', await get(emu.url, '/metadata/get_user_event?limit=0')],
        ['/ai/query', 'post', '200', await call(emu.url, 'POST', '/ai/query', { body: queryForm('neural networks') })],
        ['/ai/query', 'post', '400', await call(emu.url, 'POST', '/ai/query', { body: queryForm('x', { model: 'other' }) })],
        ['/ai/search', 'post', '200', await call(emu.url, 'POST', '/ai/search', { body: new URLSearchParams({ message: 'neural' }) })],
        ['/ai/search', 'post', '400', await call(emu.url, 'POST', '/ai/search', { body: new URLSearchParams({}) })],
        ['/file/upload', 'post', '200', { status: 200, body: upload }],
        ['/file/upload', 'post', '400', await call(emu.url, 'POST', '/file/upload', { body: uploadForm('x.exe', 'x') })],
        ['/file/status/{file_id}', 'get', '200', await get(emu.url, `/file/status/${upload.file_id}`)],
        ['/file/list', 'get', '200', await get(emu.url, '/file/list')],
        ['/file/list', 'get', '404', await get(emu.url, '/file/list?sub_user_name=newcomer')],
        ['/file/create_dir', 'post', '200', await call(emu.url, 'POST', '/file/create_dir', { body: new URLSearchParams({ path: '/schema' }) })],
        ['/file/create_dir', 'post', '409', await call(emu.url, 'POST', '/file/create_dir', { body: new URLSearchParams({ path: '/check.txt' }) })],
        ['/file/move', 'post', '200', await call(emu.url, 'POST', '/file/move', { body: new URLSearchParams({ src: '/schema', dest: '/schema2' }) })],
        ['/file/move', 'post', '404', await call(emu.url, 'POST', '/file/move', { body: new URLSearchParams({ src: '/nothing', dest: '/x' }) })],
        ['/file/move', 'post', '409', await call(emu.url, 'POST', '/file/move', { body: new URLSearchParams({ src: '/check.txt', dest: '/lectures' }) })],
        ['/file/download', 'get', '200', await get(emu.url, `/file/download?file_id=${upload.file_id}`)],
        ['/file/download', 'get', '404', await get(emu.url, '/file/download?file_id=nope')],
        ['/file/thumbnail', 'get', '404', await get(emu.url, `/file/thumbnail?file_id=${upload.file_id}`)],
        ['/file/thumbnail', 'get', '400', await get(emu.url, '/file/thumbnail?file_id=f_default_campus_photo&max_size=2')],
        ['/webpage/add', 'post', '400', await call(emu.url, 'POST', '/webpage/add', { body: new URLSearchParams({}) })],
        ['/webpage/add', 'post', '422', await call(emu.url, 'POST', '/webpage/add', { body: new URLSearchParams({ url: `${emu.url}/no-such-page` }) })],
        ['/file/delete/{file_id}', 'delete', '200', await call(emu.url, 'DELETE', `/file/delete/${upload.file_id}`)],
        ['/file/delete/{file_id}', 'delete', '404', await call(emu.url, 'DELETE', `/file/delete/${upload.file_id}`)],
        ['/metadata/get_user_profile/', 'get', '401', await get(emu.url, '/metadata/get_user_profile', null)],
      ];
      for (const [path, method, status, res] of samples) {
        expect(String(res.status), `${method} ${path}`).toBe(status);
        const schema = doc.paths[path][method].responses[status].content['application/json'].schema;
        expect(mismatch(doc, schema, res.body), `${method} ${path} ${status}`).toBeUndefined();
      }
    });
  });
});
