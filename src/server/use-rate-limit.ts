/**
 * Per-caller rate limits (rate-limiter-flexible): one budget per end user (JWT `sub`) and one per
 * service key. With a Redis client the counters live in Redis, so every gateway instance draws on
 * the same budget; if Redis fails, a per-instance in-memory limiter stands in rather than failing
 * requests. A refused operation ends with `RATE_LIMITED` and `retryAfter` (seconds), and an HTTP
 * request refused whole answers 429 with `Retry-After`.
 */
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Cluster, Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export type RateLimitedKind = 'user' | 'service';

export interface RateLimitRule {
  /** Operations allowed per window. */
  points: number;
  /** Window length in seconds. */
  durationSeconds: number;
}

/** Who is asking, as far as rate limits go: `null` exempts the operation (e.g. not signed in yet). */
export interface RateLimitSubject {
  kind: RateLimitedKind;
  id: string;
}

export interface RateLimitOptions {
  /** Budget of each end user. @default { points: 120, durationSeconds: 60 } */
  user?: RateLimitRule;
  /** Budget of each service key. @default { points: 1200, durationSeconds: 60 } */
  service?: RateLimitRule;
  /** Shared counters across instances; in-process counters without it. @default null */
  redis?: Redis | Cluster | null;
  /** Prefix of the Redis keys (tests use a unique one). @default 'memgate:rl' */
  keyPrefix?: string;
  /** Finds the caller in the GraphQL context. @default reads `context.caller` ({ kind: 'user', name } | { kind: 'service', keyId }) */
  identify?: (context: unknown) => RateLimitSubject | null;
  /** Called for every refused operation (metrics). @default undefined */
  onLimited?: (kind: RateLimitedKind) => void;
}

/** `RATE_LIMITED` with `retryAfter` seconds; HTTP 429 and `Retry-After` when it refuses a request. */
export function rateLimitedError(retryAfter: number, message = `Too many requests: retry after ${retryAfter} s`): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      code: 'RATE_LIMITED',
      retryAfter,
      http: { status: 429, headers: { 'Retry-After': String(retryAfter) } },
    },
  });
}

export function defaultIdentify(context: unknown): RateLimitSubject | null {
  const caller = (context as { caller?: { kind?: string; name?: string; keyId?: string } } | null)?.caller;
  if (caller?.kind === 'user' && caller.name) return { kind: 'user', id: caller.name };
  if (caller?.kind === 'service' && caller.keyId) return { kind: 'service', id: caller.keyId };
  return null;
}

function createLimiter(rule: RateLimitRule, keyPrefix: string, redis: Redis | Cluster | null): RateLimiterAbstract {
  const memory = new RateLimiterMemory({ keyPrefix, points: rule.points, duration: rule.durationSeconds });
  if (!redis) return memory;
  return new RateLimiterRedis({
    storeClient: redis,
    keyPrefix,
    points: rule.points,
    duration: rule.durationSeconds,
    // A Redis outage degrades to per-instance limits instead of refusing or admitting everyone.
    insuranceLimiter: memory,
  });
}

export interface RateLimiter {
  /** Takes one point from the subject's budget; resolves to the seconds to wait when refused, else null. */
  consume(subject: RateLimitSubject): Promise<number | null>;
}

export function createRateLimiter(options: RateLimitOptions = {}): RateLimiter {
  const prefix = options.keyPrefix ?? 'memgate:rl';
  const redis = options.redis ?? null;
  const limiters: Record<RateLimitedKind, RateLimiterAbstract> = {
    user: createLimiter(options.user ?? { points: 120, durationSeconds: 60 }, `${prefix}:user`, redis),
    service: createLimiter(options.service ?? { points: 1200, durationSeconds: 60 }, `${prefix}:service`, redis),
  };
  return {
    async consume(subject) {
      try {
        // The id in braces: a Redis Cluster hash tag, so a user's budget sits in the slot of their other keys.
        await limiters[subject.kind].consume(`{${subject.id}}`);
        return null;
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        throw rejection;
      }
    },
  };
}

export function useRateLimit(options: RateLimitOptions = {}): Plugin {
  const limiter = createRateLimiter(options);
  const identify = options.identify ?? defaultIdentify;

  const check = async (context: unknown): Promise<GraphQLError | null> => {
    const subject = identify(context);
    if (!subject) return null;
    const retryAfter = await limiter.consume(subject);
    if (retryAfter === null) return null;
    options.onLimited?.(subject.kind);
    return rateLimitedError(retryAfter);
  };

  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const error = await check(args.contextValue);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    async onSubscribe({ args, setResultAndStopExecution }) {
      const error = await check(args.contextValue);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
