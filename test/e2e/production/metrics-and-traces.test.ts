import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asService, startGateway, type Gateway } from './harness.js';

const PROFILE = '{ user(name: "default") { name profile { attributes { category } } } }';

describe('the upstream circuit breaker and the read cache in /metrics', () => {
  let gw: Gateway;

  beforeAll(async () => {
    gw = await startGateway({
      upstreamOptions: { maxAttempts: 1, breakerMinimumRps: 2, breakerThreshold: 0.5, breakerHalfOpenAfterMs: 60_000 },
    });
  });
  afterAll(() => gw.stop());

  it('counts a repeated read as a cache hit', async () => {
    await gw.post({ query: '{ user(name: "alex") { events(limit: 3) { type } } }' }, asService);
    await gw.post({ query: '{ user(name: "alex") { events(limit: 3) { type } } }' }, asService);
    const text = (await gw.get('/metrics')).text;
    expect(text).toMatch(/memgate_cache_requests_total\{cache="upstream",result="hit"\} [1-9]/);
    expect(text).toMatch(/memgate_cache_requests_total\{cache="upstream",result="miss"\} [1-9]/);
    expect(gw.synvo.controls.calls().routes['events']?.total).toBe(1);
  });

  it('shows the breaker open once Synvo keeps failing, and closed for MemSync', async () => {
    gw.synvo.controls.addFault({ route: 'profile', kind: 'status', status: 503 });
    for (let i = 0; i < 4; i++) await gw.post({ query: PROFILE.replace('default', `user${i}`) }, asService);
    const text = (await gw.get('/metrics')).text;
    expect(text).toMatch(/memgate_upstream_breaker_state\{service="synvo"\} 1/);
    expect(text).toMatch(/memgate_upstream_breaker_state\{service="memsync"\} 0/);
    expect(gw.logLines().some((l) => l['msg'] === 'upstream circuit breaker changed state' && l['state'] === 'open')).toBe(true);
  });
});

describe('OpenTelemetry traces', () => {
  const exporter = new InMemorySpanExporter();
  let gw: Gateway;

  beforeAll(async () => {
    gw = await startGateway({ env: { MEMGATE_CACHE_TTL_SECONDS: '0' }, app: { production: { tracing: { enabled: true, exporter } } } });
  });
  afterAll(() => gw.stop());

  it('holds a span per upstream call, each a child of its request span', async () => {
    gw.synvo.controls.resetCalls();
    gw.memsync.controls.resetCalls();
    await gw.post({ query: 'query Both { user(name: "default") { profile { attributes { category } } biography { __typename } } }' }, asService);
    await expect.poll(() => exporter.getFinishedSpans().some((s) => s.name === 'POST /graphql')).toBe(true);
    const spans = exporter.getFinishedSpans();
    const request = spans.find((s) => s.name === 'POST /graphql')!;
    expect(request.attributes['graphql.operation.name']).toBe('Both');
    const upstream = spans.filter((s) => s.attributes['memgate.upstream.service']);
    expect(upstream.map((s) => s.name).sort()).toEqual(['memsync bio', 'synvo profile']);
    for (const span of upstream) expect(span.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(upstream.length).toBe(gw.synvo.controls.calls().routes['profile']!.total + gw.memsync.controls.calls().routes['bio']!.total);
  });
});
