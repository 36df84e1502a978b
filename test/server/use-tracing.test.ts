import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Plugin } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTracing } from '../../src/observability/tracing.js';
import { useTracing } from '../../src/server/use-tracing.js';
import { post, startPluginServer, type PluginServer } from './plugin-server.js';

describe('useTracing', () => {
  const exporter = new InMemorySpanExporter();
  const tracing = createTracing({ enabled: true, exporter });
  // Stands in for an upstream client: reports a call from inside the request, as onCall does.
  const fakeUpstreamCall: Plugin = {
    onExecute() {
      return {
        onExecuteDone() {
          tracing.onUpstreamCall({ service: 'synvo', endpoint: 'profile', method: 'GET', durationMs: 7, status: 200, attempts: 1 });
          tracing.onUpstreamCall({ service: 'memsync', endpoint: 'bio', method: 'GET', durationMs: 3, status: 503, errorCode: 'UPSTREAM_UNAVAILABLE', attempts: 2 });
        },
      };
    },
  };
  let server: PluginServer;

  beforeAll(async () => {
    server = await startPluginServer({ plugins: [useTracing({ tracing }), fakeUpstreamCall] });
  });
  afterAll(async () => {
    await server.stop();
    await tracing.shutdown();
  });

  it('makes a span per upstream call, nested under the request span', async () => {
    await post(server.url, { query: 'query Named { echo(text: "t") }' });
    await expect.poll(() => exporter.getFinishedSpans().length).toBe(3);
    const spans = exporter.getFinishedSpans();
    const request = spans.find((s) => s.name === 'POST /graphql')!;
    const synvo = spans.find((s) => s.name === 'synvo profile')!;
    const memsync = spans.find((s) => s.name === 'memsync bio')!;
    expect(request.attributes['graphql.operation.name']).toBe('Named');
    expect(request.attributes['http.response.status_code']).toBe(200);
    for (const child of [synvo, memsync]) {
      expect(child.spanContext().traceId).toBe(request.spanContext().traceId);
      expect(child.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    }
    expect(synvo.attributes['memgate.upstream.attempts']).toBe(1);
    expect(memsync.attributes['error.type']).toBe('UPSTREAM_UNAVAILABLE');
    expect(memsync.status.code).toBe(2);
  });

  it('does nothing when tracing is off', () => {
    const off = createTracing({ enabled: false });
    expect(off.enabled).toBe(false);
    expect(() => off.onUpstreamCall({ service: 'synvo', endpoint: 'profile', method: 'GET', durationMs: 1, attempts: 1 })).not.toThrow();
    expect(useTracing({ tracing: off })).toEqual({});
  });
});
