/**
 * Production readiness in one place (issue 8), so `createApp` only wires it in: the logger,
 * metrics and tracing; the yoga plugins for health, metrics, request logs, tracing, CSRF,
 * introspection, persisted documents, limits, rate limits and graceful shutdown; the hooks the
 * upstream clients report to; and what must be closed last on stop.
 */
import type { DestinationStream } from 'pino';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import type { Plugin } from 'graphql-yoga';
import { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { createLogger, toYogaLogger, type Logger, type YogaLoggerAdapter } from '../observability/logger.js';
import { createMetrics, type GatewayMetrics } from '../observability/metrics.js';
import { createTracing, type GatewayTracing, type TracingOptions } from '../observability/tracing.js';
import type { UpstreamCallInfo, UpstreamClientOptions } from '../upstream/types.js';
import { createShutdown, useGracefulShutdown, type Shutdown } from './shutdown.js';
import { useCsrfPrevention } from './use-csrf-prevention.js';
import { httpReachable, redisReachable, useHealth, type ReadinessCheck } from './use-health.js';
import { useLimits, type LimitsOptions } from './use-limits.js';
import { useMetrics } from './use-metrics.js';
import { loadPersistedDocuments, usePersistedDocuments } from './use-persisted-documents.js';
import { mcpPersistedDocuments } from '../mcp/tools.js';
import { useRateLimit, type RateLimitOptions } from './use-rate-limit.js';
import { useRequestLogging } from './use-request-logging.js';
import { useTracing } from './use-tracing.js';

export interface ProductionOptions {
  /** Use this logger instead of one built from the config (tests capture lines). @default undefined */
  logger?: Logger;
  /** Where the built logger writes. @default stdout */
  logDestination?: DestinationStream;
  /** Overrides of the document and body limits. @default {} */
  limits?: LimitsOptions;
  /** Overrides of the rate limits (points, windows, Redis key prefix). @default {} */
  rateLimit?: Pick<RateLimitOptions, 'user' | 'service' | 'keyPrefix'>;
  /** Overrides of the tracing setup (tests pass an in-memory exporter). @default {} */
  tracing?: TracingOptions;
}

export interface Production {
  logger: Logger;
  yogaLogger: YogaLoggerAdapter;
  metrics: GatewayMetrics;
  tracing: GatewayTracing;
  shutdown: Shutdown;
  /** The plugins, in order, to put before the feature plugins. */
  plugins: Plugin[];
  /** Records one upstream call (metrics, trace span, a log line on failure). */
  onUpstreamCall(info: UpstreamCallInfo): void;
  /** The hooks to give the upstream clients: `onCall` and `onBreakerStateChange`. */
  upstreamHooks: Pick<UpstreamClientOptions, 'onCall' | 'onBreakerStateChange'>;
  /**
   * Resolves once the rate-limit Redis is connected, so the first requests already share the
   * budget of every instance; or at its first connection error or after `timeoutMs` (Redis away:
   * per-instance limits, and /readyz says so). At once without Redis.
   */
  connected(timeoutMs?: number): Promise<void>;
  /** Closes what this module opened (the rate-limit Redis connection, the tracer). */
  close(): Promise<void>;
}

export function createProduction(config: Readonly<Config>, options: ProductionOptions = {}): Production {
  const secrets = [
    config.synvo.apiKey,
    config.memsync.apiKey,
    ...config.auth.serviceKeys,
    config.auth.jwtSecret ?? '',
    config.mcp.token ?? '',
    config.mcp.apiKey ?? '',
  ];
  const logger =
    options.logger ??
    createLogger({ level: config.logLevel, secrets, production: config.production, destination: options.logDestination });
  const metrics = createMetrics();
  const tracing = createTracing({
    enabled: !!config.ops.otlpTracesEndpoint,
    otlpEndpoint: config.ops.otlpTracesEndpoint ?? undefined,
    ...options.tracing,
  });
  const shutdown = createShutdown();

  let redis: Redis | null = null;
  if (config.redisUrl) {
    redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    // Rate limits fall back to in-process counters while Redis is away; readiness reports it.
    redis.on('error', (error: unknown) => logger.warn({ err: error }, 'rate-limit redis error'));
  }

  const checks: Record<string, ReadinessCheck> = {};
  if (config.synvo.baseUrl) checks['synvo'] = httpReachable(config.synvo.baseUrl);
  if (config.memsync.baseUrl) checks['memsync'] = httpReachable(config.memsync.baseUrl);
  if (redis) checks['redis'] = redisReachable(redis);

  const plugins: Plugin[] = [
    useHealth({ checks, isShuttingDown: () => shutdown.shuttingDown }),
    useMetrics({ metrics }),
    useRequestLogging({ logger }),
    useTracing({ tracing }),
    useCsrfPrevention(),
  ];
  if (!config.ops.introspection) plugins.push(useDisableIntrospection() as Plugin);
  if (config.ops.persistedDocumentsPath) {
    plugins.push(
      usePersistedDocuments({
        // The MCP tools' operations are persisted documents of the gateway's own (issue 17).
        documents: new Map([...loadPersistedDocuments(config.ops.persistedDocumentsPath), ...mcpPersistedDocuments()]),
        persistedOnly: config.ops.persistedOnly,
      }),
    );
  }
  plugins.push(
    useLimits({ fieldSuggestions: config.ops.introspection, ...options.limits }),
    useRateLimit({
      user: { points: config.ops.userRateLimitPerMinute, durationSeconds: 60 },
      service: { points: config.ops.serviceRateLimitPerMinute, durationSeconds: 60 },
      keyPrefix: `${config.redisPrefix}rl`,
      redis,
      onLimited: (kind) => metrics.rateLimited.inc({ kind }),
      ...options.rateLimit,
    }),
    useGracefulShutdown({ shutdown }),
  );

  const onUpstreamCall = (info: UpstreamCallInfo) => {
    metrics.onUpstreamCall(info);
    tracing.onUpstreamCall(info);
    if (info.errorCode && info.errorCode !== 'NOT_FOUND') {
      logger.warn(
        {
          service: info.service,
          endpoint: info.endpoint,
          status: info.status,
          code: info.errorCode,
          attempts: info.attempts,
          durationMs: Math.round(info.durationMs),
        },
        'upstream call failed',
      );
    }
  };

  return {
    logger,
    yogaLogger: toYogaLogger(logger),
    metrics,
    tracing,
    shutdown,
    plugins,
    onUpstreamCall,
    upstreamHooks: {
      onCall: onUpstreamCall,
      onBreakerStateChange({ service, state }) {
        metrics.setBreakerState(service, state);
        logger.warn({ service, state }, 'upstream circuit breaker changed state');
      },
    },
    connected(timeoutMs = 2_000) {
      const client = redis;
      if (!client || client.status === 'ready') return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          client.off('ready', done);
          client.off('error', done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        client.once('ready', done);
        client.once('error', done);
      });
    },
    async close() {
      await tracing.shutdown().catch(() => {});
      if (redis) await redis.quit().catch(() => redis?.disconnect());
    },
  };
}
