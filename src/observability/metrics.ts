/**
 * The gateway's Prometheus metrics, on a registry of their own (one per app instance, so two
 * gateways in one process, as in tests, never share counters). Served at `/metrics` by
 * `useMetrics`; fed by the server plugins, the upstream clients' `onCall` hook and the cache.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ServiceName, UpstreamCallInfo } from '../upstream/types.js';

export type BreakerState = 'closed' | 'open' | 'halfOpen';

const BREAKER_VALUE: Record<BreakerState, number> = { closed: 0, open: 1, halfOpen: 2 };

export interface GatewayMetrics {
  readonly registry: Registry;
  /** HTTP requests to the GraphQL endpoint, by method and response status. */
  readonly httpRequests: Counter<'method' | 'status'>;
  /** GraphQL operations executed, by type (query, mutation, subscription). */
  readonly operations: Counter<'type'>;
  /** GraphQL errors sent to clients, by `extensions.code`. */
  readonly errors: Counter<'code'>;
  /** Upstream call latency, by service, endpoint and outcome (`ok` or the error code). */
  readonly upstreamDuration: Histogram<'service' | 'endpoint' | 'outcome'>;
  /** Cache lookups, by cache and result (`hit` / `miss`). */
  readonly cacheRequests: Counter<'cache' | 'result'>;
  /** Subscriptions currently open, by transport (`ws`, `sse`). */
  readonly openSubscriptions: Gauge<'transport'>;
  /** Upstream circuit breaker state: 0 closed, 1 open, 2 half-open. */
  readonly breakerState: Gauge<'service'>;
  /** Requests refused by the gateway's own rate limits, by caller kind. */
  readonly rateLimited: Counter<'kind'>;
  /** Records one upstream call (wire it as the clients' `onCall`). */
  onUpstreamCall(info: UpstreamCallInfo): void;
  recordCache(cache: string, hit: boolean): void;
  /** Reads running hit/miss totals (e.g. the read cache's `stats()`) at every scrape. */
  trackCacheStats(cache: string, stats: () => { hits: number; misses: number }): void;
  setBreakerState(service: ServiceName, state: BreakerState): void;
  /** The text exposition of every metric. */
  render(): Promise<string>;
}

export interface CreateMetricsOptions {
  /** Also collect Node's process metrics (CPU, memory, event loop lag). @default true */
  defaultMetrics?: boolean;
  /** Prefix of every metric name. @default 'memgate_' */
  prefix?: string;
  /** Buckets of the upstream latency histogram, in seconds. @default [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] */
  upstreamBuckets?: number[];
}

export function createMetrics(options: CreateMetricsOptions = {}): GatewayMetrics {
  const prefix = options.prefix ?? 'memgate_';
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix });

  const httpRequests = new Counter({
    name: `${prefix}http_requests_total`,
    help: 'HTTP requests to the GraphQL endpoint, by method and response status.',
    labelNames: ['method', 'status'] as const,
    registers: [registry],
  });
  const operations = new Counter({
    name: `${prefix}graphql_operations_total`,
    help: 'GraphQL operations executed, by operation type.',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  const errors = new Counter({
    name: `${prefix}graphql_errors_total`,
    help: 'GraphQL errors sent to clients, by extensions.code.',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const upstreamDuration = new Histogram({
    name: `${prefix}upstream_request_duration_seconds`,
    help: 'Upstream call latency (retries included), by service, endpoint and outcome.',
    labelNames: ['service', 'endpoint', 'outcome'] as const,
    buckets: options.upstreamBuckets ?? [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const cacheSources: Array<{ cache: string; stats: () => { hits: number; misses: number }; seen: { hits: number; misses: number } }> = [];
  const cacheRequests = new Counter({
    name: `${prefix}cache_requests_total`,
    help: 'Cache lookups, by cache and result (hit or miss).',
    labelNames: ['cache', 'result'] as const,
    registers: [registry],
    collect() {
      // Counters only go up: add what each source counted since the last scrape.
      for (const source of cacheSources) {
        const now = source.stats();
        if (now.hits > source.seen.hits) this.inc({ cache: source.cache, result: 'hit' }, now.hits - source.seen.hits);
        if (now.misses > source.seen.misses) this.inc({ cache: source.cache, result: 'miss' }, now.misses - source.seen.misses);
        source.seen = { hits: now.hits, misses: now.misses };
      }
    },
  });
  const openSubscriptions = new Gauge({
    name: `${prefix}subscriptions_open`,
    help: 'Subscriptions currently open, by transport.',
    labelNames: ['transport'] as const,
    registers: [registry],
  });
  const breakerState = new Gauge({
    name: `${prefix}upstream_breaker_state`,
    help: 'Upstream circuit breaker state: 0 closed, 1 open, 2 half-open.',
    labelNames: ['service'] as const,
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: `${prefix}rate_limited_total`,
    help: 'Operations refused by the gateway rate limits, by caller kind.',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  for (const service of ['synvo', 'memsync'] as const) breakerState.set({ service }, 0);

  return {
    registry,
    httpRequests,
    operations,
    errors,
    upstreamDuration,
    cacheRequests,
    openSubscriptions,
    breakerState,
    rateLimited,
    onUpstreamCall(info) {
      upstreamDuration.observe(
        { service: info.service, endpoint: info.endpoint, outcome: info.errorCode ?? 'ok' },
        info.durationMs / 1000,
      );
    },
    recordCache(cache, hit) {
      cacheRequests.inc({ cache, result: hit ? 'hit' : 'miss' });
    },
    trackCacheStats(cache, stats) {
      cacheSources.push({ cache, stats, seen: { hits: 0, misses: 0 } });
    },
    setBreakerState(service, state) {
      breakerState.set({ service }, BREAKER_VALUE[state]);
    },
    render: () => registry.metrics(),
  };
}
