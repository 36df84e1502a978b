/**
 * The upstream layer's errors in one import: the branded `UpstreamError`, the raw failures raised
 * before coercion, error-body reading and redaction, and `coerceUpstreamError`, the one place a
 * failure becomes an UpstreamError.
 */
export { UpstreamError, isUpstreamError } from './upstream-error.js';
export { HttpStatusFailure, InputRejected, ResponseShapeError, StreamErrorEvent, StreamIdleTimeout, UpstreamCause } from './failures.js';
export { parseRetryAfter, readErrorBody, redact, type ErrorBodyInfo } from './error-body.js';
export { NOT_SENT_CODES, RATE_LIMIT_403_DEFAULT_RETRY_AFTER, coerceUpstreamError, isRateLimit403, transportCodeOf, type CoerceContext } from './coerce.js';
