import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/observability/metrics.js';
import { useMetrics } from '../../src/server/use-metrics.js';
import { post, startPluginServer, type PluginServer } from './plugin-server.js';

/** The value of one sample line of the exposition text, 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? '').split(',').filter(Boolean);
    if (wanted.every((w) => have.includes(w))) return Number(match[3]);
  }
  return 0;
}

describe('useMetrics', () => {
  const metrics = createMetrics({ defaultMetrics: false });
  let server: PluginServer;

  beforeAll(async () => {
    server = await startPluginServer({ ws: true, plugins: [useMetrics({ metrics })] });
  });
  afterAll(() => server.stop());

  const scrape = async () => {
    const response = await fetch(`${server.origin}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    return response.text();
  };

  it('counts requests by status, operations by type and errors by code as the test made them', async () => {
    await post(server.url, { query: '{ echo(text: "a") }' });
    await post(server.url, { query: '{ echo(text: "b") }' });
    await post(server.url, { query: '{ boom }' });
    await post(server.url, { query: '{ nope }' });
    const text = await scrape();
    // A validation failure answers 200 to an `Accept: application/json` client (GraphQL over HTTP).
    expect(sample(text, 'memgate_http_requests_total', { method: 'POST', status: '200' })).toBe(4);
    expect(sample(text, 'memgate_graphql_operations_total', { type: 'query' })).toBe(3);
    expect(sample(text, 'memgate_graphql_errors_total', { code: 'INTERNAL_SERVER_ERROR' })).toBe(1);
    expect(sample(text, 'memgate_graphql_errors_total', { code: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);
  });

  it('records upstream latency by service, endpoint and outcome from the clients onCall reports', async () => {
    metrics.onUpstreamCall({ service: 'synvo', endpoint: 'profile', method: 'GET', durationMs: 12, status: 200, attempts: 1 });
    metrics.onUpstreamCall({ service: 'memsync', endpoint: 'bio', method: 'GET', durationMs: 40, status: 503, errorCode: 'UPSTREAM_UNAVAILABLE', attempts: 3 });
    const text = await scrape();
    expect(sample(text, 'memgate_upstream_request_duration_seconds_count', { service: 'synvo', endpoint: 'profile', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'memgate_upstream_request_duration_seconds_count', { service: 'memsync', endpoint: 'bio', outcome: 'UPSTREAM_UNAVAILABLE' })).toBe(1);
    expect(sample(text, 'memgate_upstream_request_duration_seconds_sum', { service: 'synvo', endpoint: 'profile', outcome: 'ok' })).toBeCloseTo(0.012);
  });

  it('reports cache hits and misses and the breaker state', async () => {
    metrics.recordCache('profile', true);
    metrics.recordCache('profile', false);
    metrics.recordCache('profile', true);
    metrics.setBreakerState('memsync', 'open');
    const text = await scrape();
    expect(sample(text, 'memgate_cache_requests_total', { cache: 'profile', result: 'hit' })).toBe(2);
    expect(sample(text, 'memgate_cache_requests_total', { cache: 'profile', result: 'miss' })).toBe(1);
    expect(sample(text, 'memgate_upstream_breaker_state', { service: 'memsync' })).toBe(1);
    expect(sample(text, 'memgate_upstream_breaker_state', { service: 'synvo' })).toBe(0);
  });

  it('shows open subscriptions while they run and not after they end', async () => {
    const client = createClient({ url: server.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
    try {
      let seen = 0;
      let unsubscribe = () => {};
      const first = new Promise<void>((resolve) => {
        unsubscribe = client.subscribe({ query: 'subscription { ticks(everyMs: 20) }' }, {
          next: () => {
            seen++;
            resolve();
          },
          error: () => {},
          complete: () => {},
        });
      });
      await first;
      expect(seen).toBeGreaterThan(0);
      expect(sample(await scrape(), 'memgate_subscriptions_open', { transport: 'ws' })).toBe(1);
      unsubscribe();
      await expect.poll(async () => sample(await scrape(), 'memgate_subscriptions_open', { transport: 'ws' })).toBe(0);
      expect(sample(await scrape(), 'memgate_graphql_operations_total', { type: 'subscription' })).toBe(1);
    } finally {
      await client.dispose();
    }
  });
});
