/**
 * The yoga plugins that come before the feature plugins, in order: health, metrics, request logs,
 * tracing, CSRF, introspection, persisted documents, limits, rate limits and graceful shutdown.
 */
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import type { Plugin } from 'graphql-yoga';
import type { RedisClient } from '../redis.js';
import type { Config } from '../config.js';
import type { Observability } from '../observability/index.js';
import { useGracefulShutdown, type Shutdown } from './shutdown.js';
import { useCsrfPrevention } from './use-csrf-prevention.js';
import { httpReachable, redisReachable, useHealth, type ReadinessCheck } from './use-health.js';
import { useLimits, type LimitsOptions } from './use-limits.js';
import { useMetrics } from './use-metrics.js';
import { mcpPersistedDocuments } from '../mcp/tools.js';
import { loadPersistedDocuments, usePersistedDocuments } from './use-persisted-documents.js';
import { useRateLimit, type RateLimitOptions } from './use-rate-limit.js';
import { useRequestLogging } from './use-request-logging.js';
import { useTracing } from './use-tracing.js';

export interface ServerPluginOptions {
  /** Overrides of the document and body limits. @default {} */
  limits?: LimitsOptions;
  /** Overrides of the rate limits (points, windows, Redis key prefix). @default {} */
  rateLimit?: Pick<RateLimitOptions, 'user' | 'service' | 'keyPrefix'>;
}

export interface ServerPluginParts {
  observability: Observability;
  shutdown: Shutdown;
  /** The rate limits' Redis connection (also checked by /readyz); null without Redis. */
  rateLimitRedis: RedisClient | null;
}

export function createServerPlugins(config: Readonly<Config>, parts: ServerPluginParts, options: ServerPluginOptions = {}): Plugin[] {
  const { observability, shutdown, rateLimitRedis } = parts;
  const { logger, metrics, tracing } = observability;
  const checks: Record<string, ReadinessCheck> = {};
  if (config.synvo.baseUrl) checks['synvo'] = httpReachable(config.synvo.baseUrl);
  if (config.memsync.baseUrl) checks['memsync'] = httpReachable(config.memsync.baseUrl);
  if (rateLimitRedis) checks['redis'] = redisReachable(rateLimitRedis);

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
        // The MCP tools' operations are persisted documents of the gateway's own.
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
      redis: rateLimitRedis,
      onLimited: (kind) => metrics.rateLimited.inc({ kind }),
      ...options.rateLimit,
    }),
    useGracefulShutdown({ shutdown }),
  );
  return plugins;
}
