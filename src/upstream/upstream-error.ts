/**
 * The one error type of the upstream layer. Every failure (an HTTP status, a transport error, a
 * body that does not fit, an open breaker, a cancelled call) is coerced into it in one place,
 * `coerce.ts` (after Hive Gateway's `coerceFetchError`); identity is checked one way, by its brand.
 *
 * Secrets: an UpstreamError never holds the raw failure. Its `cause` is a fresh `UpstreamCause`
 * carrying only a name, a code and a redacted message, so nothing undici attaches to its errors
 * (request options, headers, sockets) and no API key can reach a log line through it.
 */
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

