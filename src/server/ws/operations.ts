/**
 * The operations of a socket, run through yoga's envelop pipeline (`yoga.getEnveloped`), so a
 * subscription over a socket gets the same context, authentication, limits and error masking as
 * one over HTTP or SSE. Each operation's context has a signal that aborts when the operation ends
 * (complete, error, the socket closing); at most `maxOperations` run at once on one socket.
 */
import { GraphQLError, type ExecutionArgs, type GraphQLFormattedError } from 'graphql';
import type { ServerOptions } from 'graphql-ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { credentialsOf, type InitPayload, type SocketContext } from './connection-auth.js';
import type { Extra } from './use-server.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- yoga's own context constraint
type AnyContext = Record<string, any>;
type AnyYoga = YogaServerInstance<AnyContext, AnyContext>;
type Enveloped = ReturnType<AnyYoga['getEnveloped']>;

export interface OperationsOptions {
  /** The GraphQL path, for the Request each operation's context sees. */
  path: string;
  maxOperations: number;
  /** The error pipeline's mapping, for errors raised before execution. @default GraphQLErrors as they are, the rest masked */
  toClientError?: (error: unknown) => GraphQLError;
}

type OperationHooks = Pick<ServerOptions<InitPayload, Extra>, 'onSubscribe' | 'execute' | 'subscribe' | 'onNext' | 'onError' | 'onComplete' | 'onClose'>;

/** Drops the transport-only extensions yoga uses for HTTP statuses, as yoga's HTTP responses do. */
function formatError(error: GraphQLError): GraphQLFormattedError {
  const formatted = error.toJSON();
  if (!formatted.extensions) return formatted;
  const { http: _http, unexpected: _unexpected, ...extensions } = formatted.extensions;
  const { extensions: _all, ...rest } = formatted;
  return Object.keys(extensions).length > 0 ? { ...rest, extensions } : rest;
}

/** The socket's credentials as an HTTP request's headers, with a signal that ends with the operation. */
function operationRequest(fetchAPI: AnyYoga['fetchAPI'], ctx: SocketContext, path: string, signal: AbortSignal): Request {
  const { authorization, apiKey } = credentialsOf(ctx.connectionParams);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization) headers['authorization'] = authorization;
  if (apiKey) headers['x-api-key'] = apiKey;
  // yoga's own Request (whatwg-node's): a subscription holds it for its whole life, and Node's
  // (undici's) costs about 2 KiB more each, with a second AbortController following this signal.
  return new fetchAPI.Request(`http://localhost${path}`, { method: 'POST', headers, signal });
}

export function yogaOperations(yoga: AnyYoga, options: OperationsOptions): OperationHooks {
  // The enveloped pipeline behind each running operation's context, and each socket's operations.
  const pipelines = new WeakMap<object, Enveloped>();
  const running = new WeakMap<SocketContext, Map<string, AbortController>>();
  const toGraphQLError = (error: unknown): GraphQLError => {
    if (options.toClientError) return options.toClientError(error);
    if (error instanceof GraphQLError) return error;
    yoga.logger.error(error);
    return new GraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  };
  const end = (ctx: SocketContext, id: string) => {
    running.get(ctx)?.get(id)?.abort();
    running.get(ctx)?.delete(id);
  };

  return {
    async onSubscribe(ctx, id, payload) {
      // graphql-ws has already registered this id, so the count includes it.
      if (Object.keys(ctx.subscriptions).length > options.maxOperations) {
        const message = `Too many operations on this connection: at most ${options.maxOperations} may run at once`;
        return [new GraphQLError(message, { extensions: { code: 'RATE_LIMITED', limit: options.maxOperations } })];
      }
      const controller = new AbortController();
      const request = operationRequest(yoga.fetchAPI, ctx, options.path, controller.signal);
      const enveloped = yoga.getEnveloped({ request, params: payload, socket: ctx.extra.socket, connectionParams: ctx.connectionParams });
      try {
        const document = enveloped.parse(payload.query);
        const errors = enveloped.validate(enveloped.schema, document);
        if (errors.length > 0) return errors;
        const contextValue = await enveloped.contextFactory();
        pipelines.set(contextValue, enveloped);
        if (!running.has(ctx)) running.set(ctx, new Map());
        running.get(ctx)!.set(id, controller);
        const { operationName, variables: variableValues } = payload;
        return { schema: enveloped.schema, document, operationName, variableValues, contextValue } satisfies ExecutionArgs;
      } catch (error) {
        return [toGraphQLError(error)];
      }
    },
    execute: (args) => pipelines.get(args.contextValue as object)!.execute(args),
    subscribe: (args) => pipelines.get(args.contextValue as object)!.subscribe(args),
    onNext: (_ctx, _id, _payload, _args, result) =>
      result.errors ? { ...result, errors: result.errors.map((e) => formatError(toGraphQLError(e))) } : undefined,
    onError: (ctx, id, _payload, errors) => {
      end(ctx, id);
      return errors.map((e) => formatError(toGraphQLError(e)));
    },
    onComplete: (ctx, id) => end(ctx, id),
    onClose: (ctx) => {
      for (const controller of running.get(ctx)?.values() ?? []) controller.abort();
      running.delete(ctx);
    },
  };
}
