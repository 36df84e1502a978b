/**
 * One structured log line per HTTP request (and per graphql-ws subscription): a request id (the
 * caller's `x-request-id` when it is sane, else a fresh UUID, always returned in the response),
 * the caller (user name or service key fingerprint), the operation, the status, the duration and
 * the error codes. Never variables, results, headers or messages: the logger's redaction and
 * scrubbing are the second line of defence, not the first. Every other line written while the
 * request is handled (an upstream failure, a masked error) carries the same `reqId` and `caller`.
 */
import { randomUUID } from 'node:crypto';
import { getOperationAST, type DocumentNode, type ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { requestLogContext, type Logger, type RequestLogFields } from '../observability/logger.js';

export const REQUEST_ID_HEADER = 'x-request-id';

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface RequestLoggingOptions {
  /** Where the lines go. */
  logger: Logger;
  /** Also log requests to these paths (health probes and scrapes are skipped by default). @default [] */
  includePaths?: string[];
  /** Paths that are never logged. @default ['/healthz', '/readyz', '/metrics'] */
  skipPaths?: string[];
}

interface RequestState {
  id: string;
  start: number;
  caller?: string;
  operation?: string;
  type?: string;
  codes: string[];
}

/** The caller as logs show it: `user:<name>` or `service:<key fingerprint>`. */
export function describeCaller(context: unknown): string | undefined {
  const caller = (context as { caller?: { kind?: string; name?: string; keyId?: string } } | null)?.caller;
  if (caller?.kind === 'user') return `user:${caller.name}`;
  if (caller?.kind === 'service') return `service:${caller.keyId}`;
  return undefined;
}

function errorCodes(result: ExecutionResult): string[] {
  return (result.errors ?? []).map((e) => String((e.extensions as { code?: unknown } | undefined)?.code ?? 'INTERNAL_SERVER_ERROR'));
}

function describeOperation(document: DocumentNode, operationName?: string | null) {
  const op = getOperationAST(document, operationName ?? undefined);
  return { type: op?.operation, operation: op?.name?.value ?? operationName ?? undefined };
}

/** Each logged request's state, keyed by its `Request`, and the log fields shared with its lines. */
function createRequestStates(options: RequestLoggingOptions) {
  const skip = new Set(options.skipPaths ?? ['/healthz', '/readyz', '/metrics']);
  for (const path of options.includePaths ?? []) skip.delete(path);
  const states = new WeakMap<Request, RequestState>();
  // What the logger adds to the lines of this request; the caller once it is known.
  const fieldsOf = new WeakMap<RequestState, RequestLogFields>();
  return {
    get: (request: Request) => states.get(request),
    /** The state of the request behind a GraphQL context, if it is logged. */
    of(context: unknown): RequestState | undefined {
      const request = (context as { request?: Request } | null)?.request;
      return request ? states.get(request) : undefined;
    },
    begin(request: Request): RequestState | undefined {
      let state = states.get(request);
      if (state || skip.has(new URL(request.url, 'http://localhost').pathname)) return state;
      const given = request.headers.get(REQUEST_ID_HEADER);
      state = { id: given && SANE_REQUEST_ID.test(given) ? given : randomUUID(), start: performance.now(), codes: [] };
      states.set(request, state);
      return state;
    },
    fieldsFor(state: RequestState): RequestLogFields {
      const fields: RequestLogFields = { reqId: state.id };
      fieldsOf.set(state, fields);
      return fields;
    },
    /** Records the operation and the caller, also on the lines still to come. */
    describe(state: RequestState, context: unknown, operation: ReturnType<typeof describeOperation>) {
      state.caller = describeCaller(context);
      const fields = fieldsOf.get(state);
      if (fields) fields.caller = state.caller;
      Object.assign(state, operation);
    },
  };
}

/** graphql-ws: no HTTP response to hang the line on; one line when the subscription starts and one when it ends. */
function logSocketSubscription(logger: Logger, context: unknown, operation: ReturnType<typeof describeOperation>) {
  const start = performance.now();
  const fields = { reqId: randomUUID(), transport: 'ws', caller: describeCaller(context), ...operation };
  logger.info(fields, 'subscription started');
  const codes: string[] = [];
  return {
    onSubscribeResult({ result }: { result: AsyncIterable<ExecutionResult> | ExecutionResult }) {
      if (!isAsyncIterable(result)) {
        logger.info({ ...fields, errors: errorCodes(result) }, 'subscription refused');
        return;
      }
      return {
        onNext({ result: next }: { result: ExecutionResult }) {
          codes.push(...errorCodes(next));
        },
        onEnd() {
          logger.info({ ...fields, durationMs: Math.round(performance.now() - start), errors: codes }, 'subscription ended');
        },
      };
    },
  };
}

function requestLine(request: Request, response: Response, state: RequestState) {
  return {
    reqId: state.id,
    method: request.method,
    path: new URL(request.url, 'http://localhost').pathname,
    status: response.status,
    durationMs: Math.round(performance.now() - state.start),
    caller: state.caller,
    operation: state.operation,
    type: state.type,
    errors: state.codes.length > 0 ? state.codes : undefined,
  };
}

const isSocket = (context: unknown) => typeof context === 'object' && context !== null && 'socket' in context;

export function useRequestLogging(options: RequestLoggingOptions): Plugin {
  const { logger } = options;
  const states = createRequestStates(options);
  return {
    instrumentation: {
      request({ request }, wrapped) {
        const state = states.begin(request);
        if (!state) return wrapped();
        // Carrying the fields across every await turns on promise hooks for all the request's
        // promises: only worth it when the logger writes at all (LOG_LEVEL=silent writes nothing).
        if (!logger.isLevelEnabled('fatal')) return wrapped();
        const fields = states.fieldsFor(state);
        return requestLogContext.run(fields, async () => {
          try {
            await wrapped();
          } finally {
            fields.ended = true;
          }
        });
      },
    },
    onRequest({ request }) {
      states.begin(request);
    },
    onExecute({ args }) {
      const state = states.of(args.contextValue);
      if (state) states.describe(state, args.contextValue, describeOperation(args.document, args.operationName));
    },
    onSubscribe({ args }) {
      const ctx = args.contextValue;
      const described = describeOperation(args.document, args.operationName);
      const state = states.of(ctx);
      if (state && !isSocket(ctx)) {
        states.describe(state, ctx, described);
        return;
      }
      // Its lines are info lines: when they are not written, an idle subscription holds nothing for them.
      if (!logger.isLevelEnabled('info')) return;
      return logSocketSubscription(logger, ctx, described);
    },
    onResultProcess({ request, result }) {
      const state = states.get(request);
      if (!state || isAsyncIterable(result)) return;
      for (const single of Array.isArray(result) ? result : [result]) state.codes.push(...errorCodes(single));
    },
    onResponse({ request, response }) {
      const state = states.get(request);
      if (!state) return;
      response.headers.set(REQUEST_ID_HEADER, state.id);
      const level = response.status >= 500 ? 'error' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      if (level === 'error') logger.error(requestLine(request, response, state), 'request failed');
      else logger.info(requestLine(request, response, state), 'request');
    },
  };
}
