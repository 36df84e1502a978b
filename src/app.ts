/**
 * createApp(config) -> { yoga, server, start, stop }: the yoga instance (usable on its own via
 * `yoga.fetch()`), mounted on a node:http server at /graphql.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Config } from './config.js';
import { DEV_SERVICE_KEY } from './config.js';
import type { GraphContext, UpstreamClients } from './schema/context.js';
import { schema } from './schema/index.js';
import { createAuthenticator } from './server/auth.js';
import { createGraphContext } from './server/context.js';
import { mintDevToken } from './server/dev-credentials.js';
import { graphiqlOptions } from './server/graphiql.js';
import { createUpstreamClients } from './server/upstream-clients.js';
import { createGatewayState, type GatewayState } from './live/gateway-state.js';
import { createMaskError } from './server/upstream-errors.js';
import { createErrorPipeline, useErrorPipeline } from './server/use-error-pipeline.js';
import { createAuthentication } from './server/use-authentication.js';
import { createDocumentCaches, type DocumentCaches } from './server/document-cache.js';
import { answerClientErrors, useHttpErrors } from './server/use-http-errors.js';
import { createProduction, type Production, type ProductionOptions } from './server/production.js';
import { drainHttpServer } from './server/shutdown.js';
import { useSSEHeartbeat } from './server/use-sse-heartbeat.js';
import { useSubscriptionExpiry } from './server/use-subscription-expiry.js';
import { useMultipartUploads } from './server/use-multipart-uploads.js';
import { MAX_UPLOAD_BYTES } from './schema/types/file-mutations.js';
import { attachGraphQLWs, type GraphQLWsOptions } from './server/ws.js';
import type { Server as McpServer } from '@modelcontextprotocol/sdk/server/index.js';
import type { Credentials } from './server/auth.js';
import { createMcpHttpHandler, MCP_PATH } from './mcp/http.js';
import { createMcpServer, prepareTools } from './mcp/server.js';

export const GRAPHQL_PATH = '/graphql';

export interface AppOptions {
  /** Upstream clients to use instead of ones built from the config (tests); the caller closes them. @default built from the config */
  clients?: UpstreamClients;
  /** Streaming transports: graphql-ws limits and timers, the SSE heartbeat (issue 6). @default {} */
  streaming?: {
    ws?: Omit<GraphQLWsOptions, 'path'>;
    /** Longest silence on an SSE response before a `:` heartbeat. @default 12000 */
    sseHeartbeatMs?: number;
  };
  /** Logger, limits, rate limits and tracing overrides (issue 8). @default {} */
  production?: ProductionOptions;
}

export interface App {
  yoga: YogaServerInstance<Record<string, unknown>, GraphContext>;
  server: Server;
  clients: UpstreamClients;
  /** The read cache and live updates, in memory or in Redis (issue 7). */
  state: GatewayState;
  /** A development JWT for `default` when the development credentials are in use. */
  devToken: string | null;
  /** Logger, metrics, tracing and shutdown state (issue 8). */
  production: Production;
  /**
   * An MCP server over this gateway for one caller (stdio: `npm run mcp`); the same tools as
   * `/mcp`. Rejects with UNAUTHENTICATED when the credentials are not valid.
   */
  mcpServerFor(credentials: Credentials): Promise<McpServer>;
  /** The parsed-document and parse-error caches, bounded by bytes and count. */
  documents: DocumentCaches;
  start(): Promise<{ url: string }>;
  stop(): Promise<void>;
}

export async function createApp(config: Readonly<Config>, options: AppOptions = {}): Promise<App> {
  const ownsClients = !options.clients;
  // Logs, metrics, traces, limits, rate limits, shutdown (issue 8).
  const production = createProduction(config, options.production);
  const clients = options.clients ?? createUpstreamClients(config, production.upstreamHooks);
  // Cached reads, write invalidation, shared polling and fan-out; in Redis when REDIS_URL is set (issue 7).
  const state = createGatewayState(config, clients, {
    onError: (error, what) => production.logger.warn({ err: error, what }, 'gateway state error'),
  });
  production.metrics.trackCacheStats('upstream', () => state.cache.stats());
  const authenticator = createAuthenticator(config.auth);
  // Every request is authenticated before its body is read or its document parsed.
  const authentication = createAuthentication(authenticator);
  const documents = createDocumentCaches();
  const devToken =
    config.auth.development && config.auth.jwtSecret ? await mintDevToken({ secret: config.auth.jwtSecret }) : null;

  const maskError = createMaskError({ development: config.nodeEnv === 'development' });
  const errors = createErrorPipeline({ maskError, onChanged: (error) => production.yogaLogger.error(error) });
  // Each feature adds one `useX` here (issues 6, 7, 8).
  const plugins: Plugin<GraphContext>[] = [
    ...(production.plugins as Plugin<GraphContext>[]),
    // After CSRF prevention and the declared-length check (headers only, like it).
    authentication.plugin as Plugin<GraphContext>,
    useDeferStream() as Plugin<GraphContext>,
    useSSEHeartbeat({ intervalMs: options.streaming?.sseHeartbeatMs ?? 12_000 }),
    useSubscriptionExpiry(),
    useMultipartUploads({ maxFileSize: MAX_UPLOAD_BYTES }),
    // Last, so it wraps every other plugin's streams and sees what they throw.
    useErrorPipeline(errors) as Plugin<GraphContext>,
    // After every plugin that picks a request parser, so it wraps the one picked.
    useHttpErrors() as Plugin<GraphContext>,
  ];

  const yoga = createYoga<Record<string, unknown>, GraphContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    landingPage: false,
    graphiql: !config.ops.graphiql ? false : graphiqlOptions({ devToken, devServiceKey: config.auth.development ? DEV_SERVICE_KEY : null }),
    maskedErrors: { maskError },
    logging: production.yogaLogger,
    plugins,
    // Bodies are bounded by our own plugins: useLimits (JSON, any body of unknown length) and
    // useMultipartUploads (each part). Yoga's limit would pipe every body through one more
    // TransformStream and Request (about 6 % of the CPU on a one-field query, bench/).
    maxRequestBodySize: false,
    parserAndValidationCache: { documentCache: documents.documentCache, errorCache: documents.errorCache },
    context: async ({ request }) => {
      const caller = await authentication.callerOf(request);
      return createGraphContext({ caller, clients: state.clients, signal: request.signal, config, live: state.live });
    },
  });

  // MCP (issue 17): tools are persisted operations run through this yoga, with the caller's credentials.
  const mcp = {
    tools: prepareTools(schema),
    yoga,
    graphqlPath: GRAPHQL_PATH,
    persisted: !!config.ops.persistedDocumentsPath,
  };
  const mcpHttp = createMcpHttpHandler({
    ...mcp,
    authenticator,
    onError: (error) => production.logger.error({ err: error }, 'mcp request failed'),
  });
  const server = createServer((req, res) => {
    const path = req.url?.split('?', 1)[0];
    if (path === MCP_PATH) void mcpHttp(req, res);
    else void yoga(req, res);
  });
  answerClientErrors(server);
  const ws = attachGraphQLWs(server, yoga, authenticator, {
    production: config.production,
    toClientError: errors.toClientError,
    ...options.streaming?.ws,
    path: GRAPHQL_PATH,
  });
  let started = false;

  return {
    yoga,
    server,
    clients,
    state,
    devToken,
    production,
    async mcpServerFor(credentials) {
      const caller = await authenticator.authenticate(credentials);
      return createMcpServer({ ...mcp, caller, credentials });
    },
    documents,
    async start() {
      // Rate limits shared on Redis from the first request (bounded: Redis away must not block).
      await production.connected();
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          started = true;
          const { address, port } = server.address() as AddressInfo;
          const host = address.includes(':') ? `[${address}]` : address;
          resolve({ url: `http://${host}:${port}${GRAPHQL_PATH}` });
        });
      });
    },
    async stop() {
      // Graceful (issue 8): not ready, stop accepting, end subscriptions with SHUTTING_DOWN, close
      // sockets with 1001, let in-flight requests finish within the drain timeout, then close pools.
      production.shutdown.begin();
      const drained = started ? drainHttpServer(server, { timeoutMs: config.ops.drainTimeoutMs }) : Promise.resolve(0);
      await production.shutdown.subscriptionsEnded(Math.min(2_000, config.ops.drainTimeoutMs));
      // Let the transports send what follows the last result (graphql-ws `complete`) before the 1001.
      await new Promise((resolve) => setTimeout(resolve, 50));
      await ws.dispose();
      const cut = await drained;
      if (cut > 0) production.logger.warn({ connections: cut }, 'drain timeout: connections cut');
      started = false;
      await state.close();
      if (ownsClients) await Promise.all([clients.synvo.close(), clients.memsync.close()]);
      await production.close();
    },
  };
}
