/**
 * GraphQL over WebSocket (graphql-ws, subprotocol `graphql-transport-ws`) on the HTTP server's own
 * port and path, with its jobs apart: the socket adapter in graphql-ws's `useServer` shape
 * (`ws/use-server.ts`), who is on a socket (`ws/connection-auth.ts`), and the operations run through
 * yoga's pipeline (`ws/operations.ts`). Credentials are checked once at `connection_init` (bad ones
 * close with 4403) and again for every `subscribe`, exactly as an HTTP request's headers are. The
 * other close codes are graphql-ws's own: 4400 bad message, 4401 subscribe before ack, 4408 no init
 * in time, 4409 duplicate id, 4429 second init; 1009 for a message over `maxPayloadBytes`.
 */
import type { Server } from 'node:http';
import type { GraphQLError } from 'graphql';
import { handleProtocols, makeServer } from 'graphql-ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import { authenticateConnection, type InitPayload, type WsAuthenticator } from './ws/connection-auth.js';
import { yogaOperations } from './ws/operations.js';
import { useServer, type Extra } from './ws/use-server.js';

export type { WsAuthenticator } from './ws/connection-auth.js';

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

/**
 * Serves graphql-ws on `server` for the given yoga instance. The HTTP server keeps serving HTTP
 * and SSE on the same path; only upgrade requests reach the WebSocket server.
 */
export function attachGraphQLWs<TServerContext extends Record<string, any>, TUserContext extends Record<string, any>>( // eslint-disable-line @typescript-eslint/no-explicit-any
  server: Server,
  yoga: YogaServerInstance<TServerContext, TUserContext>,
  authenticator: WsAuthenticator,
  options: GraphQLWsOptions = {},
): GraphQLWsServer {
  const path = options.path ?? '/graphql';
  const wss = new WebSocketServer({ server, path, maxPayload: options.maxPayloadBytes ?? 256 * 1024, handleProtocols });
  const protocol = makeServer<InitPayload, Extra>({
    connectionInitWaitTimeout: options.connectionInitWaitTimeoutMs ?? 3000,
    onConnect: authenticateConnection(authenticator),
    ...yogaOperations(yoga as never, { path, maxOperations: options.maxOperationsPerSocket ?? 100, toClientError: options.toClientError }),
  });
  const adapter = useServer(protocol, wss, {
    keepAliveMs: options.keepAliveMs ?? 12_000,
    closeGraceMs: options.closeGraceMs ?? 1000,
    production: options.production ?? false,
    logger: yoga.logger,
  });
  return {
    get socketCount() {
      return wss.clients.size;
    },
    dispose: () => adapter.dispose(),
  };
}
