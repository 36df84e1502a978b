/** What one upstream call asks of the transport, and the transport's options with their defaults. */
import type { Dispatcher, FormData } from 'undici';
import type { ErrorBodyInfo } from '../error-body.js';
import type { UpstreamClientOptions, UpstreamErrorCode } from '../types.js';

/** Options of the transport with every default filled in. */
export type ResolvedClientOptions = Required<Omit<UpstreamClientOptions, 'onCall' | 'onBreakerStateChange'>> &
  Pick<UpstreamClientOptions, 'onCall' | 'onBreakerStateChange'>;

/** The defaults of UpstreamClientOptions (see the JSDoc in types.ts). */
export function resolveClientOptions(options: UpstreamClientOptions = {}): ResolvedClientOptions {
  return {
    connectTimeoutMs: 2_000,
    headersTimeoutMs: 10_000,
    answerHeadersTimeoutMs: 60_000,
    bodyTimeoutMs: 10_000,
    streamIdleTimeoutMs: 15_000,
    maxAttempts: 3,
    retryBaseDelayMs: 100,
    retryMaxDelayMs: 2_000,
    retryAfterBudgetMs: 1_000,
    maxConnections: 64,
    keepAliveTimeoutMs: 4_000,
    maxConcurrent: 256,
    maxQueued: 1_024,
    breakerThreshold: 0.5,
    breakerMinimumRps: 20,
    breakerWindowMs: 10_000,
    breakerHalfOpenAfterMs: 5_000,
    closeTimeoutMs: 2_000,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  } as ResolvedClientOptions;
}

/**
 * When a failed call may be sent again:
 * - `safe`: reads (GETs and read-only searches): on 5xx, timeouts, connection failures, and a
 *   429 whose Retry-After fits the budget;
 * - `unsent`: writes that can be replayed only when the request provably never reached the
 *   upstream (connection refused, DNS failure, connect timeout);
 * - `never`: uploads (a streamed body cannot be replayed).
 */
export type RetryMode = 'safe' | 'unsent' | 'never';

export type QueryValue = string | number | boolean | undefined | null;

export interface UpstreamRequest {
  /** The client method / route, for errors and `onCall`, e.g. `profile`. */
  endpoint: string;
  method: 'GET' | 'POST' | 'DELETE' | 'PATCH' | 'PUT';
  /** Path below the base URL, already encoded, e.g. `/file/status/abc`. */
  path: string;
  query?: Record<string, QueryValue>;
  json?: unknown;
  form?: URLSearchParams;
  multipart?: FormData;
  retry: RetryMode;
  /**
   * The API key of this call, instead of the client's own (MemSync: the key of the user the call is
   * about). A secret like the client's: redacted from every error. @default the client's key
   */
  apiKey?: string;
  /** Non-2xx statuses handed back to the caller instead of thrown (e.g. 404 -> null). */
  acceptStatuses?: readonly number[];
  /**
   * Recognises this endpoint's own 404 (e.g. Synvo's `"User not found"`, MemSync's `BIO_NOT_FOUND`).
   * Any other 404, such as a wrong base URL's, is UPSTREAM_BAD_RESPONSE, never "no data".
   * Absent: every 404 is the endpoint's own.
   */
  ownNotFound?: (body: ErrorBodyInfo) => boolean;
  /** Status -> code overrides for this call (e.g. upload 413 -> BAD_USER_INPUT). */
  statusCodes?: Partial<Record<number, UpstreamErrorCode>>;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  accept?: string;
  signal?: AbortSignal | undefined;
}

export interface JsonResult {
  status: number;
  /** Parsed JSON; `undefined` for an empty body. */
  body: unknown;
  contentType: string;
}

export interface OpenStream {
  status: number;
  contentType: string;
  body: Dispatcher.ResponseData['body'];
  /** Frees the bulkhead slot; call once the body is finished or destroyed. */
  release(): void;
}
