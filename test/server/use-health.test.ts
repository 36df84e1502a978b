import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpReachable, redisReachable, useHealth } from '../../src/server/use-health.js';
import { startPluginServer, type PluginServer } from './plugin-server.js';
import { TEST_REDIS_URL } from '../support/redis.js';

describe('useHealth', () => {
  let upstream: Server;
  let upstreamUrl: string;
  let shuttingDown = false;
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let server: PluginServer;
  let downServer: PluginServer;

  beforeAll(async () => {
    upstream = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    await redis.connect();
    server = await startPluginServer({
      plugins: [
        useHealth({
          checks: { synvo: httpReachable(upstreamUrl), redis: redisReachable(redis) },
          isShuttingDown: () => shuttingDown,
        }),
      ],
    });
    // Port 9 (discard) on loopback: nothing listens there.
    downServer = await startPluginServer({
      plugins: [useHealth({ checks: { synvo: httpReachable(upstreamUrl), memsync: httpReachable('http://127.0.0.1:9') }, checkTimeoutMs: 500 })],
    });
  });
  afterAll(async () => {
    await Promise.all([server.stop(), downServer.stop(), redis.quit()]);
    await new Promise<void>((r) => upstream.close(() => r()));
  });

  it('answers /healthz with 200 while the process runs', async () => {
    const response = await fetch(`${server.origin}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 200 when every upstream and Redis answer', async () => {
    const response = await fetch(`${server.origin}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready', checks: { synvo: 'ok', redis: 'ok' } });
  });

  it('answers /readyz with 503 naming the unreachable upstream, without its URL', async () => {
    const response = await fetch(`${downServer.origin}/readyz`);
    expect(response.status).toBe(503);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ status: 'not ready', checks: { synvo: 'ok', memsync: 'unreachable' } });
    expect(text).not.toContain('127.0.0.1');
  });

  it('answers /readyz with 503 once shutdown has begun', async () => {
    shuttingDown = true;
    const response = await fetch(`${server.origin}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'shutting down' });
    shuttingDown = false;
  });
});
