/**
 * The one composition root. `createApp(config)` builds every config-derived part once (logs,
 * metrics and traces; one Redis connection per role; the upstream clients; the read cache; live
 * updates; the domain layer) and hands them down; nothing below opens a connection. It returns
 * the yoga instance (usable on its own via `yoga.fetch()`), mounted on a node:http server at
 * /graphql with graphql-ws on the same path, and `start`/`stop`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { createMemoryCacheStore } from './cache/memory-store.js';
import { createReadCache, type ReadCache } from './cache/read-cache.js';
import { createRedisCacheStore } from './cache/redis-store.js';
import type { Config } from './config.js';
import { DEV_SERVICE_KEY } from './config.js';
import { createMemoryPubSub, createRedisPubSub } from './live/live-pubsub.js';
import { createMemoryLiveState } from './live/live-state.js';
import { createLiveUpdates, type LiveUpdates } from './live/live-updates.js';
import { createRedisLiveState } from './live/redis-live-state.js';
import { createKeyring, KeyringError, type Keyring } from './keyring/index.js';
import { createInvalidator, createMemory, inputRules, type Invalidator, type UpstreamClients } from './memory/index.js';
import { createMemSyncAccounts, type MemSyncAccounts } from './memory/memsync-accounts.js';
import { createObservability, type Observability, type ObservabilityOptions } from './observability/index.js';
import { openRedis, redisTarget, type RedisConnections } from './redis.js';
import type { GraphContext } from './schema/context.js';
import { schema } from './schema/index.js';
import { createAuthenticator } from './server/auth.js';
import { createGraphContext } from './server/context.js';
import { mintDevToken } from './server/dev-credentials.js';
import { createGraphiQLRenderer, graphiqlOptions } from './server/graphiql.js';
import { createServerPlugins, type ServerPluginOptions } from './server/plugins.js';
import { createShutdown, drainHttpServer, type Shutdown } from './server/shutdown.js';
import { createMaskError } from './server/upstream-errors.js';
import { createErrorPipeline, useErrorPipeline } from './server/use-error-pipeline.js';
import { createAuthentication } from './server/use-authentication.js';
import { createDocumentCaches, type DocumentCaches } from './server/document-cache.js';
import { answerClientErrors, useHttpErrors } from './server/use-http-errors.js';
import { useMultipartUploads } from './server/use-multipart-uploads.js';
import { useSSEHeartbeat } from './server/use-sse-heartbeat.js';
import { useSubscriptionExpiry } from './server/use-subscription-expiry.js';
import { attachGraphQLWs, type GraphQLWsOptions } from './server/ws.js';
import { createMemSyncClient, createSynvoClient } from './upstream/index.js';
import type { Server as McpServer } from '@modelcontextprotocol/sdk/server/index.js';
import type { Credentials } from './server/auth.js';
import { createMcpHttpHandler, MCP_PATH } from './mcp/http.js';
import { describeCaller } from './server/use-request-logging.js';
import { createMcpServer, prepareTools } from './mcp/server.js';

export const GRAPHQL_PATH = '/graphql';

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

/** The parts every request and instance shares: what the domain layer stands on. */
export interface SharedState {
  /** The upstream clients every call goes through (looked up per call). */
  clients: UpstreamClients;
  cache: ReadCache;
  live: LiveUpdates;
  /** True when the cache and live state live in Redis. */
  shared: boolean;
}

export interface App {
  yoga: YogaServerInstance<Record<string, unknown>, GraphContext>;
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

/** `keyOf`: a user's MemSync API key (the keyring), for MEMSYNC_SCOPING=key. */
function createUpstreamClients(
  config: Readonly<Config>,
  observability: Observability,
  keyOf: (user: string) => Promise<string | null>,
): UpstreamClients {
  if (!config.synvo.baseUrl || !config.memsync.baseUrl) {
    throw new Error('No upstream base URL: set SYNVO_BASE_URL and MEMSYNC_BASE_URL, or run `npm start` to use the embedded emulators');
  }
  const options = { ...config.upstreamOptions, ...observability.upstreamHooks };
  return {
    synvo: createSynvoClient({ baseUrl: config.synvo.baseUrl, apiKey: config.synvo.apiKey, options }),
    memsync: createMemSyncClient({
      baseUrl: config.memsync.baseUrl,
      apiKey: config.memsync.apiKey,
      scoping: config.memsync.scoping,
      keyOf,
      agentId: config.memsync.agentId,
      options,
    }),
  };
}

/**
 * The keyring the config asks for: in Redis (shared by every instance) with REDIS_URL, else in the
 * encrypted file under MEMGATE_DATA_DIR; null with MEMSYNC_SCOPING=user-param. Throws
 * KeyringError (wrong secret, corrupt keyring, bad MEMSYNC_USER_KEYS_FILE) before anything serves.
 */
function openConfiguredKeyring(config: Readonly<Config>, redis: RedisConnections | null, observability: Observability): Promise<Keyring> | null {
  if (!config.keyring) return null;
  return createKeyring(config.keyring, {
    redis: redis?.get('keyring') ?? null,
    redisPrefix: config.redisPrefix,
    onDeferred: (error) => observability.logger.warn({ err: error }, 'keyring: Redis unreachable at start; opening the keyring on first use'),
  });
}

/** The read cache and live updates: in memory, or in Redis shared with every instance. */
function createSharedState(
  config: Readonly<Config>,
  clients: UpstreamClients,
  redis: RedisConnections | null,
  invalidate: (cache: ReadCache) => Invalidator,
  onError: (error: unknown, what: string) => void,
): SharedState & { invalidator: Invalidator } {
  const prefix = config.redisPrefix;
  const cache = createReadCache({
    store: redis ? createRedisCacheStore(redis.get('commands'), { prefix }) : createMemoryCacheStore({ maxEntries: config.cache.maxEntries }),
    ttlMs: config.cache.ttlMs,
    onError: (error, operation) => onError(error, `cache ${operation}`),
  });
  const invalidator = invalidate(cache);
  const live = createLiveUpdates({
    synvo: clients.synvo,
    state: redis ? createRedisLiveState(redis.get('commands'), { prefix }) : createMemoryLiveState(),
    pubsub: redis
      ? createRedisPubSub({
          publisher: redis.get('commands'),
          subscriber: redis.get('subscriber'),
          prefix,
          sharded: redis.cluster,
          onError: (error) => onError(error, 'live fan-out'),
        })
      : createMemoryPubSub(),
    pollIntervalMs: config.live.pollIntervalMs,
    eventsPollIntervalMs: config.live.eventsPollIntervalMs,
    eventsWindow: config.live.eventsWindow,
    onFileSettled: invalidator.afterFileSettled,
    onNewEvents: (user) => invalidator.after('newEvents', user),
    onUserForgotten: (user) => invalidator.after('forgetUser', user),
    onError,
  });
  return { clients, cache, live, shared: !!redis, invalidator };
}

export async function createApp(config: Readonly<Config>, options: AppOptions = {}): Promise<App> {
  const observability = createObservability(config, options.production);
  const { logger, metrics } = observability;
  const shutdown = createShutdown();
  const target = redisTarget(config);
  const redis = target ? openRedis(target, (error, role) => logger.warn({ err: error, role }, 'redis error')) : null;
  let keyring: Keyring | null;
  try {
    keyring = await openConfiguredKeyring(config, redis, observability);
  } catch (error) {
    await redis?.close();
    await observability.close();
    throw error;
  }
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
  // Every request is authenticated before its body is read or its document parsed.
  const authentication = createAuthentication(authenticator);
  const documents = createDocumentCaches();
  const devToken = config.auth.development && config.auth.jwtSecret ? await mintDevToken({ secret: config.auth.jwtSecret }) : null;

  const maskError = createMaskError({ development: config.nodeEnv === 'development' });
  const errors = createErrorPipeline({ maskError, onChanged: (error) => observability.yogaLogger.error(error) });
  const plugins: Plugin<GraphContext>[] = [
    // First: the paths they answer (a page, a dev endpoint) end before the GraphQL pipeline.
    ...((options.plugins ?? []) as Plugin<GraphContext>[]),
    ...(createServerPlugins(config, { observability, shutdown, rateLimitRedis: redis?.get('rateLimit') ?? null }, options.production) as Plugin<GraphContext>[]),
    // After CSRF prevention and the declared-length check (headers only, like it).
    authentication.plugin as Plugin<GraphContext>,
    useDeferStream() as Plugin<GraphContext>,
    useSSEHeartbeat({ intervalMs: options.streaming?.sseHeartbeatMs ?? 12_000 }),
    useSubscriptionExpiry(),
    useMultipartUploads({ maxFileSize: config.graph.maxUploadBytes }),
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
    // GraphiQL from the installed packages, not a CDN: it works offline.
    renderGraphiQL: createGraphiQLRenderer(GRAPHQL_PATH),
    maskedErrors: { maskError },
    logging: observability.yogaLogger,
    plugins,
    // Bodies are bounded by our own plugins: useLimits (JSON, any body of unknown length) and
    // useMultipartUploads (each part). Yoga's limit would pipe every body through one more
    // TransformStream and Request (about 6 % of the CPU on a one-field query, bench/).
    maxRequestBodySize: false,
    parserAndValidationCache: { documentCache: documents.documentCache, errorCache: documents.errorCache },
    context: async ({ request }) => {
      const caller = await authentication.callerOf(request);
      return createGraphContext({ caller, memory: memory.forRequest(request.signal), signal: request.signal, maxUsers: config.graph.maxUsers });
    },
  });

  // MCP: tools are persisted operations run through this yoga, with the caller's credentials.
  const mcp = { tools: prepareTools(schema), yoga, graphqlPath: GRAPHQL_PATH, persisted: !!config.ops.persistedDocumentsPath };
  const mcpHttp = createMcpHttpHandler({
    ...mcp,
    authenticator,
    onError: (error) => logger.error({ err: error }, 'mcp request failed'),
    onRequest: ({ method, status, durationMs, caller }) => {
      metrics.httpRequests.inc({ method, status: String(status) });
      logger.info({ method, path: MCP_PATH, status, durationMs, caller: describeCaller({ caller }) }, 'mcp request');
    },
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
      // Not ready, stop accepting, end subscriptions with SHUTTING_DOWN, close sockets with 1001,
      // let in-flight requests finish within the drain timeout, then close pools and connections.
      shutdown.begin();
      const drained = started ? drainHttpServer(server, { timeoutMs: config.ops.drainTimeoutMs }) : Promise.resolve(0);
      await shutdown.subscriptionsEnded(Math.min(2_000, config.ops.drainTimeoutMs));
      // Let the transports send what follows the last result (graphql-ws `complete`) before the 1001.
      await new Promise((resolve) => setTimeout(resolve, 50));
      await ws.dispose();
      const cut = await drained;
      if (cut > 0) logger.warn({ connections: cut }, 'drain timeout: connections cut');
      started = false;
      await state.live.close();
      await state.cache.close();
      if (!options.clients) await Promise.all([clients.synvo.close(), clients.memsync.close()]);
      await keyring?.close();
      await redis?.close();
      await observability.close();
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
