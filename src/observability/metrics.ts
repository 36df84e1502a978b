/**
 * The gateway's Prometheus metrics, on a registry of their own (one per app instance, so two
 * gateways in one process, as in tests, never share counters). Served at `/metrics` by
 * `useMetrics`; fed by the server plugins, the upstream clients' `onCall` hook and the cache. The
 * instruments themselves are defined in `metric-definitions.ts`; here is what records into them.
 */
import { Registry, collectDefaultMetrics, type Counter, type Gauge, type Histogram } from 'prom-client';
import type { ServiceName, UpstreamCallInfo } from '../upstream/types.js';
import { DEFAULT_UPSTREAM_BUCKETS, defineMetrics, type CacheStatsSource } from './metric-definitions.js';

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
  const cacheSources: CacheStatsSource[] = [];
  const instruments = defineMetrics(registry, prefix, options.upstreamBuckets ?? DEFAULT_UPSTREAM_BUCKETS, cacheSources);
  const { upstreamDuration, cacheRequests, breakerState } = instruments;
  for (const service of ['synvo', 'memsync'] as const) breakerState.set({ service }, 0);

  return {
    registry,
    ...instruments,
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
