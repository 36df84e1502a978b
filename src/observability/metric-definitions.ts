/**
 * The gateway's Prometheus instruments: their names, help texts, labels and buckets, each
 * registered on the registry given. What feeds them lives in `metrics.ts`.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** A running hit/miss total read at every scrape (e.g. the read cache's `stats()`). */
export interface CacheStatsSource {
  cache: string;
  stats: () => { hits: number; misses: number };
  /** The totals already added to the counter. */
  seen: { hits: number; misses: number };
}

export const DEFAULT_UPSTREAM_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function defineMetrics(registry: Registry, prefix: string, upstreamBuckets: number[], cacheSources: readonly CacheStatsSource[]) {
  const registers = [registry];
  return {
    httpRequests: new Counter({
      name: `${prefix}http_requests_total`,
      help: 'HTTP requests to the GraphQL endpoint, by method and response status.',
      labelNames: ['method', 'status'] as const,
      registers,
    }),
    operations: new Counter({
      name: `${prefix}graphql_operations_total`,
      help: 'GraphQL operations executed, by operation type.',
      labelNames: ['type'] as const,
      registers,
    }),
    errors: new Counter({
      name: `${prefix}graphql_errors_total`,
      help: 'GraphQL errors sent to clients, by extensions.code.',
      labelNames: ['code'] as const,
      registers,
    }),
    upstreamDuration: new Histogram({
      name: `${prefix}upstream_request_duration_seconds`,
      help: 'Upstream call latency (retries included), by service, endpoint and outcome.',
      labelNames: ['service', 'endpoint', 'outcome'] as const,
      buckets: upstreamBuckets,
      registers,
    }),
    cacheRequests: new Counter({
      name: `${prefix}cache_requests_total`,
      help: 'Cache lookups, by cache and result (hit or miss).',
      labelNames: ['cache', 'result'] as const,
      registers,
      collect() {
        // Counters only go up: add what each source counted since the last scrape.
        for (const source of cacheSources) {
          const now = source.stats();
          if (now.hits > source.seen.hits) this.inc({ cache: source.cache, result: 'hit' }, now.hits - source.seen.hits);
          if (now.misses > source.seen.misses) this.inc({ cache: source.cache, result: 'miss' }, now.misses - source.seen.misses);
          source.seen = { hits: now.hits, misses: now.misses };
        }
      },
    }),
    openSubscriptions: new Gauge({
      name: `${prefix}subscriptions_open`,
      help: 'Subscriptions currently open, by transport.',
      labelNames: ['transport'] as const,
      registers,
    }),
    breakerState: new Gauge({
      name: `${prefix}upstream_breaker_state`,
      help: 'Upstream circuit breaker state: 0 closed, 1 open, 2 half-open.',
      labelNames: ['service'] as const,
      registers,
    }),
    rateLimited: new Counter({
      name: `${prefix}rate_limited_total`,
      help: 'Operations refused by the gateway rate limits, by caller kind.',
      labelNames: ['kind'] as const,
      registers,
    }),
  };
}
