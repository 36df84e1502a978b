/**
 * The HTTP transport one upstream client stands on, composed of parts with one job each, the way
 * undici composes interceptors on a dispatcher: the pool sends (`pool.ts`), admission holds a
 * bulkhead slot and passes the breaker (`admission.ts`), the body reader accepts or refuses the
 * response (`body.ts`), the retry policy decides on another attempt (`retry.ts`), and every raw
 * failure is coerced once, where it arises (`../coerce.ts`). Each call ends with one `onCall` report.
 */
import type { Dispatcher } from 'undici';
import { coerceUpstreamError, NOT_SENT_CODES, transportCodeOf } from '../coerce.js';
import type { ServiceName, UpstreamCallInfo, UpstreamClientOptions } from '../types.js';
import type { UpstreamError } from '../upstream-error.js';
import { AttemptFailure, createAdmission } from './admission.js';
import { acceptedResponse, headerString, readJson } from './body.js';
import { createUpstreamPool } from './pool.js';
import { resolveClientOptions, type JsonResult, type OpenStream, type ResolvedClientOptions, type UpstreamRequest } from './request.js';
import { CallFailure, createRetryPolicy } from './retry.js';

export { resolveClientOptions } from './request.js';
export type { JsonResult, OpenStream, QueryValue, ResolvedClientOptions, RetryMode, UpstreamRequest } from './request.js';

export type OpenedStream = OpenStream & { attempts: number; startedAt: number };

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
  openStream(req: UpstreamRequest): Promise<OpenedStream>;
  /** Coerces any failure of `endpoint` into an UpstreamError (the one place, with this client's secrets). */
  coerce(error: unknown, endpoint: string, signal?: AbortSignal, statusCodes?: UpstreamRequest['statusCodes'], callKey?: string): UpstreamError;
  /** Reports a finished call to `onCall` (never throws). */
  report(info: Omit<UpstreamCallInfo, 'service'>): void;
  /**
   * Ends a stream from `openStream` once its reader is done or failed: closes the upstream
   * connection at once if the body is still open, gives the slot back and reports the call.
   */
  finishStream(stream: OpenedStream, call: { endpoint: string; method: string }, errorCode?: UpstreamError['code']): void;
  /** Lets calls in flight finish for up to `closeTimeoutMs`, then destroys what is left (a stalled stream). */
  close(): Promise<void>;
}

export function createUpstreamTransport(service: ServiceName, baseUrl: string, apiKey: string, clientOptions?: UpstreamClientOptions): UpstreamTransport {
  const options = resolveClientOptions(clientOptions);
  const pool = createUpstreamPool(baseUrl, apiKey, options);
  const admission = createAdmission(service, options);
  const retries = createRetryPolicy(options);
  const coerce: UpstreamTransport['coerce'] = (error, endpoint, signal, statusCodes, callKey) =>
    coerceUpstreamError(error, { service, endpoint, secrets: callKey ? [callKey, ...pool.secrets] : pool.secrets, signal, statusCodes });
  const report: UpstreamTransport['report'] = (info) => {
    try {
      options.onCall?.({ service, ...info });
    } catch {
      // A metrics hook must never break a call.
    }
  };

  /** One call: attempts through admission, retried by the policy; `read` consumes an accepted response. */
  const call = <T>(req: UpstreamRequest, read: (res: Dispatcher.ResponseData) => Promise<T>, keepSlot: boolean) => {
    const attempt = () => {
      let status: number | undefined;
      const send = async () => {
        try {
          const res = await pool.send(req);
          status = res.statusCode;
          return await read(await acceptedResponse(req, res));
        } catch (raw) {
          const code = transportCodeOf(raw);
          throw new AttemptFailure(coerce(raw, req.endpoint, req.signal, req.statusCodes, req.apiKey), !!code && NOT_SENT_CODES.has(code), false, status);
        }
      };
      return admission.run(send, req.signal, keepSlot, (refusal) => coerce(refusal, req.endpoint, req.signal, undefined, req.apiKey));
    };
    return retries.run(req, attempt, (abort) => coerce(abort, req.endpoint, req.signal, undefined, req.apiKey));
  };

  const failed = (req: UpstreamRequest, startedAt: number, failure: unknown): UpstreamError => {
    const { error, attempts, status } =
      failure instanceof CallFailure ? failure : new CallFailure(coerce(failure, req.endpoint, req.signal, undefined, req.apiKey), 1);
    report({ endpoint: req.endpoint, method: req.method, durationMs: performance.now() - startedAt, status: error.status ?? status, errorCode: error.code, attempts });
    return error;
  };

  return {
    service,
    options,
    coerce,
    report,
    async requestJson(req, read) {
      const startedAt = performance.now();
      let status: number | undefined;
      try {
        const readBody = async (res: Dispatcher.ResponseData) => {
          status = res.statusCode;
          return read(await readJson(req, res));
        };
        const { value: admitted, attempts } = await call(req, readBody, false);
        report({ endpoint: req.endpoint, method: req.method, durationMs: performance.now() - startedAt, status, attempts });
        return admitted.value;
      } catch (failure) {
        throw failed(req, startedAt, failure);
      }
    },
    async openStream(req) {
      const startedAt = performance.now();
      try {
        const open = async (res: Dispatcher.ResponseData) => ({
          status: res.statusCode,
          contentType: headerString(res.headers['content-type']),
          body: res.body,
        });
        const { value: admitted, attempts } = await call(req, open, true);
        return { ...admitted.value, release: admitted.release, attempts, startedAt };
      } catch (failure) {
        throw failed(req, startedAt, failure);
      }
    },
    finishStream: streamFinisher(report),
    close: () => pool.close(),
  };
}

function streamFinisher(report: UpstreamTransport['report']): UpstreamTransport['finishStream'] {
  return (stream, { endpoint, method }, errorCode) => {
    if (!stream.body.destroyed) stream.body.destroy();
    stream.release();
    const { status, attempts, startedAt } = stream;
    report({ endpoint, method, durationMs: performance.now() - startedAt, status, attempts, ...(errorCode ? { errorCode } : {}) });
  };
}
