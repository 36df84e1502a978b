/**
 * The contract between the gateway and its upstream clients: plain, normalised data and one
 * error type. Nothing here knows GraphQL (see ../shared/STYLE.md).
 */

export type ServiceName = 'synvo' | 'memsync';

/**
 * Stable error codes. The first group matches the GraphQL error codes of api-design.md one to
 * one (`CONFLICT` is a 409: the target exists or is busy; `NOT_CONNECTED` is MEMSYNC_NOT_CONNECTED); `NOT_FOUND` is an expected 404 that the schema turns into a typed state
 * (e.g. BIO_NOT_FOUND -> BiographyNotReady); `ABORTED` is a call the caller cancelled.
 */
export type UpstreamErrorCode =
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_BAD_RESPONSE'
  | 'UPSTREAM_REJECTED'
  | 'RATE_LIMITED'
  | 'CONTEXT_TOO_LONG'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'NOT_FOUND'
  | 'ABORTED'
  /** MemSync: the user has no MemSync API key in the keyring; nothing was sent. */
  | 'NOT_CONNECTED';

export interface UpstreamErrorInit {
  code: UpstreamErrorCode;
  service: ServiceName;
  /** Which client method / endpoint failed, e.g. `profile`, `bio`. */
  endpoint: string;
  /** HTTP status of the upstream response, when there was one. */
  status?: number;
  /** Seconds the caller should wait (429s). */
  retryAfter?: number;
  /** The upstream's own error code, e.g. `BIO_NOT_FOUND`, `INVALID_FORMAT`. */
  upstreamCode?: string;
  /** Extra fields of the upstream error body that callers may use (never secrets). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** Implemented in ./errors.ts. Declared here so every layer can depend on the shape. */
export interface UpstreamErrorShape extends Error {
  readonly code: UpstreamErrorCode;
  readonly service: ServiceName;
  readonly endpoint: string;
  readonly status?: number;
  readonly retryAfter?: number;
  readonly upstreamCode?: string;
  readonly details?: Record<string, unknown>;
}

export interface CallOptions {
  /** Aborts the upstream call (client gone, subscription ended). */
  signal?: AbortSignal;
}

/** What every upstream call reports when it ends (metrics, tracing, logs). Never holds a key. */
export interface UpstreamCallInfo {
  service: ServiceName;
  endpoint: string;
  method: string;
  durationMs: number;
  status?: number;
  errorCode?: UpstreamErrorCode;
  attempts: number;
}

export interface UpstreamClientOptions {
  /** Connect timeout. @default 2000 */
  connectTimeoutMs?: number;
  /** Time to response headers. @default 10000 (answers: 60000) */
  headersTimeoutMs?: number;
  /** Time to response headers for `ask`/`askStream`, which think before answering. @default 60000 */
  answerHeadersTimeoutMs?: number;
  /** Max idle time between body chunks. @default 10000 */
  bodyTimeoutMs?: number;
  /**
   * Idle time after which a silent answer stream is an UPSTREAM_TIMEOUT. Only events (token, done,
   * error) count as activity; `:` keep-alive comments do not (they prove the socket, not the answer). @default 15000
   */
  streamIdleTimeoutMs?: number;
  /** Attempts for safe (idempotent) calls, first one included. @default 3 */
  maxAttempts?: number;
  /** Base of the exponential backoff. @default 100 */
  retryBaseDelayMs?: number;
  /** Longest single backoff delay. @default 2000 */
  retryMaxDelayMs?: number;
  /** A 429's Retry-After is waited out only if within this budget; else RATE_LIMITED at once. @default 1000 */
  retryAfterBudgetMs?: number;
  /** Max sockets per upstream origin. @default 64 */
  maxConnections?: number;
  /** How long an idle keep-alive socket is kept. @default 4000 */
  keepAliveTimeoutMs?: number;
  /** Max calls in flight per upstream (bulkhead). @default 256 */
  maxConcurrent?: number;
  /** Calls queued behind the bulkhead before failing fast. @default 1024 */
  maxQueued?: number;
  /** Failure ratio that opens the breaker. @default 0.5 */
  breakerThreshold?: number;
  /** Minimum calls in the window before the breaker may open. @default 20 */
  breakerMinimumRps?: number;
  /** The sliding window over which the breaker samples the failure ratio. @default 10000 */
  breakerWindowMs?: number;
  /** How long the breaker stays open before a half-open probe. @default 5000 */
  breakerHalfOpenAfterMs?: number;
  /** How long `close()` lets calls in flight finish before it destroys the sockets. @default 2000 */
  closeTimeoutMs?: number;
  /** Called after every upstream call. */
  onCall?: (info: UpstreamCallInfo) => void;
  /** Called when the circuit breaker changes state (metrics). @default undefined */
  onBreakerStateChange?: (info: { service: ServiceName; state: 'closed' | 'open' | 'halfOpen' }) => void;
}

export interface UpstreamClientConfig {
  baseUrl: string;
  apiKey: string;
  options?: UpstreamClientOptions;
}

export type * from './synvo/types.js';
export type * from './memsync/types.js';
export type { BioFormat, BioStyle, MemoryCategoryName } from './vocabulary.js';
