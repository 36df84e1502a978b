/**
 * `/healthz`: the process is alive (200 while it can answer at all). `/readyz`: the gateway can
 * serve, i.e. every dependency check passes (both upstreams reachable, Redis answering when
 * configured) and it is not shutting down; 503 otherwise, naming the failing checks but never
 * their URLs or error texts.
 */
import type { Plugin } from 'graphql-yoga';
import type { Redis } from 'ioredis';

/** Resolves when the dependency is usable; rejects (or times out) when it is not. */
export type ReadinessCheck = (signal: AbortSignal) => Promise<void>;

export interface HealthOptions {
  /** Liveness path. @default '/healthz' */
  livenessPath?: string;
  /** Readiness path. @default '/readyz' */
  readinessPath?: string;
  /** Named readiness checks, run in parallel on every probe. @default {} */
  checks?: Record<string, ReadinessCheck>;
  /** Time each check has before it counts as failed. @default 2000 */
  checkTimeoutMs?: number;
  /** True once shutdown has begun: readiness then fails at once. @default () => false */
  isShuttingDown?: () => boolean;
}

/** An upstream is reachable when its origin answers HTTP at all (any status: no API key is sent). */
export function httpReachable(baseUrl: string): ReadinessCheck {
  return async (signal) => {
    const response = await fetch(baseUrl, { method: 'GET', signal, redirect: 'manual' });
    await response.body?.cancel();
  };
}

/** Redis is ready when it answers PING. */
export function redisReachable(redis: Pick<Redis, 'ping'>): ReadinessCheck {
  return async () => {
    await redis.ping();
  };
}

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<boolean> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve(false);
    }, timeoutMs);
  });
  try {
    return await Promise.race([check(controller.signal).then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function useHealth(options: HealthOptions = {}): Plugin {
  const livenessPath = options.livenessPath ?? '/healthz';
  const readinessPath = options.readinessPath ?? '/readyz';
  const checks = Object.entries(options.checks ?? {});
  const timeoutMs = options.checkTimeoutMs ?? 2000;
  const isShuttingDown = options.isShuttingDown ?? (() => false);

  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return;
      const json = (status: number, body: unknown) =>
        new fetchAPI.Response(JSON.stringify(body), {
          status,
          headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
        });
      if (url.pathname === livenessPath) {
        endResponse(json(200, { status: 'ok' }));
        return;
      }
      if (url.pathname !== readinessPath) return;
      if (isShuttingDown()) {
        endResponse(json(503, { status: 'shutting down' }));
        return;
      }
      return Promise.all(checks.map(async ([name, check]) => [name, (await runCheck(check, timeoutMs)) ? 'ok' : 'unreachable'] as const)).then(
        (results) => {
          const ready = results.every(([, state]) => state === 'ok');
          endResponse(json(ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results) }));
        },
      );
    },
  };
}
