/**
 * Logs, metrics and traces of one gateway, and the hooks the upstream clients report to. Built
 * once by the composition root; closed last on stop.
 */
import type { DestinationStream } from 'pino';
import type { Config } from '../config.js';
import type { UpstreamCallInfo, UpstreamClientOptions } from '../upstream/types.js';
import { LearnedSecrets } from './learned-secrets.js';
import { createLogger, toYogaLogger, type Logger, type YogaLoggerAdapter } from './logger.js';
import { createMetrics, type GatewayMetrics } from './metrics.js';
import { createTracing, type GatewayTracing, type TracingOptions } from './tracing.js';

export interface ObservabilityOptions {
  /** Use this logger instead of one built from the config (tests capture lines). @default undefined */
  logger?: Logger;
  /** Where the built logger writes. @default stdout */
  logDestination?: DestinationStream;
  /** Overrides of the tracing setup (tests pass an in-memory exporter). @default {} */
  tracing?: TracingOptions;
  /** Which mapped errors are the caller's own mistake, logged at `info` instead of `error`. @default none */
  isCallerError?: (error: unknown) => boolean;
}

export interface Observability {
  logger: Logger;
  yogaLogger: YogaLoggerAdapter;
  metrics: GatewayMetrics;
  tracing: GatewayTracing;
  /** The hooks to give the upstream clients: every call (metrics, a span, a log line on failure) and breaker changes. */
  upstreamHooks: Required<Pick<UpstreamClientOptions, 'onCall' | 'onBreakerStateChange'>>;
  /**
   * Secrets met while running (each user's MemSync key, from the keyring or `connectMemSync`):
   * learned before use, so no log line ever carries one.
   */
  secrets: LearnedSecrets;
  /** Flushes and stops the tracer. */
  close(): Promise<void>;
}

export function createObservability(config: Readonly<Config>, options: ObservabilityOptions = {}): Observability {
  const secrets = [
    config.synvo.apiKey,
    config.memsync.apiKey,
    ...config.auth.serviceKeys,
    config.auth.jwtSecret ?? '',
    config.mcp.token ?? '',
    config.mcp.apiKey ?? '',
  ];
  const learned = new LearnedSecrets();
  const logger =
    options.logger ??
    createLogger({ level: config.logLevel, secrets, learned, production: config.production, destination: options.logDestination });
  const metrics = createMetrics();
  const tracing = createTracing({
    enabled: !!config.ops.otlpTracesEndpoint,
    otlpEndpoint: config.ops.otlpTracesEndpoint ?? undefined,
    ...options.tracing,
  });

  const onCall = (info: UpstreamCallInfo) => {
    metrics.onUpstreamCall(info);
    tracing.onUpstreamCall(info);
    if (info.errorCode && info.errorCode !== 'NOT_FOUND') {
      const { service, endpoint, status, errorCode: code, attempts } = info;
      logger.warn({ service, endpoint, status, code, attempts, durationMs: Math.round(info.durationMs) }, 'upstream call failed');
    }
  };

  return {
    logger,
    yogaLogger: toYogaLogger(logger, options.isCallerError),
    metrics,
    tracing,
    upstreamHooks: {
      onCall,
      onBreakerStateChange({ service, state }) {
        metrics.setBreakerState(service, state);
        logger.warn({ service, state }, 'upstream circuit breaker changed state');
      },
    },
    secrets: learned,
    close: () => tracing.shutdown().catch(() => {}),
  };
}
