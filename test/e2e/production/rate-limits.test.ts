import { randomUUID } from 'node:crypto';
import { connect, createServer, type AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asService, startGateway, type Gateway } from './harness.js';
import { TEST_REDIS_URL } from '../../support/redis.js';

const NAME = '{ viewer { name } }';

describe('rate limits shared by two gateway instances on Redis', () => {
  const prefix = `mgt-${randomUUID()}:`;
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });
  let a: Gateway;
  let b: Gateway;

  let env: Record<string, string>;

  beforeAll(async () => {
    await redis.connect();
    env = { REDIS_URL: TEST_REDIS_URL, MEMGATE_REDIS_PREFIX: prefix, MEMGATE_RATE_LIMIT_USER_PER_MINUTE: '3', MEMGATE_RATE_LIMIT_SERVICE_PER_MINUTE: '4' };
    a = await startGateway({ env });
    b = await startGateway({ env, upstreams: { synvo: a.synvo, memsync: a.memsync } });
  });
  afterAll(async () => {
    await b.stop();
    await a.stop();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('lets a user spend one budget across both instances, then answers 429 with Retry-After and RATE_LIMITED', async () => {
    const auth = { authorization: `Bearer ${await a.jwt('default')}` };
    const results = [];
    for (const gw of [a, b, a, b, a]) results.push(await gw.post({ query: NAME }, auth));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 429, 429]);
    const refused = results[3]!;
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(refused.json.errors[0].extensions).toEqual({ code: 'RATE_LIMITED', retryAfter });
    expect(refused.json.data).toBeUndefined();
  });

  it('keeps another user and the service key on budgets of their own', async () => {
    const other = await b.post({ query: NAME }, { authorization: `Bearer ${await b.jwt('alex')}` });
    expect(other.status).toBe(200);
    expect(other.json.data.viewer.name).toBe('alex');
    const statuses = [];
    for (const gw of [a, b, a, b, a]) statuses.push((await gw.post({ query: '{ user(name: "default") { name } }' }, asService)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
  });

  it('counts the first operation after a start in Redis, even when Redis is slow to answer at first', async () => {
    // A proxy that holds each new connection's first bytes for 300 ms, so the gateway's Redis
    // connection is not ready yet when the gateway could already listen.
    const proxy = createServer((socket) => {
      socket.pause();
      setTimeout(() => {
        const { hostname, port } = new URL(TEST_REDIS_URL);
        const upstream = connect(Number(port || 6379), hostname);
        socket.pipe(upstream).pipe(socket);
        socket.resume();
        const close = () => (socket.destroy(), upstream.destroy());
        socket.on('error', close).on('close', close);
        upstream.on('error', close).on('close', close);
      }, 300);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const slowRedis = `redis://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const c = await startGateway({ env: { ...env, REDIS_URL: slowRedis }, upstreams: { synvo: a.synvo, memsync: a.memsync } });
    try {
      const res = await c.post({ query: NAME }, { authorization: `Bearer ${await c.jwt('first-comer')}` });
      expect(res.status).toBe(200);
      expect(await redis.get(`${prefix}rl:user:{first-comer}`)).toBe('1');
    } finally {
      await c.stop();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('counts the refused operations in /metrics', async () => {
    const text = (await a.get('/metrics')).text;
    expect(text).toMatch(/memgate_rate_limited_total\{kind="user"\} [1-9]/);
  });
});

describe('an upstream 429', () => {
  let gw: Gateway;

  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw.stop());

  it('surfaces as RATE_LIMITED with retryAfter on that field alone, with one upstream call', async () => {
    gw.synvo.controls.resetCalls();
    gw.synvo.controls.addFault({ route: 'profile', kind: 'rateLimit', retryAfter: 30, times: 1 });
    const res = await gw.post({ query: '{ user(name: "default") { name profile { attributes { category } } } }' }, asService);
    expect(res.status).toBe(200);
    expect(res.json.data.user).toEqual({ name: 'default', profile: null });
    expect(res.json.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 30, service: 'synvo', upstreamStatus: 429 });
    expect(gw.synvo.controls.calls().routes['profile']?.total).toBe(1);
  });
});

describe('a gateway whose Redis is away', () => {
  let gw: Gateway;

  beforeAll(async () => {
    // Nothing listens on port 1.
    gw = await startGateway({ env: { REDIS_URL: 'redis://127.0.0.1:1', MEMGATE_RATE_LIMIT_USER_PER_MINUTE: '2' } });
  });
  afterAll(() => gw.stop());

  it('is not ready, names Redis, and still serves with per-instance rate limits', async () => {
    const ready = await gw.get('/readyz');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.text)).toEqual({ status: 'not ready', checks: { synvo: 'ok', memsync: 'ok', redis: 'unreachable' } });
    const auth = { authorization: `Bearer ${await gw.jwt('default')}` };
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await gw.post({ query: NAME }, auth)).status);
    expect(statuses).toEqual([200, 200, 429]);
  });
});
