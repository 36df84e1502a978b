/**
 * A server span per HTTP request (OpenTelemetry), active while the request is handled so the
 * upstream-call spans made from the clients' `onCall` (src/observability/tracing.ts) nest under it.
 * A no-op when tracing is off.
 */
import { context, trace, SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GatewayTracing } from '../observability/tracing.js';

export interface TracingPluginOptions {
  /** From `createTracing`; when it is off the plugin does nothing. */
  tracing: GatewayTracing;
}

export function useTracing({ tracing }: TracingPluginOptions): Plugin {
  if (!tracing.enabled) return {};
  const spans = new WeakMap<Request, Span>();
  return {
    instrumentation: {
      request({ request }, wrapped) {
        const url = new URL(request.url, 'http://localhost');
        const span = tracing.tracer.startSpan(`${request.method} ${url.pathname}`, {
          kind: SpanKind.SERVER,
          attributes: { 'http.request.method': request.method, 'url.path': url.pathname },
        });
        spans.set(request, span);
        const ended = (error?: unknown) => {
          if (error) span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
        };
        return context.with(trace.setSpan(context.active(), span), async () => {
          try {
            await wrapped();
            ended();
          } catch (error) {
            ended(error);
            throw error;
          }
        });
      },
    },
    onExecute({ args }) {
      const request = (args.contextValue as { request?: Request } | null)?.request;
      const span = request ? spans.get(request) : undefined;
      if (!span) return;
      const op = getOperationAST(args.document, args.operationName ?? undefined);
      if (op) span.setAttribute('graphql.operation.type', op.operation);
      if (op?.name) span.setAttribute('graphql.operation.name', op.name.value);
    },
    onResponse({ request, response }) {
      const span = spans.get(request);
      span?.setAttribute('http.response.status_code', response.status);
      if (span && response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    },
  };
}
