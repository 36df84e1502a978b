/**
 * The one place where upstream failures, and the domain's input errors, become GraphQL errors
 * (yoga's `maskedErrors.maskError`). An InputError becomes BAD_USER_INPUT naming the argument.
 * An UpstreamError's stable `code` becomes `extensions.code`, with `service`, `upstreamStatus`
 * and, for RATE_LIMITED, `retryAfter`. Messages are ours, never the upstream's text, so no key or
 * URL can leak. Errors the schema raised on purpose pass unchanged, except graphql-js's variable
 * errors, which it raises without a code and which become BAD_USER_INPUT; anything else is masked
 * as INTERNAL_SERVER_ERROR (with the original only in development).
 */
import { GraphQLError, Kind } from 'graphql';
import { maskError as yogaMaskError, type MaskError } from 'graphql-yoga';
import { isInputError, type InputError } from '../memory/index.js';
import { isUserForgottenError, type UserForgottenError } from '../live/user-streams.js';
import { isUpstreamError } from '../upstream/errors.js';
import type { ServiceName, UpstreamErrorShape } from '../upstream/types.js';

const serviceLabel: Record<ServiceName, string> = { synvo: 'Synvo', memsync: 'MemSync' };

function describe(error: UpstreamErrorShape): { code: string; message: string } {
  const who = `${serviceLabel[error.service]} (${error.endpoint})`;
  switch (error.code) {
    case 'UPSTREAM_TIMEOUT':
      return { code: error.code, message: `${who} did not answer in time` };
    case 'UPSTREAM_UNAVAILABLE':
      return { code: error.code, message: `${who} is unavailable` };
    case 'UPSTREAM_BAD_RESPONSE':
      return { code: error.code, message: `${who} sent a response that does not match its contract` };
    case 'UPSTREAM_REJECTED':
      return { code: error.code, message: `${who} rejected the request` };
    case 'RATE_LIMITED':
      if (error.service === 'memsync' && error.endpoint === 'bioRefresh') {
        const wait = error.retryAfter !== undefined ? `; retry after ${error.retryAfter} s` : '';
        return {
          code: error.code,
          message: `MemSync regenerates a biography at most once every 10 minutes per user (or its rate limit was reached)${wait}`,
        };
      }
      return {
        code: error.code,
        message: `${who} is rate limiting requests${error.retryAfter !== undefined ? `; retry after ${error.retryAfter} s` : ''}`,
      };
    case 'CONTEXT_TOO_LONG':
      return { code: error.code, message: `${who}: the input is too long for the model's context` };
    case 'BAD_USER_INPUT':
      return { code: error.code, message: `${who} rejected an argument as invalid` };
    case 'CONFLICT':
      return { code: error.code, message: `${who}: the target already exists or is busy` };
    case 'NOT_FOUND':
      // A 404 the schema did not turn into a typed state.
      return { code: 'UPSTREAM_REJECTED', message: `${who}: not found` };
    case 'ABORTED':
      return { code: 'UPSTREAM_UNAVAILABLE', message: `${who}: the call was cancelled` };
    case 'NOT_CONNECTED':
      return {
        code: 'MEMSYNC_NOT_CONNECTED',
        message: 'This user has not connected a MemSync account: connect one with the connectMemSync mutation',
      };
  }
}

/**
 * The GraphQL form of an upstream failure, located like `located` when given. The upstream's own
 * text (which may name internal hosts) is added as `extensions.detail` only when `development`.
 */
export function upstreamToGraphQLError(error: UpstreamErrorShape, located?: GraphQLError, development = false): GraphQLError {
  const { code, message } = describe(error);
  const extensions: Record<string, unknown> = { code, service: error.service };
  if (development) extensions['detail'] = error.message;
  if (error.status !== undefined) extensions['upstreamStatus'] = error.status;
  if (error.upstreamCode !== undefined) extensions['upstreamCode'] = error.upstreamCode;
  if (code === 'RATE_LIMITED' && error.retryAfter !== undefined) extensions['retryAfter'] = error.retryAfter;
  return new GraphQLError(message, {
    ...(located ? { nodes: located.nodes, source: located.source, positions: located.positions, path: located.path } : {}),
    extensions,
  });
}

/** BAD_USER_INPUT naming the argument, located like `located` when given. */
export function inputToGraphQLError(error: InputError, located?: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, {
    ...(located ? { nodes: located.nodes, source: located.source, positions: located.positions, path: located.path } : {}),
    extensions: { code: error.code, argument: error.argument },
  });
}

/** A stream ended because its user was forgotten: FORBIDDEN (no more of the user's data), reason USER_FORGOTTEN. */
function forgottenToGraphQLError(error: UserForgottenError, located?: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, {
    ...(located ? { nodes: located.nodes, source: located.source, positions: located.positions, path: located.path } : {}),
    extensions: { code: 'FORBIDDEN', reason: 'USER_FORGOTTEN', user: error.user },
  });
}

/**
 * A variable graphql-js could not coerce (missing, of the wrong type, an unknown enum value) comes
 * without a code, located at its definition: the caller's input, so BAD_USER_INPUT naming the
 * variable, as a literal argument the schema refuses is.
 */
function variableInputError(error: GraphQLError): GraphQLError | null {
  const node = error.nodes?.length === 1 ? error.nodes[0] : undefined;
  const code = error.extensions['code'];
  if ((code !== undefined && code !== 'BAD_USER_INPUT') || error.path || node?.kind !== Kind.VARIABLE_DEFINITION) return null;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { ...error.extensions, code: 'BAD_USER_INPUT', variable: node.variable.name.value },
  });
}

/**
 * yoga's request parsers put the parser's own message under `extensions.originalError` (for a
 * malformed JSON body, a piece of the body): development keeps it as `detail`, production drops it.
 */
function withoutOriginalError(error: GraphQLError, development: boolean): GraphQLError {
  const { originalError, ...extensions } = error.extensions as Record<string, unknown>;
  if (originalError === undefined) return error;
  if (development) {
    const detail = (originalError as { message?: unknown } | null)?.message;
    if (typeof detail === 'string') extensions['detail'] = detail;
  }
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions,
  });
}

/**
 * yoga `maskedErrors.maskError`, and the mapping `use-error-pipeline.ts` applies to every result on
 * every transport: upstream errors mapped, the schema's own errors kept, the rest masked.
 */
export function createMaskError(options: { development: boolean }): MaskError {
  const { development } = options;
  return (error, message) => {
    const original = error instanceof GraphQLError ? error.originalError : error;
    const located = error instanceof GraphQLError ? error : undefined;
    if (isUpstreamError(original)) return upstreamToGraphQLError(original, located, development);
    if (isInputError(original)) return inputToGraphQLError(original, located);
    if (isUserForgottenError(original)) return forgottenToGraphQLError(original, located);
    if (error instanceof GraphQLError && !error.originalError && error.extensions['originalError'] !== undefined) {
      return withoutOriginalError(error, development);
    }
    // An original error that is not a GraphQLError is a bug, for the masking below.
    if (error instanceof GraphQLError && (!error.originalError || error.originalError instanceof GraphQLError)) {
      const input = variableInputError(error);
      if (input) return input;
    }
    return yogaMaskError(error, message, options.development);
  };
}

/**
 * Whether an error the masking changed is the caller's own mistake: a domain input error (a bad or
 * forbidden argument), or an error graphql-js or yoga raised about the request itself (a variable
 * that does not fit its type, a malformed body) that the masking only recodes. Anything with
 * another original is a failure of the gateway or an upstream.
 */
export function isCallerError(error: unknown): boolean {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (isInputError(original)) return true;
  return error instanceof GraphQLError && (!original || original instanceof GraphQLError);
}
