/**
 * The HTTP transport one upstream client stands on: an undici Pool for the upstream's origin
 * (keep-alive, bounded sockets, connect/headers/body timeouts in seconds), a cockatiel bulkhead
 * and circuit breaker of its own (so one hung upstream cannot starve or slow the other), retries
 * with exponential backoff and jitter where they are safe, `Retry-After` within a budget, an
 * AbortSignal on every call, and an `onCall` report per call.
 *
 * Retries run in a small loop of our own (with cockatiel's decorrelated-jitter backoff) rather
 * than cockatiel's RetryPolicy, because cockatiel 3.2's retry sleeps ignore the AbortSignal: a
 * cancelled subscription must not sit out a backoff or a Retry-After.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BulkheadPolicy,
  CircuitBreakerPolicy,
  CircuitState,
  ExponentialBackoff,
  SamplingBreaker,
  bulkhead,
  circuitBreaker,
  handleWhen,
  type IBackoff,
} from 'cockatiel';
import { Pool, type Dispatcher, type FormData } from 'undici';
import {
  HttpStatusFailure,
  NOT_SENT_CODES,
  readErrorBody,
  ResponseShapeError,
  UpstreamError,
  coerceUpstreamError,
  transportCodeOf,
  type CoerceContext,
  type ErrorBodyInfo,
} from './errors.js';
import type { ServiceName, UpstreamCallInfo, UpstreamClientOptions, UpstreamErrorCode } from './types.js';

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
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
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

/** Breaker-relevant failures: the upstream misbehaved. 4xx, NOT_FOUND, RATE_LIMITED and ABORTED are not. */
const BREAKER_FAILURES: ReadonlySet<UpstreamErrorCode> = new Set(['UPSTREAM_TIMEOUT', 'UPSTREAM_UNAVAILABLE', 'UPSTREAM_BAD_RESPONSE']);

const MAX_JSON_BYTES = 16 * 1024 * 1024;

function headerString(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/** Reads a whole body as text, bounded, so a huge or endless body cannot exhaust memory. */
async function readText(body: Dispatcher.ResponseData['body'], contentLength?: string | string[]): Promise<string> {
  const declared = Number(headerString(contentLength));
  // The common case, a declared and modest length: undici's own reader, no per-chunk iteration.
  if (declared > 0 && declared <= MAX_JSON_BYTES) return body.text();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_BYTES) {
      body.destroy();
      throw new ResponseShapeError(`body: larger than ${MAX_JSON_BYTES} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJsonText(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ResponseShapeError('body: not valid JSON');
  }
}

/** A 404 whose body is not the endpoint's own (see `UpstreamRequest.ownNotFound`). */
function isForeign404(req: UpstreamRequest, status: number, body: unknown): boolean {
  return status === 404 && req.ownNotFound !== undefined && !req.ownNotFound(readErrorBody(body));
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** Rejects as soon as `signal` aborts; the underlying promise is left to settle (and is observed). */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, onLateValue?: (value: T) => void): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.then(onLateValue, () => undefined);
    return Promise.reject(abortError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const onAbort = () => {
      settled = true;
      promise.then(onLateValue, () => undefined);
      reject(abortError(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (!settled) resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        if (!settled) reject(error);
      },
    );
  });
}

export interface UpstreamTransport {
  readonly service: ServiceName;
  readonly options: ResolvedClientOptions;
  /**
   * One call, retried per `req.retry`: a 2xx (or an accepted status) is parsed as JSON and handed
   * to `read` (validation and normalisation) inside the attempt, so a body that does not fit is
   * an UPSTREAM_BAD_RESPONSE seen by the breaker and by `onCall`.
   */
  requestJson<T>(req: UpstreamRequest, read: (res: JsonResult) => T): Promise<T>;
  /** Opens a streaming response (status 2xx checked); the caller reads, then `release()`s. */
  openStream(req: UpstreamRequest): Promise<OpenStream & { attempts: number; startedAt: number }>;
  /** Coerces any failure of `endpoint` into an UpstreamError (the one place, with this client's secrets). */
  coerce(error: unknown, endpoint: string, signal?: AbortSignal, statusCodes?: UpstreamRequest['statusCodes'], callKey?: string): UpstreamError;
  /** Reports a finished call to `onCall` (never throws). */
  report(info: Omit<UpstreamCallInfo, 'service'>): void;
  /** Lets calls in flight finish for up to `closeTimeoutMs`, then destroys what is left (a stalled stream). */
  close(): Promise<void>;
}

interface BaseUrlParts {
  origin: string;
  basePath: string;
  secrets: string[];
}

function splitBaseUrl(baseUrl: string, apiKey: string): BaseUrlParts {
  const url = new URL(baseUrl);
  const secrets = [apiKey];
  // Credentials in the base URL are secrets too; they are never sent in the origin.
  if (url.username) secrets.push(decodeURIComponent(url.username));
  if (url.password) secrets.push(decodeURIComponent(url.password));
  return { origin: url.origin, basePath: url.pathname.replace(/\/+$/, ''), secrets: secrets.filter(Boolean) };
}

export function createUpstreamTransport(service: ServiceName, baseUrl: string, apiKey: string, clientOptions?: UpstreamClientOptions): UpstreamTransport {
  const options = resolveClientOptions(clientOptions);
  const { origin, basePath, secrets } = splitBaseUrl(baseUrl, apiKey);

  const pool = new Pool(origin, {
    connections: options.maxConnections,
    keepAliveTimeout: options.keepAliveTimeoutMs,
    connect: { timeout: options.connectTimeoutMs },
    headersTimeout: options.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs,
  });

  const slots: BulkheadPolicy = bulkhead(options.maxConcurrent, options.maxQueued);
  const breaker: CircuitBreakerPolicy = circuitBreaker(
    handleWhen((error) => error instanceof UpstreamError && BREAKER_FAILURES.has(error.code)),
    {
      halfOpenAfter: options.breakerHalfOpenAfterMs,
      breaker: samplingBreaker(options),
    },
  );
  breaker.onStateChange((state) => {
    const name = state === CircuitState.Closed ? 'closed' : state === CircuitState.HalfOpen ? 'halfOpen' : 'open';
    try {
      options.onBreakerStateChange?.({ service, state: name });
    } catch {
      // A metrics hook must never break a call.
    }
  });
  const jitter = new ExponentialBackoff({ initialDelay: options.retryBaseDelayMs, maxDelay: options.retryMaxDelayMs });

  // Failures proven not to have reached the upstream, and failures never worth a retry.
  const notSent = new WeakSet<UpstreamError>();
  const final = new WeakSet<UpstreamError>();

  const coerce = (error: unknown, endpoint: string, signal?: AbortSignal, statusCodes?: UpstreamRequest['statusCodes'], callKey?: string) => {
    const ctx: CoerceContext = { service, endpoint, secrets: callKey ? [callKey, ...secrets] : secrets, signal, statusCodes };
    return coerceUpstreamError(error, ctx);
  };

  const report = (info: Omit<UpstreamCallInfo, 'service'>) => {
    try {
      options.onCall?.({ service, ...info });
    } catch {
      // A metrics hook must never break a call.
    }
  };

  /** Holds one bulkhead slot until the returned function is called. */
  const acquireSlot = (signal: AbortSignal | undefined): Promise<() => void> => {
    const acquired = new Promise<() => void>((resolve, reject) => {
      slots
        .execute(() => new Promise<void>((release) => resolve(() => release())), signal)
        .catch(reject);
    });
    return raceAbort(acquired, signal, (release) => release());
  };

  const buildPath = (req: UpstreamRequest) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined && v !== null) params.append(k, String(v));
    const qs = params.toString();
    return `${basePath}${req.path}${qs ? `?${qs}` : ''}`;
  };

  const dispatch = (req: UpstreamRequest, signal: AbortSignal | undefined): Promise<Dispatcher.ResponseData> => {
    const headers: Record<string, string> = { accept: req.accept ?? 'application/json' };
    const key = req.apiKey ?? apiKey;
    if (key) headers['x-api-key'] = key;
    let body: Dispatcher.DispatchOptions['body'];
    if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.json);
    } else if (req.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = req.form.toString();
    } else if (req.multipart) {
      body = req.multipart as unknown as Dispatcher.DispatchOptions['body'];
    }
    return pool.request({
      method: req.method,
      path: buildPath(req),
      headers,
      body,
      signal,
      headersTimeout: req.headersTimeoutMs ?? options.headersTimeoutMs,
      bodyTimeout: req.bodyTimeoutMs ?? options.bodyTimeoutMs,
      // Our own loop decides on retries; undici must not replay anything.
      idempotent: false,
    });
  };

  /**
   * One attempt through the bulkhead and the breaker. `read` consumes a 2xx/accepted response;
   * with `keepSlot` the slot is handed to the caller instead of released.
   */
  const attempt = async <T>(
    req: UpstreamRequest,
    state: { status?: number },
    read: (res: Dispatcher.ResponseData) => Promise<T>,
    keepSlot: boolean,
  ): Promise<{ value: T; release: () => void }> => {
    const signal = req.signal;
    let release: (() => void) | undefined;
    try {
      release = await acquireSlot(signal);
      const value = await breaker.execute(async () => {
        try {
          const res = await dispatch(req, signal);
          state.status = res.statusCode;
          const ok = (res.statusCode >= 200 && res.statusCode < 300) || req.acceptStatuses?.includes(res.statusCode);
          if (!ok) {
            const text = await readText(res.body, res.headers['content-length']);
            let parsed: unknown = text;
            try {
              parsed = text.trim() ? (JSON.parse(text) as unknown) : undefined;
            } catch {
              // Error bodies need not be JSON; the text is read as the message.
            }
            throw new HttpStatusFailure(res.statusCode, res.headers, parsed, isForeign404(req, res.statusCode, parsed));
          }
          return await read(res);
        } catch (raw) {
          const error = coerce(raw, req.endpoint, signal, req.statusCodes, req.apiKey);
          const code = transportCodeOf(raw);
          if (code && NOT_SENT_CODES.has(code)) notSent.add(error);
          throw error;
        }
      }, signal);
      const held = release;
      release = undefined;
      if (keepSlot) return { value, release: held };
      held();
      return { value, release: () => undefined };
    } catch (raw) {
      const error = coerce(raw, req.endpoint, signal, req.statusCodes, req.apiKey);
      // An open circuit or a full bulkhead is not retried: the answer would be the same.
      if (!(raw instanceof UpstreamError)) final.add(error);
      throw error;
    } finally {
      release?.();
    }
  };

  /** The delay before the next attempt, or undefined when `error` must be thrown now. */
  const retryDelay = (
    req: UpstreamRequest,
    error: UpstreamError,
    attempts: number,
    budget: { retryAfterMs: number; backoff?: IBackoff<unknown> },
  ): number | undefined => {
    if (attempts >= options.maxAttempts || final.has(error) || req.retry === 'never' || req.signal?.aborted) return undefined;
    if (error.code === 'RATE_LIMITED') {
      if (req.retry !== 'safe' || error.retryAfter === undefined) return undefined;
      const wait = error.retryAfter * 1000;
      if (wait > budget.retryAfterMs) return undefined;
      budget.retryAfterMs -= wait;
      return wait;
    }
    const retryable = notSent.has(error) || (req.retry === 'safe' && (error.code === 'UPSTREAM_UNAVAILABLE' || error.code === 'UPSTREAM_TIMEOUT'));
    if (!retryable) return undefined;
    budget.backoff = budget.backoff ? budget.backoff.next(undefined) : jitter.next();
    return budget.backoff.duration;
  };

  const run = async <T>(req: UpstreamRequest, read: (res: Dispatcher.ResponseData) => Promise<T>, keepSlot: boolean) => {
    const state: { status?: number } = {};
    const budget: { retryAfterMs: number; backoff?: IBackoff<unknown> } = { retryAfterMs: options.retryAfterBudgetMs };
    let attempts = 0;
    for (;;) {
      attempts++;
      state.status = undefined;
      try {
        const { value, release } = await attempt(req, state, read, keepSlot);
        return { value, release, attempts, status: state.status };
      } catch (raw) {
        const error = coerce(raw, req.endpoint, req.signal, req.statusCodes, req.apiKey);
        const delay = retryDelay(req, error, attempts, budget);
        if (delay === undefined) throw Object.assign(new RunFailure(error), { attempts, status: state.status });
        try {
          await sleep(delay, undefined, req.signal ? { signal: req.signal } : undefined);
        } catch (aborted) {
          throw Object.assign(new RunFailure(coerce(aborted, req.endpoint, req.signal, undefined, req.apiKey)), { attempts, status: state.status });
        }
      }
    }
  };

  return {
    service,
    options,
    coerce,
    report,

    async requestJson<T>(req: UpstreamRequest, read: (res: JsonResult) => T): Promise<T> {
      const startedAt = performance.now();
      try {
        const { value, attempts, status } = await run(
          req,
          async (res) => {
            const contentType = headerString(res.headers['content-type']);
            const body = parseJsonText(await readText(res.body, res.headers['content-length']));
            // An accepted 404 (e.g. "no data yet") counts only with the endpoint's own body.
            if (isForeign404(req, res.statusCode, body)) throw new HttpStatusFailure(res.statusCode, res.headers, body, true);
            return read({ status: res.statusCode, body, contentType });
          },
          false,
        );
        report({ endpoint: req.endpoint, method: req.method, durationMs: performance.now() - startedAt, status, attempts });
        return value;
      } catch (failure) {
        const { error, attempts, status } = unwrapFailure(failure, (e) => coerce(e, req.endpoint, req.signal, undefined, req.apiKey));
        report({ endpoint: req.endpoint, method: req.method, durationMs: performance.now() - startedAt, status: error.status ?? status, errorCode: error.code, attempts });
        throw error;
      }
    },

    async openStream(req) {
      const startedAt = performance.now();
      try {
        const { value, release, attempts } = await run(
          req,
          async (res) => ({ status: res.statusCode, contentType: headerString(res.headers['content-type']), body: res.body }),
          true,
        );
        return { ...value, release, attempts, startedAt };
      } catch (failure) {
        const { error, attempts, status } = unwrapFailure(failure, (e) => coerce(e, req.endpoint, req.signal, undefined, req.apiKey));
        report({ endpoint: req.endpoint, method: req.method, durationMs: performance.now() - startedAt, status: error.status ?? status, errorCode: error.code, attempts });
        throw error;
      }
    },

    async close() {
      if (pool.closed || pool.destroyed) return;
      const timer = new AbortController();
      const graceful = pool.close().then(
        () => true,
        () => true,
      );
      const late = sleep(options.closeTimeoutMs, false, { signal: timer.signal }).catch(() => false);
      const closed = await Promise.race([graceful, late]);
      timer.abort();
      if (!closed) await pool.destroy();
    },
  };
}

/** Carries the final error of a call with its attempt count out of the retry loop. */
class RunFailure extends Error {
  attempts = 1;
  status?: number;
  constructor(readonly error: UpstreamError) {
    super(error.message);
  }
}

function unwrapFailure(failure: unknown, coerce: (e: unknown) => UpstreamError): { error: UpstreamError; attempts: number; status?: number } {
  if (failure instanceof RunFailure) return { error: failure.error, attempts: failure.attempts, status: failure.status };
  return { error: coerce(failure), attempts: 1 };
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
