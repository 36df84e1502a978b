import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRateLimit } from '../../src/server/use-rate-limit.js';
import { post, startPluginServer, type PluginServer } from './plugin-server.js';
import { TEST_REDIS_URL } from '../support/redis.js';

const query = { query: '{ echo(text: "hi") }' };

describe('useRateLimit in memory', () => {
  let server: PluginServer;
  const limited: string[] = [];

  beforeAll(async () => {
    server = await startPluginServer({
      ws: true,
      plugins: [
        useRateLimit({
          user: { points: 3, durationSeconds: 60 },
          service: { points: 5, durationSeconds: 60 },
          onLimited: (kind) => limited.push(kind),
        }),
      ],
    });
  });
  afterAll(() => server.stop());

  it('refuses a user past its budget with 429, Retry-After and RATE_LIMITED with retryAfter', async () => {
    for (let i = 0; i < 3; i++) expect((await post(server.url, query, { 'x-test-user': 'alex' })).status).toBe(200);
    const res = await post(server.url, query, { 'x-test-user': 'alex' });
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(res.body.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', retryAfter });
    expect(limited).toContain('user');
  });

  it('keeps separate budgets per user', async () => {
    const res = await post(server.url, query, { 'x-test-user': 'blair' });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ echo: 'hi' });
  });

  it('gives a service key its own, larger budget', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await post(server.url, query, { 'x-test-service': 'abcd1234' })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('ends a graphql-ws subscription of a user past its budget with RATE_LIMITED', async () => {
    const client = createClient({ url: server.wsUrl, webSocketImpl: WebSocket, connectionParams: { user: 'alex' }, retryAttempts: 0 });
    try {
      const errors = await new Promise<unknown>((resolve) => {
        client.subscribe(
          { query: 'subscription { ticks }' },
          { next: (r) => resolve(r.errors), error: (e) => resolve(e), complete: () => {} },
        );
      });
      expect(errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'RATE_LIMITED' }) })]);
    } finally {
      await client.dispose();
    }
  });
});

describe('useRateLimit on Redis', () => {
  const prefix = `memgate-test:${randomUUID()}`;
  const redisA = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  const redisB = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let a: PluginServer;
  let b: PluginServer;

  beforeAll(async () => {
    await Promise.all([redisA.connect(), redisB.connect()]);
    const options = { user: { points: 4, durationSeconds: 60 }, keyPrefix: prefix };
    a = await startPluginServer({ plugins: [useRateLimit({ ...options, redis: redisA })] });
    b = await startPluginServer({ plugins: [useRateLimit({ ...options, redis: redisB })] });
  });
  afterAll(async () => {
    await Promise.all([a.stop(), b.stop()]);
    const keys = await redisA.keys(`${prefix}*`);
    if (keys.length) await redisA.del(...keys);
    await Promise.all([redisA.quit(), redisB.quit()]);
  });

  it('shares one budget between two gateway instances', async () => {
    const statuses: number[] = [];
    for (const server of [a, b, a, b, a, b]) statuses.push((await post(server.url, query, { 'x-test-user': 'casey' })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    expect(await redisA.keys(`${prefix}:user:{casey}`)).toHaveLength(1);
  });
});
