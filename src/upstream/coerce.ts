/**
 * The one place where a failure becomes an UpstreamError: `coerceUpstreamError`, with the
 * transport codes that tell a timeout, an unsent request and a refused connection apart.
 */
import { BrokenCircuitError, BulkheadRejectedError, IsolatedCircuitError, TaskCancelledError } from 'cockatiel';
import { readErrorBody, parseRetryAfter, redact, redactValue, sanitizeCause, type ErrorBodyInfo } from './error-body.js';
import { HttpStatusFailure, InputRejected, ResponseShapeError, StreamErrorEvent, StreamIdleTimeout } from './failures.js';
import type { ServiceName, UpstreamErrorCode } from './types.js';
import { UpstreamError, isUpstreamError } from './upstream-error.js';

export interface CoerceContext {
  service: ServiceName;
  endpoint: string;
  /** Strings that must never appear in an error (the API key). */
  secrets: readonly string[];
  /** The call's signal: once aborted, any failure is `ABORTED`. */
  signal?: AbortSignal;
  /** Per-call status mapping that wins over the defaults, e.g. upload 413 -> BAD_USER_INPUT. */
  statusCodes?: Partial<Record<number, UpstreamErrorCode>>;
}

/** Transport error codes (undici and node) that prove the request never reached the upstream. */
export const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT',
]);

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);

/** The transport code of a raw failure (undici `code`, node `code`, or the first of an AggregateError). */
export function transportCodeOf(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const e = error as Error & { code?: unknown; errors?: unknown; cause?: unknown };
  if (typeof e.code === 'string') return e.code;
  if (Array.isArray(e.errors) && e.errors[0] instanceof Error) return transportCodeOf(e.errors[0]);
  if (e.cause instanceof Error) return transportCodeOf(e.cause);
  return undefined;
}

/**
 * A 403 that is a rate limit: MemSync's authentication page lists "Rate limit exceeded" among the
 * causes of a 403 (emulators/README.md: that 403 is read as a rate limit).
 */
export function isRateLimit403(status: number, info: ErrorBodyInfo): boolean {
  return status === 403 && (/RATE_LIMIT/i.test(info.upstreamCode ?? '') || /rate limit/i.test(info.message ?? ''));
}

/** Seconds to wait after a 403 rate limit that names no time: the limits are per minute. */
export const RATE_LIMIT_403_DEFAULT_RETRY_AFTER = 60;

function codeForStatus(status: number, upstreamCode: string | undefined): UpstreamErrorCode {
  if (upstreamCode === 'CONTEXT_TOO_LONG') return 'CONTEXT_TOO_LONG';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 408) return 'UPSTREAM_TIMEOUT';
  if (status >= 500) return 'UPSTREAM_UNAVAILABLE';
  if (status >= 400) return 'UPSTREAM_REJECTED';
  return 'UPSTREAM_BAD_RESPONSE';
}

/**
 * The one place where a failure becomes an UpstreamError. Accepts an UpstreamError (returned as
 * is), an `HttpStatusFailure`, a `ResponseShapeError`, a `StreamIdleTimeout`, cockatiel's breaker
 * and bulkhead errors, undici/node transport errors and anything else thrown.
 */
export function coerceUpstreamError(failure: unknown, ctx: CoerceContext): UpstreamError {
  if (isUpstreamError(failure)) return failure;
  const { service, endpoint, secrets } = ctx;
  const base = { service, endpoint };
  const where = `${service} ${endpoint}`;

  if (failure instanceof HttpStatusFailure) {
    const info = readErrorBody(failure.body);
    const headerRetry = parseRetryAfter(failure.headers['retry-after']);
    const rateLimit403 = isRateLimit403(failure.status, info);
    const retryAfter =
      failure.status === 429 ? (headerRetry ?? info.retryAfter)
      : rateLimit403 ? (headerRetry ?? info.retryAfter ?? RATE_LIMIT_403_DEFAULT_RETRY_AFTER)
      : undefined;
    const code =
      failure.foreign404 ? 'UPSTREAM_BAD_RESPONSE'
      : rateLimit403 ? 'RATE_LIMITED'
      : (ctx.statusCodes?.[failure.status] ?? codeForStatus(failure.status, info.upstreamCode));
    const text = info.message ?? (typeof failure.body === 'string' && failure.body.length < 200 ? failure.body : undefined);
    const hint = failure.foreign404 ? ` (not the contract's 404 for ${endpoint}: is the base URL right?)` : '';
    const message = redact(`${where}: upstream answered ${failure.status}${info.upstreamCode ? ` ${info.upstreamCode}` : ''}${text ? `: ${text}` : ''}${hint}`, secrets);
    const details = info.details ? (redactValue(info.details, secrets) as Record<string, unknown>) : undefined;
    const upstreamCode = info.upstreamCode === undefined ? undefined : redact(info.upstreamCode, secrets);
    return new UpstreamError(message, { ...base, code, status: failure.status, retryAfter, upstreamCode, details });
  }

  const cause = sanitizeCause(failure, secrets);
  if (ctx.signal?.aborted || failure instanceof TaskCancelledError) {
    return new UpstreamError(`${where}: call aborted`, { ...base, code: 'ABORTED', cause });
  }
  if (failure instanceof ResponseShapeError) {
    return new UpstreamError(redact(`${where}: unexpected response: ${failure.message}`, secrets), { ...base, code: 'UPSTREAM_BAD_RESPONSE', cause });
  }
  if (failure instanceof StreamErrorEvent) {
    const upstreamCode = failure.upstreamCode === undefined ? undefined : redact(failure.upstreamCode, secrets);
    const code: UpstreamErrorCode =
      upstreamCode === 'CONTEXT_TOO_LONG' ? 'CONTEXT_TOO_LONG'
      : upstreamCode === 'RATE_LIMITED' || upstreamCode === 'RATE_LIMIT_EXCEEDED' ? 'RATE_LIMITED'
      : upstreamCode && /^(INVALID_|VALIDATION_|MODEL_UNAVAILABLE)/.test(upstreamCode) ? 'UPSTREAM_REJECTED'
      : 'UPSTREAM_UNAVAILABLE';
    const message = redact(`${where}: the answer stream failed${upstreamCode ? ` (${upstreamCode})` : ''}: ${failure.message}`, secrets);
    return new UpstreamError(message, { ...base, code, upstreamCode });
  }
  if (failure instanceof InputRejected) {
    return new UpstreamError(redact(`${where}: ${failure.message}`, secrets), { ...base, code: 'BAD_USER_INPUT' });
  }
  if (failure instanceof StreamIdleTimeout) {
    return new UpstreamError(`${where}: ${failure.message}`, { ...base, code: 'UPSTREAM_TIMEOUT', cause });
  }
  if (failure instanceof BrokenCircuitError || failure instanceof IsolatedCircuitError) {
    return new UpstreamError(`${where}: circuit open, upstream failing; not called`, { ...base, code: 'UPSTREAM_UNAVAILABLE', cause });
  }
  if (failure instanceof BulkheadRejectedError) {
    return new UpstreamError(`${where}: too many calls in flight to ${service}; not called`, { ...base, code: 'UPSTREAM_UNAVAILABLE', cause });
  }
  const transport = transportCodeOf(failure);
  if (transport === 'UND_ERR_ABORTED' || (failure instanceof Error && failure.name === 'AbortError')) {
    return new UpstreamError(`${where}: call aborted`, { ...base, code: 'ABORTED', cause });
  }
  if (transport && TIMEOUT_CODES.has(transport)) {
    const phase = transport === 'UND_ERR_CONNECT_TIMEOUT' ? 'connecting' : transport === 'UND_ERR_HEADERS_TIMEOUT' ? 'waiting for the response' : 'reading the response';
    return new UpstreamError(`${where}: timed out ${phase}`, { ...base, code: 'UPSTREAM_TIMEOUT', cause });
  }
  if (transport) {
    return new UpstreamError(redact(`${where}: connection failed (${transport})`, secrets), { ...base, code: 'UPSTREAM_UNAVAILABLE', cause });
  }
  return new UpstreamError(`${where}: upstream call failed`, { ...base, code: 'UPSTREAM_UNAVAILABLE', cause });
}

