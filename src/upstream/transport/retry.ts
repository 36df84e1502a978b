/**
 * The retry policy: which failures are sent again, after how long. Our own small loop (with
 * cockatiel's exponential backoff with jitter) rather than cockatiel's RetryPolicy, because
 * cockatiel 3.2's retry sleeps ignore the AbortSignal: a cancelled subscription must not sit out a
 * backoff or a Retry-After.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ExponentialBackoff, type IBackoff } from 'cockatiel';
import type { UpstreamError } from '../upstream-error.js';
import { AttemptFailure } from './admission.js';
import type { ResolvedClientOptions, UpstreamRequest } from './request.js';

/** A call that failed for good: its last error, with how many attempts it took. */
export class CallFailure extends Error {
  constructor(
    readonly error: UpstreamError,
    readonly attempts: number,
    readonly status?: number,
  ) {
    super(error.message);
  }
}

interface Budget {
  /** What is left of the Retry-After budget, in ms. */
  retryAfterMs: number;
  backoff?: IBackoff<unknown>;
}

export interface RetryPolicy {
  /**
   * Runs `attempt` until it succeeds or the policy gives up (then a CallFailure). `aborted`
   * coerces the abort of a wait between attempts.
   */
  run<T>(req: UpstreamRequest, attempt: () => Promise<T>, aborted: (error: unknown) => UpstreamError): Promise<{ value: T; attempts: number }>;
}

export function createRetryPolicy(options: ResolvedClientOptions): RetryPolicy {
  const jitter = new ExponentialBackoff({ initialDelay: options.retryBaseDelayMs, maxDelay: options.retryMaxDelayMs });

  /** The delay before the next attempt, or undefined when the failure is final. */
  const delayAfter = (req: UpstreamRequest, failure: AttemptFailure, attempts: number, budget: Budget): number | undefined => {
    const { error } = failure;
    if (attempts >= options.maxAttempts || failure.final || req.retry === 'never' || req.signal?.aborted) return undefined;
    if (error.code === 'RATE_LIMITED') {
      if (req.retry !== 'safe' || error.retryAfter === undefined) return undefined;
      const wait = error.retryAfter * 1000;
      if (wait > budget.retryAfterMs) return undefined;
      budget.retryAfterMs -= wait;
      return wait;
    }
    const transient = error.code === 'UPSTREAM_UNAVAILABLE' || error.code === 'UPSTREAM_TIMEOUT';
    if (!failure.notSent && !(req.retry === 'safe' && transient)) return undefined;
    budget.backoff = budget.backoff ? budget.backoff.next(undefined) : jitter.next();
    return budget.backoff.duration;
  };

  return {
    async run(req, attempt, aborted) {
      const budget: Budget = { retryAfterMs: options.retryAfterBudgetMs };
      for (let attempts = 1; ; attempts++) {
        try {
          return { value: await attempt(), attempts };
        } catch (error) {
          if (!(error instanceof AttemptFailure)) throw error;
          const delay = delayAfter(req, error, attempts, budget);
          if (delay === undefined) throw new CallFailure(error.error, attempts, error.status);
          try {
            await sleep(delay, undefined, req.signal ? { signal: req.signal } : undefined);
          } catch (abort) {
            throw new CallFailure(aborted(abort), attempts, error.status);
          }
        }
      }
    },
  };
}
