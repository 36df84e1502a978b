/**
 * The one composition root. `createApp(config)` builds every config-derived part once (logs,
 * metrics and traces; one Redis connection per role; the upstream clients, the keyring, the read
 * cache and live updates, in `shared-state.ts`; the domain layer) and hands them down; nothing
 * below opens a connection. It returns the yoga instance (`server/yoga.ts`, usable on its own via
 * `yoga.fetch()`), mounted on a node:http server at /graphql with graphql-ws on the same path
 * (`server/http-server.ts`), and `start`/`stop`.
 */
import type { Server } from 'node:http';
import type { Server as McpServer } from '@modelcontextprotocol/sdk/server/index.js';
import type { Plugin } from 'graphql-yoga';
import type { Config } from './config.js';
import { KeyringError, type Keyring } from './keyring/index.js';
import { createMcpServer, prepareTools } from './mcp/server.js';
import { createInvalidator, createMemory, type UpstreamClients } from './memory/index.js';
import { createMemSyncAccounts, type MemSyncAccounts } from './memory/memsync-accounts.js';
import { createObservability, type Observability, type ObservabilityOptions } from './observability/index.js';
import { openRedis, redisTarget, type RedisConnections } from './redis.js';
import { schema } from './schema/index.js';
import { createAuthenticator, type Credentials } from './server/auth.js';
import { mintDevToken } from './server/dev-credentials.js';
import { createDocumentCaches, type DocumentCaches } from './server/document-cache.js';
import { createHttpServer, listen } from './server/http-server.js';
import type { ServerPluginOptions } from './server/plugins.js';
import { createShutdown, drainHttpServer, type Shutdown } from './server/shutdown.js';
import { createMaskError, isCallerError } from './server/upstream-errors.js';
import { createAuthentication } from './server/use-authentication.js';
import { createErrorPipeline } from './server/use-error-pipeline.js';
import { attachGraphQLWs, type GraphQLWsOptions, type GraphQLWsServer } from './server/ws.js';
import { createGatewayYoga, GRAPHQL_PATH, type GatewayYoga } from './server/yoga.js';
import { createSharedState, createUpstreamClients, openConfiguredKeyring, type SharedState } from './shared-state.js';

export interface AppOptions {
  /** Upstream clients to use instead of ones built from the config (tests); the caller closes them. @default built from the config */
  clients?: UpstreamClients;
  /** Streaming transports: graphql-ws limits and timers, the SSE heartbeat. @default {} */
  streaming?: {
    ws?: Omit<GraphQLWsOptions, 'path'>;
    /** Longest silence on an SSE response before a `:` heartbeat. @default 12000 */
    sseHeartbeatMs?: number;
  };
  /** Logger, limits, rate limits and tracing overrides. @default {} */
  production?: ObservabilityOptions & ServerPluginOptions;
  /** More yoga plugins, before the gateway's own (`npm start` serves the front-end example with one). @default [] */
  plugins?: Plugin[];
}

export interface App {
  yoga: GatewayYoga;
  server: Server;
  state: SharedState;
  observability: Observability;
  shutdown: Shutdown;
  /** A development JWT for `default` when the development credentials are in use. */
  devToken: string | null;
  /**
   * An MCP server over this gateway for one caller (stdio: `npm run mcp`); the same tools as
   * `/mcp`. Rejects with UNAUTHENTICATED when the credentials are not valid.
   */
  mcpServerFor(credentials: Credentials): Promise<McpServer>;
  /** The parsed-document and parse-error caches, bounded by bytes and count. */
  documents: DocumentCaches;
  /** The per-user MemSync keys (null with MEMSYNC_SCOPING=user-param). */
  keyring: Keyring | null;
  /** Which MemSync account each user is linked to. */
  memsyncAccounts: MemSyncAccounts;
  start(): Promise<{ url: string }>;
  stop(): Promise<void>;
}

/** What `stop()` closes, in order. */
interface RunningParts {
  config: Readonly<Config>;
  server: Server;
  ws: GraphQLWsServer;
  shutdown: Shutdown;
  observability: Observability;
  state: SharedState;
  /** Closed here unless the caller gave them (AppOptions.clients). */
  ownClients: UpstreamClients | null;
  keyring: Keyring | null;
  redis: RedisConnections | null;
}

/**
 * Not ready, stop accepting, end subscriptions with SHUTTING_DOWN, close sockets with 1001, let
 * in-flight requests finish within the drain timeout, then close pools and connections.
 */
async function stopRunning(parts: RunningParts, listening: boolean): Promise<void> {
  const { config, server, shutdown, state } = parts;
  shutdown.begin();
  const drained = listening ? drainHttpServer(server, { timeoutMs: config.ops.drainTimeoutMs }) : Promise.resolve(0);
  await shutdown.subscriptionsEnded(Math.min(2_000, config.ops.drainTimeoutMs));
  // Let the transports send what follows the last result (graphql-ws `complete`) before the 1001.
  await new Promise((resolve) => setTimeout(resolve, 50));
  await parts.ws.dispose();
  const cut = await drained;
  if (cut > 0) parts.observability.logger.warn({ connections: cut }, 'drain timeout: connections cut');
  await state.live.close();
  await state.cache.close();
  if (parts.ownClients) await Promise.all([parts.ownClients.synvo.close(), parts.ownClients.memsync.close()]);
  await parts.keyring?.close();
  await parts.redis?.close();
  await parts.observability.close();
}

/** Opens the keyring; on a failure closes what was opened before it and rethrows. */
async function openKeyringOrClose(config: Readonly<Config>, redis: RedisConnections | null, observability: Observability): Promise<Keyring | null> {
  try {
    return await openConfiguredKeyring(config, redis, observability);
  } catch (error) {
    await redis?.close();
    await observability.close();
    throw error;
  }
}

export async function createApp(config: Readonly<Config>, options: AppOptions = {}): Promise<App> {
  const observability = createObservability(config, { isCallerError, ...options.production });
  const { logger, metrics } = observability;
  const shutdown = createShutdown();
  const target = redisTarget(config);
  const redis = target ? openRedis(target, (error, role) => logger.warn({ err: error, role }, 'redis error')) : null;
  const keyring = await openKeyringOrClose(config, redis, observability);
  // Every MemSync call is made with the key of the user it is about (MEMSYNC_SCOPING=key).
  // Learned by the log scrubber before it is used: no line can carry it.
  const keyOf = async (user: string) => {
    const apiKey = keyring ? ((await keyring.get(user))?.apiKey ?? null) : null;
    observability.secrets.learn(apiKey);
    return apiKey;
  };
  const clients = options.clients ?? createUpstreamClients(config, observability, keyOf);
  const { invalidator, ...state } = createSharedState(config, clients, redis, createInvalidator, (error, what) =>
    logger.warn({ err: error, what }, 'shared state error'),
  );
  metrics.trackCacheStats('upstream', () => state.cache.stats());
  const memsyncAccounts = createMemSyncAccounts({
    scoping: config.memsync.scoping,
    keyring,
    memsync: clients.memsync,
    invalidator,
    learnKey: (apiKey) => observability.secrets.learn(apiKey),
  });
  const memory = createMemory({ ...state, invalidator, memsyncAccounts, ...config.graph });
  const authenticator = createAuthenticator(config.auth);
  const documents = createDocumentCaches();
  const devToken = config.auth.development && config.auth.jwtSecret ? await mintDevToken({ secret: config.auth.jwtSecret }) : null;
  const maskError = createMaskError({ development: config.nodeEnv === 'development' });
  const errors = createErrorPipeline({ maskError, onChanged: (error) => observability.yogaLogger.error(error) });
  // Every request is authenticated before its body is read or its document parsed.
  const authentication = createAuthentication(authenticator);
  const rateLimitRedis = redis?.get('rateLimit') ?? null;
  const yoga = createGatewayYoga(
    { config, observability, shutdown, rateLimitRedis, authentication, memory, documents, devToken, maskError, errors },
    { plugins: options.plugins, production: options.production, sseHeartbeatMs: options.streaming?.sseHeartbeatMs },
  );
  // MCP: tools are persisted operations run through this yoga, with the caller's credentials.
  const mcp = { tools: prepareTools(schema), yoga, graphqlPath: GRAPHQL_PATH, persisted: !!config.ops.persistedDocumentsPath };
  const server = createHttpServer({ yoga, authenticator, observability, mcp });
  const ws = attachGraphQLWs(server, yoga, authenticator, {
    production: config.production,
    toClientError: errors.toClientError,
    ...options.streaming?.ws,
    path: GRAPHQL_PATH,
  });
  const running: RunningParts = { config, server, ws, shutdown, observability, state, ownClients: options.clients ? null : clients, keyring, redis };
  let started = false;

  return {
    yoga,
    server,
    state,
    observability,
    shutdown,
    devToken,
    async mcpServerFor(credentials) {
      const caller = await authenticator.authenticate(credentials);
      return createMcpServer({ ...mcp, caller, credentials });
    },
    documents,
    keyring,
    memsyncAccounts,
    async start() {
      // Rate limits shared on Redis from the first request (bounded: Redis away must not block).
      await redis?.ready('rateLimit');
      const url = await listen(server, config.port, config.host);
      started = true;
      return { url };
    },
    async stop() {
      const listening = started;
      started = false;
      await stopRunning(running, listening);
    },
  };
}

/**
 * createApp for an entry point: a keyring that cannot be opened (wrong MEMGATE_KEYRING_SECRET,
 * corrupt keyring file, bad MEMSYNC_USER_KEYS_FILE) prints one line naming what to fix (never a
 * secret) and exits 1.
 */
export async function createAppOrExit(config: Readonly<Config>, options: AppOptions = {}): Promise<App> {
  try {
    return await createApp(config, options);
  } catch (error) {
    if (!(error instanceof KeyringError)) throw error;
    console.error(`memgate: cannot start: ${error.message}`);
    process.exit(1);
  }
}
