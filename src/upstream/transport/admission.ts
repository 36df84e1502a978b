/**
 * Admission of a call to one upstream: a cockatiel bulkhead (calls in flight and queued, so one hung
 * upstream cannot starve the other) and a circuit breaker that opens on a failure ratio of
 * timeouts, 5xx and bad responses (4xx, NOT_FOUND, RATE_LIMITED and ABORTED are not the upstream
 * misbehaving). A refusal is final: the answer would be the same on a retry.
 */
import {
  CircuitState,
  SamplingBreaker,
  bulkhead,
  circuitBreaker,
  handleWhen,
  type BulkheadPolicy,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import type { ServiceName, UpstreamErrorCode } from '../types.js';
import type { UpstreamError } from '../upstream-error.js';
import type { ResolvedClientOptions } from './request.js';

/** One attempt's failure: the coerced error and what the retry policy needs to know about it. */
export class AttemptFailure extends Error {
  constructor(
    readonly error: UpstreamError,
    /** The request provably never reached the upstream (refused connection, DNS, connect timeout). */
    readonly notSent: boolean,
    /** Not worth a retry (an open circuit, a full bulkhead). */
    readonly final: boolean,
    /** The status of the response, when there was one. */
    readonly status?: number,
  ) {
    super(error.message);
  }
}

const BREAKER_FAILURES: ReadonlySet<UpstreamErrorCode> = new Set(['UPSTREAM_TIMEOUT', 'UPSTREAM_UNAVAILABLE', 'UPSTREAM_BAD_RESPONSE']);

export interface Admission {
  /**
   * Runs `attempt` in a bulkhead slot, through the breaker. With `keepSlot` the slot is handed to
   * the caller (a stream being read) instead of released. `refused` coerces cockatiel's refusals.
   */
  run<T>(
    attempt: () => Promise<T>,
    signal: AbortSignal | undefined,
    keepSlot: boolean,
    refused: (error: unknown) => UpstreamError,
  ): Promise<{ value: T; release: () => void }>;
}

/**
 * cockatiel's SamplingBreaker counts a minimum *rate*; our option is a minimum number of calls
 * in the window, so convert it with the window the breaker really uses.
 */
function samplingBreaker(options: ResolvedClientOptions): SamplingBreaker {
  const duration = options.breakerWindowMs;
  const windowCount = Math.max(5, Math.ceil(duration / 1000));
  const actual = Math.round(duration / windowCount) * windowCount;
  const minimumCalls = Math.max(1, options.breakerMinimumRps) - 0.5;
  return new SamplingBreaker({ threshold: options.breakerThreshold, duration, minimumRps: (minimumCalls * 1000) / actual });
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** Waits for a bulkhead slot, or rejects as soon as `signal` aborts (a slot granted late is freed). */
function acquireSlot(slots: BulkheadPolicy, signal: AbortSignal | undefined): Promise<() => void> {
  const acquired = new Promise<() => void>((resolve, reject) => {
    slots.execute(() => new Promise<void>((release) => resolve(() => release())), signal).catch(reject);
  });
  if (!signal) return acquired;
  const late = () => void acquired.then((release) => release(), () => undefined);
  if (signal.aborted) {
    late();
    return Promise.reject(abortError(signal));
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      late();
      reject(abortError(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    acquired.then(
      (release) => (signal.removeEventListener('abort', onAbort), resolve(release)),
      (error: unknown) => (signal.removeEventListener('abort', onAbort), reject(error)),
    );
  });
}

export function createAdmission(service: ServiceName, options: ResolvedClientOptions): Admission {
  const slots = bulkhead(options.maxConcurrent, options.maxQueued);
  const breaker: CircuitBreakerPolicy = circuitBreaker(
    handleWhen((error) => error instanceof AttemptFailure && BREAKER_FAILURES.has(error.error.code)),
    { halfOpenAfter: options.breakerHalfOpenAfterMs, breaker: samplingBreaker(options) },
  );
  breaker.onStateChange((state) => {
    const name = state === CircuitState.Closed ? 'closed' : state === CircuitState.HalfOpen ? 'halfOpen' : 'open';
    try {
      options.onBreakerStateChange?.({ service, state: name });
    } catch {
      // A metrics hook must never break a call.
    }
  });
  return {
    async run(attempt, signal, keepSlot, refused) {
      let release: (() => void) | undefined;
      try {
        release = await acquireSlot(slots, signal);
        const value = await breaker.execute(attempt, signal);
        const held = release;
        release = undefined;
        if (keepSlot) return { value, release: held };
        held();
        return { value, release: () => undefined };
      } catch (error) {
        if (error instanceof AttemptFailure) throw error;
        throw new AttemptFailure(refused(error), false, true);
      } finally {
        release?.();
      }
    },
  };
}
