/**
 * One load run with autocannon, driven programmatically. Each request is built fresh by `build`
 * (a distinct user per request, so nothing is deduplicated or cached across requests), and every
 * response's latency is kept at full precision (autocannon's own histogram rounds to 1 ms).
 */
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { quantile } from './stats.js';

export interface BuiltRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadSpec {
  /** Origin plus any path; `build` gives the path of each request. */
  url: string;
  build(seq: number): BuiltRequest;
  /** Concurrent connections. */
  connections: number;
  /** Seconds. */
  durationSec: number;
  /** Send exactly this many requests, all answered, instead of running for `durationSec`. */
  amount?: number;
  /** Requests a second over all connections; absent: as fast as the server answers. */
  overallRate?: number;
  /** Seconds before a request counts as timed out. @default 20 */
  timeoutSec?: number;
}

export interface LoadResult {
  /** 2xx responses a second. */
  rps: number;
  ok: number;
  /** Requests sent, answered or not when the run ended. */
  sent: number;
  non2xx: number;
  /** 2xx answers whose body carries GraphQL `errors` (or an `error`). */
  withErrors: number;
  /** Up to three distinct such bodies, shortened. */
  errorSamples: string[];
  errors: number;
  timeouts: number;
  p50: number;
  p99: number;
  mean: number;
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  let seq = 0;
  const latencies: number[] = [];
  let non2xx = 0;
  let withErrors = 0;
  const errorSamples = new Set<string>();
  const first = spec.build(0);
  let done!: (result: autocannon.Result) => void;
  let failed!: (err: unknown) => void;
  const finished = new Promise<autocannon.Result>((resolve, reject) => { done = resolve; failed = reject; });
  const instance = autocannon({
    url: spec.url,
    connections: spec.connections,
    ...(spec.amount ? { amount: spec.amount } : { duration: spec.durationSec }),
    ...(spec.overallRate ? { overallRate: Math.max(1, Math.round(spec.overallRate)) } : {}),
    timeout: spec.timeoutSec ?? 20,
    requests: [
      {
        method: first.method,
        path: first.path,
        setupRequest: (req) => {
          const built = spec.build(seq++);
          return {
            ...req,
            method: built.method,
            path: built.path,
            headers: { ...built.headers, ...(built.body ? { 'content-type': 'application/json' } : {}) },
            body: built.body,
          } as typeof req;
        },
        onResponse: (status: number, body: string) => {
          if (status >= 200 && status < 300 && (body.includes('"errors":') || body.includes('"error":'))) {
            withErrors += 1;
            if (errorSamples.size < 3) errorSamples.add(body.slice(body.indexOf('"error'), body.indexOf('"error') + 300));
          }
        },
      },
    ],
  }, (err: unknown, result: autocannon.Result) => (err ? failed(err) : done(result)));
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    else non2xx += 1;
  });
  const result = await finished;
  const seconds = result.duration || spec.durationSec;
  return {
    rps: latencies.length / seconds,
    ok: latencies.length,
    sent: seq,
    non2xx,
    withErrors,
    errorSamples: [...errorSamples],
    errors: result.errors,
    timeouts: result.timeouts,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    mean: latencies.reduce((a, b) => a + b, 0) / (latencies.length || 1),
  };
}

export interface RateSpec {
  url: string;
  build(seq: number): BuiltRequest;
  /** Requests a second, sent at even intervals whatever the answers do (open loop). */
  rate: number;
  durationSec: number;
}

/**
 * Constant-rate load, open loop: request i leaves at start + i / rate, on its own connection if
 * need be (autocannon's `overallRate` releases each connection's share in a burst at the start of
 * every second, which measures its own queueing). Latency runs from the scheduled send time, so a
 * stalled generator or server cannot hide queueing (no coordinated omission).
 */
export async function runRate(spec: RateSpec): Promise<LoadResult> {
  const { Pool } = await import('undici');
  const origin = new URL(spec.url).origin;
  const pool = new Pool(origin, { connections: 512, keepAliveTimeout: 30_000 });
  const latencies: number[] = [];
  let non2xx = 0;
  let withErrors = 0;
  let errors = 0;
  const errorSamples = new Set<string>();
  const total = Math.max(1, Math.round(spec.rate * spec.durationSec));
  const start = performance.now() + 20;
  const inflight: Promise<void>[] = [];
  const send = async (i: number, scheduled: number) => {
    const built = spec.build(i);
    try {
      const res = await pool.request({
        path: built.path,
        method: built.method,
        headers: { ...built.headers, ...(built.body ? { 'content-type': 'application/json' } : {}) },
        body: built.body,
      });
      const text = await res.body.text();
      const latency = performance.now() - scheduled;
      if (res.statusCode < 200 || res.statusCode >= 300) non2xx += 1;
      else {
        latencies.push(latency);
        if (text.includes('"errors":') || text.includes('"error":')) {
          withErrors += 1;
          if (errorSamples.size < 3) errorSamples.add(text.slice(0, 300));
        }
      }
    } catch {
      errors += 1;
    }
  };
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < total && start + (next * 1000) / spec.rate <= now) {
        inflight.push(send(next, start + (next * 1000) / spec.rate));
        next += 1;
      }
      if (next >= total) return resolve();
      setTimeout(tick, Math.max(0, start + (next * 1000) / spec.rate - performance.now()));
    };
    setTimeout(tick, 20);
  });
  await Promise.all(inflight);
  const seconds = (performance.now() - start) / 1000;
  await pool.close();
  return {
    rps: latencies.length / seconds,
    ok: latencies.length,
    sent: total,
    non2xx,
    withErrors,
    errorSamples: [...errorSamples],
    errors,
    timeouts: 0,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    mean: latencies.reduce((a, b) => a + b, 0) / (latencies.length || 1),
  };
}
