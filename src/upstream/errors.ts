/**
 * The one error type of the upstream layer, and the one place where every failure (an HTTP
 * status, a transport error, a body that does not fit, an open breaker, a cancelled call) is
 * coerced into it (`coerceUpstreamError`, after Hive Gateway's `coerceFetchError`).
 *
 * Secrets: an UpstreamError never holds the raw failure. Its `cause` is a fresh `UpstreamCause`
 * carrying only a name, a code and a redacted message, so nothing undici attaches to its errors
 * (request options, headers, sockets) and no API key can reach a log line through it.
 */
import { BrokenCircuitError, BulkheadRejectedError, IsolatedCircuitError, TaskCancelledError } from 'cockatiel';
import type { ServiceName, UpstreamErrorCode, UpstreamErrorInit, UpstreamErrorShape } from './types.js';

/**
 * The brand every UpstreamError carries: a registered symbol, so an error made by another copy of
 * this module (two bundles, a test's import) is still recognised, and nothing else passes for one.
 */
const UPSTREAM_ERROR = Symbol.for('memgate.UpstreamError');

export class UpstreamError extends Error implements UpstreamErrorShape {
  override readonly name = 'UpstreamError';
  readonly code: UpstreamErrorCode;
  readonly service: ServiceName;
  readonly endpoint: string;
  // Declared, not initialised: absent fields stay absent (no `status: undefined` in logs).
  declare readonly status?: number;
  declare readonly retryAfter?: number;
  declare readonly upstreamCode?: string;
  declare readonly details?: Record<string, unknown>;

  constructor(message: string, init: UpstreamErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    Object.defineProperty(this, UPSTREAM_ERROR, { value: true });
    this.code = init.code;
    this.service = init.service;
    this.endpoint = init.endpoint;
    const self = this as { -readonly [K in 'status' | 'retryAfter' | 'upstreamCode' | 'details']?: UpstreamErrorInit[K] };
    if (init.status !== undefined) self.status = init.status;
    if (init.retryAfter !== undefined) self.retryAfter = init.retryAfter;
    if (init.upstreamCode !== undefined) self.upstreamCode = init.upstreamCode;
    if (init.details !== undefined) self.details = init.details;
  }

  /** A log- and wire-safe form: no stack, the cause reduced to its name, code and message. */
  toJSON(): Record<string, unknown> {
    const cause = this.cause instanceof Error ? { name: this.cause.name, code: (this.cause as { code?: unknown }).code, message: this.cause.message } : undefined;
    return {
      name: this.name,
      message: this.message,
      code: this.code,
      service: this.service,
      endpoint: this.endpoint,
      status: this.status,
      retryAfter: this.retryAfter,
      upstreamCode: this.upstreamCode,
      details: this.details,
      cause,
    };
  }
}

/** The one identity check of an upstream failure: the brand, not `instanceof` or the shape. */
export function isUpstreamError(value: unknown): value is UpstreamError {
  return typeof value === 'object' && value !== null && (value as { [UPSTREAM_ERROR]?: unknown })[UPSTREAM_ERROR] === true;
}

/** The sanitised stand-in for a raw failure: a name, a code and a redacted message, nothing else. */
export class UpstreamCause extends Error {
  override readonly name: string;
  declare readonly code?: string;
  constructor(name: string, message: string, code?: string, stack?: string) {
    super(message);
    this.name = name;
    if (code !== undefined) (this as { code?: string }).code = code;
    this.stack = stack ?? `${name}: ${message}`;
  }
}

// ---------------------------------------------------------------- failures before coercion

/** An upstream answer with a status the call did not accept. */
export class HttpStatusFailure {
  constructor(
    readonly status: number,
    readonly headers: Record<string, string | string[] | undefined>,
    /** The parsed JSON body, or the raw text when it was not JSON. */
    readonly body: unknown,
    /**
     * Set when the answer is not the endpoint's own error: a 404 without the contract's body
     * (a wrong base URL or path) is not "no data", it is UPSTREAM_BAD_RESPONSE.
     */
    readonly foreign404 = false,
  ) {}
}

/** A response body that does not fit its schema; the message names the field. */
export class ResponseShapeError extends Error {
  override readonly name = 'ResponseShapeError';
}

/** An answer stream that went silent for longer than the idle timeout. */
export class StreamIdleTimeout extends Error {
  override readonly name = 'StreamIdleTimeout';
}

/** An `error` event inside an answer stream, `{"type":"error","error","code"}`. */
export class StreamErrorEvent extends Error {
  override readonly name = 'StreamErrorEvent';
  constructor(message: string, readonly upstreamCode?: string) {
    super(message);
  }
}

/** Our own refusal of a call's input before anything is sent (user name, file id, limit). */
export class InputRejected extends Error {
  override readonly name = 'InputRejected';
}

// ---------------------------------------------------------------- redaction

/** Replaces every secret and every URL's credentials in a string. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, '$1[redacted]@');
}

/** How deep an error body's details are kept; deeper values are dropped, never passed on unread. */
const MAX_DETAIL_DEPTH = 4;

function redactValue(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return redact(value, secrets);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DETAIL_DEPTH) return '[truncated]';
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  // Keys are upstream text too: an echoed key can be a property name.
  for (const [k, v] of Object.entries(value)) out[redact(k, secrets)] = redactValue(v, secrets, depth + 1);
  return out;
}

function sanitizeCause(error: unknown, secrets: readonly string[]): UpstreamCause | undefined {
  if (error === undefined || error === null) return undefined;
  if (!(error instanceof Error)) return new UpstreamCause('Error', redact(String(error), secrets));
  const raw = error as Error & { code?: unknown; errors?: unknown };
  let code = typeof raw.code === 'string' ? raw.code : undefined;
  let message = raw.message;
  // Happy-eyeballs connection failures arrive as an AggregateError with an empty message.
  if (!message && Array.isArray(raw.errors) && raw.errors[0] instanceof Error) {
    const first = raw.errors[0] as Error & { code?: unknown };
    message = first.message;
    code ??= typeof first.code === 'string' ? first.code : undefined;
  }
  const name = raw.name || 'Error';
  const frames = (raw.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  const safeMessage = redact(message, secrets);
  const stack = redact([`${name}: ${safeMessage}`, ...frames].join('\n'), secrets);
  return new UpstreamCause(name, safeMessage, code, stack);
}

// ---------------------------------------------------------------- error bodies

export interface ErrorBodyInfo {
  message?: string;
  upstreamCode?: string;
  retryAfter?: number;
  details?: Record<string, unknown>;
}

const camel = (key: string) => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function camelKeys(value: Record<string, unknown>, omit: readonly string[]): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!omit.includes(k)) out[camel(k)] = v;
  return Object.keys(out).length ? out : undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);

function describeDetail(detail: unknown): string | undefined {
  if (typeof detail === 'string') return detail || undefined;
  // FastAPI validation: [{"loc":["query","limit"],"msg":"...","type":"..."}]
  if (Array.isArray(detail)) {
    const parts = detail.filter(isRecord).map((d) => [Array.isArray(d.loc) ? d.loc.join('.') : undefined, str(d.msg)].filter(Boolean).join(': '));
    return parts.filter(Boolean).join('; ') || undefined;
  }
  return undefined;
}

/**
 * Reads any of the contract's error-body shapes: `{"error","code",...extras}`, `{"error","detail"}`,
 * `{"detail","status_code","retry_after"}`, `{"error":{"code","message","details"},"status":"error"}`,
 * plus `{"message","code"}`; anything else yields an empty result.
 */
export function readErrorBody(body: unknown): ErrorBodyInfo {
  if (!isRecord(body)) return {};
  const info: ErrorBodyInfo = {};
  if (isRecord(body.error)) {
    const inner = body.error;
    info.message = str(inner.message) ?? describeDetail(inner.detail);
    info.upstreamCode = str(inner.code) ?? str(body.code);
    info.retryAfter = num(inner.retry_after) ?? num(body.retry_after);
    const details = isRecord(inner.details) ? camelKeys(inner.details, []) : camelKeys(inner, ['code', 'message']);
    if (details) info.details = details;
    return info;
  }
  info.message = str(body.error) ?? describeDetail(body.detail) ?? str(body.message);
  info.upstreamCode = str(body.code) ?? str(body.error_code);
  info.retryAfter = num(body.retry_after);
  const details = camelKeys(body, ['error', 'code', 'error_code', 'message', 'status', 'status_code', 'retry_after', 'success']);
  if (details) info.details = details;
  return info;
}

/** `Retry-After` in seconds (delta-seconds or an HTTP date), rounded up; undefined when absent or bad. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(raw)) return Math.max(0, Math.ceil(Number(raw)));
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

// ---------------------------------------------------------------- coercion

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
 * causes of a 403 (upstream-api.md: treat that 403 as a rate limit).
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
