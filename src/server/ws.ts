/**
 * GraphQL over WebSocket (graphql-ws, subprotocol `graphql-transport-ws`) on the HTTP server's own
 * port and path. Every operation runs through yoga's envelop pipeline (`yoga.getEnveloped`), so a
 * subscription over a socket gets the same context, authentication, limits and error masking as
 * one over HTTP or SSE.
 *
 * Credentials travel in the `connection_init` payload as `authorization` (`Bearer <JWT>`) or
 * `apiKey`. The ack's payload names the caller: `{ user, expiresAt }` for a JWT (so a front-end
 * knows when to reconnect with a fresh token), `{ service: true }` for a service key. They are
 * checked once at init (bad ones close the socket with 4403) and again for every
 * `subscribe`, exactly as an HTTP request's headers are, so an expired token cannot start anything.
 * The other close codes are graphql-ws's own: 4400 bad message, 4401 subscribe before ack, 4408 no
 * init in time, 4409 duplicate id, 4429 second init; 1009 for a message over `maxPayloadBytes`.
 */
import type { IncomingMessage, Server } from 'node:http';
import { GraphQLError, type ExecutionArgs, type GraphQLFormattedError } from 'graphql';
import { CloseCode, handleProtocols, makeServer, type ConnectionInitMessage, type Context as WsContext } from 'graphql-ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Caller } from '../schema/context.js';
import type { Credentials } from './auth.js';

export interface GraphQLWsOptions {
  /** Path the sockets are accepted on: the GraphQL endpoint. @default '/graphql' */
  path?: string;
  /** Time a client has, after connecting, to send `connection_init` (else 4408). @default 3000 */
  connectionInitWaitTimeoutMs?: number;
  /**
   * Interval of server pings. A peer that has not answered a ping with a pong before the next one
   * is due is terminated; 0 disables pings. @default 12000
   */
  keepAliveMs?: number;
  /** Subscriptions (and other operations) running at once on one socket. @default 100 */
  maxOperationsPerSocket?: number;
  /** Largest incoming message, in bytes; a bigger one closes the socket with 1009. @default 262144 */
  maxPayloadBytes?: number;
  /** Time `dispose()` gives clients to finish the close handshake before cutting them. @default 1000 */
  closeGraceMs?: number;
  /** Hide internal error messages from close reasons. @default false */
  production?: boolean;
  /** The error pipeline's mapping (use-error-pipeline.ts), for errors raised before execution. @default GraphQLErrors as they are, the rest masked */
  toClientError?: (error: unknown) => GraphQLError;
}

export interface GraphQLWsServer {
  /** Sockets open right now. */
  readonly socketCount: number;
  /** Closes every socket with 1001 (terminating those that do not answer) and stops accepting. */
  dispose(): Promise<void>;
}

/** What graphql-ws needs from the credential checker: the same one HTTP requests use. */
export interface WsAuthenticator {
  authenticate(credentials: Credentials): Promise<Caller>;
}

/** What each graphql-ws context carries besides the protocol state. */
interface Extra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
}

type InitPayload = NonNullable<ConnectionInitMessage['payload']>;
type SocketContext = WsContext<InitPayload, Extra>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- yoga's own context constraint
type AnyContext = Record<string, any>;
type AnyYoga = YogaServerInstance<AnyContext, AnyContext>;
type Enveloped = ReturnType<AnyYoga['getEnveloped']>;

/** Close reasons are limited to 123 bytes by RFC 6455. */
function closeReason(message: string): string {
  // 117 bytes, so that a multi-byte character cut in two (then U+FFFD, 3 bytes) still fits.
  return Buffer.byteLength(message) <= 123 ? message : `${Buffer.from(message).subarray(0, 117).toString()}...`;
}

function credentialsOf(payload: InitPayload | undefined): Credentials {
  const text = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  return { authorization: text(payload?.['authorization']), apiKey: text(payload?.['apiKey']) };
}

/** Drops the transport-only extensions yoga uses for HTTP statuses, as yoga's HTTP responses do. */
function formatError(error: GraphQLError): GraphQLFormattedError {
  const formatted = error.toJSON();
  if (!formatted.extensions) return formatted;
  const { http: _http, unexpected: _unexpected, ...extensions } = formatted.extensions;
  const { extensions: _all, ...rest } = formatted;
  return Object.keys(extensions).length > 0 ? { ...rest, extensions } : rest;
}

/**
 * Serves graphql-ws on `server` for the given yoga instance. The HTTP server keeps serving HTTP
 * and SSE on the same path; only upgrade requests reach the WebSocket server.
 *
 * A thin adapter of graphql-ws's transport-agnostic `makeServer` to `ws` (in place of its starter
 * `useServer`): errors go to yoga's logger instead of the console, a socket that breaks a `ws`
 * rule (1009 too big, 1002 bad frame) is closed by `ws` without noise, and keep-alive terminates a
 * peer that did not answer the previous ping.
 */
export function attachGraphQLWs<TServerContext extends AnyContext, TUserContext extends AnyContext>(
  server: Server,
  yoga: YogaServerInstance<TServerContext, TUserContext>,
  authenticator: WsAuthenticator,
  options: GraphQLWsOptions = {},
): GraphQLWsServer {
  const path = options.path ?? '/graphql';
  const maxOperations = options.maxOperationsPerSocket ?? 100;
  const production = options.production ?? false;
  const wss = new WebSocketServer({ server, path, maxPayload: options.maxPayloadBytes ?? 256 * 1024, handleProtocols });
  // The enveloped pipeline and the abort controller behind each running operation's context.
  const operations = new WeakMap<object, { enveloped: Enveloped; controller: AbortController }>();
  const controllersBySocket = new WeakMap<SocketContext, Map<string, AbortController>>();

  const toGraphQLError = (error: unknown): GraphQLError => {
    if (options.toClientError) return options.toClientError(error);
    if (error instanceof GraphQLError) return error;
    yoga.logger.error(error);
    return new GraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  };

  const endOperation = (ctx: SocketContext, id: string) => {
    const controllers = controllersBySocket.get(ctx);
    controllers?.get(id)?.abort();
    controllers?.delete(id);
  };

  const graphqlWs = makeServer<InitPayload, Extra>({
    connectionInitWaitTimeout: options.connectionInitWaitTimeoutMs ?? 3000,
    async onConnect(ctx) {
      try {
        const caller = await authenticator.authenticate(credentialsOf(ctx.connectionParams));
        controllersBySocket.set(ctx, new Map());
        // Tells a front-end who it is and when to reconnect with a fresh token.
        return caller.kind === 'user'
          ? { user: caller.name, expiresAt: caller.expiresAt?.toISOString() ?? null }
          : { service: true };
      } catch (error) {
        const message = error instanceof GraphQLError ? error.message : 'Forbidden';
        ctx.extra.socket.close(CloseCode.Forbidden, closeReason(`Forbidden: ${message}`));
        return false;
      }
    },
    async onSubscribe(ctx, id, payload) {
      // graphql-ws has already registered this id, so the count includes it.
      if (Object.keys(ctx.subscriptions).length > maxOperations) {
        return [
          new GraphQLError(`Too many operations on this connection: at most ${maxOperations} may run at once`, {
            extensions: { code: 'RATE_LIMITED', limit: maxOperations },
          }),
        ];
      }
      const controller = new AbortController();
      const { authorization, apiKey } = credentialsOf(ctx.connectionParams);
      const headers = new Headers({ 'content-type': 'application/json' });
      if (authorization) headers.set('authorization', authorization);
      if (apiKey) headers.set('x-api-key', apiKey);
      // The context factory sees the socket's credentials as an HTTP request's headers, and a
      // signal that aborts when this operation ends.
      const request = new Request(`http://localhost${path}`, {
        method: 'POST',
        headers,
        signal: controller.signal,
      });
      const enveloped = (yoga as unknown as AnyYoga).getEnveloped({
        request,
        params: payload,
        req: ctx.extra.request,
        socket: ctx.extra.socket,
        connectionParams: ctx.connectionParams,
      });
      try {
        // Credentials first (a token may have expired since init): nothing is parsed for a caller refused.
        await authenticator.authenticate({ authorization, apiKey });
        const document = enveloped.parse(payload.query);
        const errors = enveloped.validate(enveloped.schema, document);
        if (errors.length > 0) return errors;
        const contextValue = await enveloped.contextFactory();
        operations.set(contextValue, { enveloped, controller });
        controllersBySocket.get(ctx)?.set(id, controller);
        const args: ExecutionArgs = {
          schema: enveloped.schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue,
        };
        return args;
      } catch (error) {
        return [toGraphQLError(error)];
      }
    },
    execute: (args) => operations.get(args.contextValue as object)!.enveloped.execute(args),
    subscribe: (args) => operations.get(args.contextValue as object)!.enveloped.subscribe(args),
    onNext: (_ctx, _id, _payload, _args, result) =>
      result.errors ? { ...result, errors: result.errors.map((e) => formatError(toGraphQLError(e))) } : undefined,
    onError: (ctx, id, _payload, errors) => {
      endOperation(ctx, id);
      return errors.map((e) => formatError(toGraphQLError(e)));
    },
    onComplete: (ctx, id) => endOperation(ctx, id),
    onClose: (ctx) => {
      for (const controller of controllersBySocket.get(ctx)?.values() ?? []) controller.abort();
      controllersBySocket.delete(ctx);
    },
  });

  const keepAliveMs = options.keepAliveMs ?? 12_000;
  wss.on('error', (error) => yoga.logger.error(error));
  wss.on('connection', (socket, request) => {
    // ws closes the socket itself on a protocol breach (1002, 1009): worth a debug line, no more.
    socket.on('error', (error) => yoga.logger.debug(`graphql-ws socket error: ${error.message}`));
    let answered = true;
    socket.on('pong', () => {
      answered = true;
    });
    const pinger =
      keepAliveMs > 0
        ? setInterval(() => {
            if (!answered) return socket.terminate();
            answered = false;
            socket.ping();
          }, keepAliveMs)
        : undefined;
    const closed = graphqlWs.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', async (data) => {
            try {
              // For a subscription this resolves only when the subscription ends.
              await handle(String(data));
            } catch (error) {
              yoga.logger.error(error);
              const message = error instanceof Error ? error.message : String(error);
              socket.close(CloseCode.InternalServerError, production ? 'Internal server error' : closeReason(message));
            }
          }),
      },
      { socket, request },
    );
    socket.once('close', (code, reason) => {
      clearInterval(pinger);
      void closed(code, String(reason));
    });
  });

  return {
    get socketCount() {
      return wss.clients.size;
    },
    async dispose() {
      const sockets = [...wss.clients];
      for (const socket of sockets) socket.close(1001, 'Going away');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      const closed = (socket: WebSocket) =>
        socket.readyState === socket.CLOSED ? Promise.resolve() : new Promise<void>((resolve) => socket.once('close', () => resolve()));
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, options.closeGraceMs ?? 1000);
      });
      await Promise.race([Promise.all(sockets.map(closed)), grace]);
      clearTimeout(timer);
      for (const socket of sockets) if (socket.readyState !== socket.CLOSED) socket.terminate();
    },
  };
}
