/**
 * Optional OpenTelemetry tracing: a span per GraphQL request (`useTracing`) and, beneath it, a span
 * per upstream call (built from the clients' `onCall` report). Off unless configured; when off,
 * `createTracing` returns a tracer whose every method is a no-op.
 */
import { context, trace, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import type { UpstreamCallInfo } from '../upstream/types.js';

export interface TracingOptions {
  /** Turns tracing on. @default false */
  enabled?: boolean;
  /** OTLP/HTTP traces endpoint, e.g. http://127.0.0.1:4318/v1/traces. @default the exporter's own default */
  otlpEndpoint?: string;
  /** An exporter to use instead of OTLP (tests pass an InMemorySpanExporter). @default undefined */
  exporter?: SpanExporter;
  /** `service.name` of the spans. @default 'memgate' */
  serviceName?: string;
}

export interface GatewayTracing {
  readonly enabled: boolean;
  /** The tracer request spans are made with; a no-op tracer when tracing is off. */
  readonly tracer: Tracer;
  /** Records one upstream call as a child span of the active request span. */
  onUpstreamCall(info: UpstreamCallInfo): void;
  /** Flushes pending spans and stops the exporter. */
  shutdown(): Promise<void>;
}

let contextManagerInstalled = false;

/** Spans only nest when a context manager carries the active span across awaits. */
function ensureContextManager(): void {
  if (contextManagerInstalled) return;
  // Returns false when one is installed already: that one carries our spans just as well.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  contextManagerInstalled = true;
}

export function createTracing(options: TracingOptions = {}): GatewayTracing {
  if (!options.enabled) {
    return {
      enabled: false,
      tracer: trace.getTracer('memgate-noop', undefined),
      onUpstreamCall() {},
      shutdown: async () => {},
    };
  }
  ensureContextManager();
  const exporter = options.exporter ?? new OTLPTraceExporter(options.otlpEndpoint ? { url: options.otlpEndpoint } : {});
  // Tests read spans as soon as a call ends; production batches them.
  const processor = options.exporter ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName ?? 'memgate' }),
    spanProcessors: [processor],
  });
  const tracer = provider.getTracer('memgate');

  return {
    enabled: true,
    tracer,
    onUpstreamCall(info) {
      const end = Date.now();
      const span = tracer.startSpan(
        `${info.service} ${info.endpoint}`,
        {
          kind: SpanKind.CLIENT,
          startTime: end - info.durationMs,
          attributes: {
            'memgate.upstream.service': info.service,
            'memgate.upstream.endpoint': info.endpoint,
            'memgate.upstream.attempts': info.attempts,
            'http.request.method': info.method,
            ...(info.status !== undefined ? { 'http.response.status_code': info.status } : {}),
            ...(info.errorCode ? { 'error.type': info.errorCode } : {}),
          },
        },
        context.active(),
      );
      span.setStatus(info.errorCode ? { code: SpanStatusCode.ERROR, message: info.errorCode } : { code: SpanStatusCode.OK });
      span.end(end);
    },
    shutdown: () => provider.shutdown(),
  };
}
