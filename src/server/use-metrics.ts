/**
 * Serves the Prometheus metrics at `/metrics` and feeds the request-side ones: HTTP requests by
 * status, operations by type, errors by code, open subscriptions by transport. Upstream latency,
 * cache and breaker figures come from their own sources (see src/observability/metrics.ts).
 *
 * Errors are counted once each: single HTTP results where yoga processes them, streamed values
 * (subscriptions, defer/stream) and graphql-ws results in the execution pipeline.
 */
import { getOperationAST, type ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { GatewayMetrics } from '../observability/metrics.js';
import { GatewayStream } from './gateway-stream.js';

export interface MetricsPluginOptions {
  /** The registry and metrics to feed and serve (from `createMetrics`). */
  metrics: GatewayMetrics;
  /** Path of the scrape endpoint. @default '/metrics' */
  path?: string;
  /** Path whose requests are counted. @default '/graphql' */
  graphqlPath?: string;
}

const isSocketContext = (context: unknown) => typeof context === 'object' && context !== null && 'socket' in context;

export function useMetrics(options: MetricsPluginOptions): Plugin {
  const { metrics } = options;
  const path = options.path ?? '/metrics';
  const graphqlPath = options.graphqlPath ?? '/graphql';

  const countErrors = (result: ExecutionResult) => {
    for (const error of result.errors ?? []) {
      const code = (error.extensions as { code?: unknown } | undefined)?.code;
      metrics.errors.inc({ code: typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR' });
    }
  };

  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== path || request.method !== 'GET') return;
      return metrics.render().then((text) => {
        endResponse(new fetchAPI.Response(text, { status: 200, headers: { 'content-type': metrics.registry.contentType } }));
      });
    },
    onResponse({ request, response }) {
      if (new URL(request.url, 'http://localhost').pathname !== graphqlPath) return;
      metrics.httpRequests.inc({ method: request.method, status: String(response.status) });
    },
    onResultProcess({ result }) {
      if (isAsyncIterable(result)) return;
      for (const single of Array.isArray(result) ? result : [result]) countErrors(single);
    },
    onExecute({ args }) {
      const type = getOperationAST(args.document, args.operationName ?? undefined)?.operation ?? 'unknown';
      metrics.operations.inc({ type });
      const overSocket = isSocketContext(args.contextValue);
      return {
        onExecuteDone({ result }) {
          if (!isAsyncIterable(result)) {
            if (overSocket) countErrors(result);
            return;
          }
          return { onNext: ({ result: next }) => countErrors(next) };
        },
      };
    },
    onSubscribe({ args }) {
      metrics.operations.inc({ type: 'subscription' });
      const transport = isSocketContext(args.contextValue) ? 'ws' : 'sse';
      return {
        onSubscribeResult({ result, setResult }) {
          if (!isAsyncIterable(result)) {
            if (transport === 'ws') countErrors(result);
            return;
          }
          metrics.openSubscriptions.inc({ transport });
          // Not envelop's onNext/onEnd (one more wrapper per subscription): the gateway's one
          // stream wrapper calls these with each value as the client gets it (errors mapped).
          setResult(
            GatewayStream.of(result).observe(countErrors, () => metrics.openSubscriptions.dec({ transport })),
          );
        },
      };
    },
  };
}
