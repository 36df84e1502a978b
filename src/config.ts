/**
 * The only reader of the environment (STYLE.md). `loadConfig(env)` validates every variable of
 * api-design.md at start (the schema, `config/env-schema.ts`), then the rules across them (the
 * policy, `config/policy.ts`), names the variable on any bad value, and returns a typed, frozen config.
 */
import { resolve } from 'node:path';
import type { KeyringConfig } from './keyring/index.js';
import type { UpstreamClientOptions } from './upstream/types.js';
import { envSchema, parseUrl } from './config/env-schema.js';
import { DEV_JWT_SECRET, DEV_KEYRING_SECRET, DEV_SERVICE_KEY, EMULATOR_API_KEYS, EVENTS_WINDOW, GRAPH_TUNING, UPSTREAM_TUNING, policyProblems, upstreamPolicy } from './config/policy.js';

export { DEV_JWT_SECRET, DEV_KEYRING_SECRET, DEV_SERVICE_KEY, EMULATOR_API_KEYS } from './config/policy.js';

export type NodeEnv = 'development' | 'production' | 'test';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface UpstreamConfig {
  /** Base URL without a trailing slash; `null` when the embedded emulator is to be used. */
  baseUrl: string | null;
  /** API key for the upstream; never logged, never returned. */
  apiKey: string;
  /** Port for the embedded emulator (0: any free port). @default 4010 (Synvo) / 4020 (MemSync) */
  emulatorPort: number;
}

/** How MemSync learns whose memory a call is about. */
export type MemSyncScoping = 'key' | 'user-param';

export interface MemSyncConfig extends UpstreamConfig {
  /**
   * `key`: every call is made with the MemSync API key of the user it is about (from the keyring);
   * `user-param`: the operator's key for every call, with the user as `user_id` (accounts that
   * partition one key by user). @default 'key'
   */
  scoping: MemSyncScoping;
  /** `agent_id` sent with stored memories (MEMSYNC_AGENT_ID). @default 'memgate' */
  agentId: string;
}

export interface AuthConfig {
  /** HS256 secret for end-user JWTs. */
  jwtSecret: string | null;
  /** JWKS URL for end-user JWTs (RS256/ES256...), used when set. */
  jwksUrl: string | null;
  /** Accepted `X-Api-Key` values for trusted back-ends. */
  serviceKeys: readonly string[];
  /** True when the development credentials are in use (embedded emulators only). */
  development: boolean;
}

export interface GraphConfig {
  /** Max names accepted by `users(names)`. @default 100 */
  maxUsers: number;
  /** Max users whose upstream calls run at once, per endpoint, within one request. @default 8 */
  userConcurrency: number;
  /** Events fetched from Synvo when `events(types)` must filter locally (Synvo's max). @default 1000 */
  eventsFilterWindow: number;
  /** The largest upload accepted, in bytes (`MEMGATE_MAX_UPLOAD_MB`). @default 104857600 (100 MiB) */
  maxUploadBytes: number;
}

/** Caching of upstream reads. */
export interface CacheConfig {
  /** Lifetime of cached profiles, events, searches, answers, file lists and memory searches, in ms (a biography lives until it expires); 0 turns the read cache off. @default 30000 */
  ttlMs: number;
  /** Entries the in-memory cache holds (without REDIS_URL). @default 10000 */
  maxEntries: number;
}

/** Live updates. */
export interface LiveConfig {
  /** Time between two status polls of a file being followed, in ms. @default 1000 */
  pollIntervalMs: number;
  /** Time between two polls of a user's events while the user has `events` subscribers, in ms. @default 5000 */
  eventsPollIntervalMs: number;
  /** Most recent events read by each events poll and to announce an upload's events. @default 200 */
  eventsWindow: number;
}

/** Production switches, persisted documents, rate limits, tracing, shutdown. */
export interface OpsConfig {
  /** Schema introspection and "Did you mean" field suggestions. @default !production */
  introspection: boolean;
  /** GraphiQL on the GraphQL path in a browser. @default !production */
  graphiql: boolean;
  /** Run only the documents of the persisted documents manifest. @default false */
  persistedOnly: boolean;
  /** Path of the manifest written by `npm run codegen`. @default null (required with persistedOnly) */
  persistedDocumentsPath: string | null;
  /** Operations per minute of each end user. @default 120 */
  userRateLimitPerMinute: number;
  /** Operations per minute of each service key. @default 1200 */
  serviceRateLimitPerMinute: number;
  /** Time in-flight requests have to finish on SIGTERM/SIGINT, in ms. @default 10000 */
  drainTimeoutMs: number;
  /** OTLP/HTTP traces endpoint; tracing is off when null. @default null */
  otlpTracesEndpoint: string | null;
}

/** Who `npm run mcp` (MCP over stdio) acts as. */
export interface McpConfig {
  /** An end user's JWT: the tools act as that user. @default null */
  token: string | null;
  /** A service key: the tools name their user. @default null */
  apiKey: string | null;
}

/** One seed of a Redis Cluster; the client discovers the other nodes from it. */
export interface RedisClusterNode {
  host: string;
  port: number;
}

export interface Config {
  nodeEnv: NodeEnv;
  production: boolean;
  host: string;
  port: number;
  logLevel: LogLevel;
  redisUrl: string | null;
  /** Seeds of a Redis Cluster (REDIS_CLUSTER_NODES), instead of `redisUrl`. @default null */
  redisClusterNodes: RedisClusterNode[] | null;
  /** Prefix of every Redis key and channel, so deployments can share a Redis. @default 'memgate:' */
  redisPrefix: string;
  cache: CacheConfig;
  live: LiveConfig;
  synvo: UpstreamConfig;
  memsync: MemSyncConfig;
  /** The per-user MemSync key store; null with MEMSYNC_SCOPING=user-param (no per-user keys). */
  keyring: KeyringConfig | null;
  /** True when neither upstream has a base URL: the launcher embeds both emulators. */
  emulated: boolean;
  auth: AuthConfig;
  /** Options handed to both upstream clients. */
  upstreamOptions: UpstreamClientOptions;
  graph: GraphConfig;
  ops: OpsConfig;
  mcp: McpConfig;
}

/** Thrown by `loadConfig`; the message names every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}


function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** loadConfig for an entry point: a bad value prints the ConfigError's one-line message and exits 1. */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

/**
 * Reads and validates the environment: the schema per variable, then the policy across them.
 * @throws ConfigError naming every bad variable.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    // Never echo the received value: it may be a secret.
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const problems = policyProblems(e);
  if (problems.length > 0) throw new ConfigError(problems);

  const { emulated, development } = upstreamPolicy(e);
  const config: Config = {
    nodeEnv: e.NODE_ENV,
    production: e.NODE_ENV === 'production',
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    redisUrl: e.REDIS_URL ?? null,
    redisClusterNodes: e.REDIS_CLUSTER_NODES ?? null,
    redisPrefix: e.MEMGATE_REDIS_PREFIX,
    cache: { ttlMs: Math.round(e.MEMGATE_CACHE_TTL_SECONDS * 1000), maxEntries: e.MEMGATE_CACHE_MAX_ENTRIES },
    live: { pollIntervalMs: e.MEMGATE_FILE_POLL_MS, eventsPollIntervalMs: e.MEMGATE_EVENTS_POLL_MS, eventsWindow: EVENTS_WINDOW },
    synvo: {
      baseUrl: e.SYNVO_BASE_URL ? stripSlash(e.SYNVO_BASE_URL) : null,
      apiKey: e.SYNVO_BASE_URL ? (e.SYNVO_API_KEY ?? '') : (e.SYNVO_API_KEY ?? EMULATOR_API_KEYS.synvo),
      emulatorPort: e.SYNVO_EMULATOR_PORT,
    },
    memsync: {
      baseUrl: e.MEMSYNC_BASE_URL ? stripSlash(e.MEMSYNC_BASE_URL) : null,
      apiKey: e.MEMSYNC_BASE_URL ? (e.MEMSYNC_API_KEY ?? '') : (e.MEMSYNC_API_KEY ?? EMULATOR_API_KEYS.memsync),
      emulatorPort: e.MEMSYNC_EMULATOR_PORT,
      scoping: e.MEMSYNC_SCOPING,
      agentId: e.MEMSYNC_AGENT_ID,
    },
    keyring:
      e.MEMSYNC_SCOPING === 'key'
        ? {
            secret: e.MEMGATE_KEYRING_SECRET ?? DEV_KEYRING_SECRET,
            developmentSecret: !e.MEMGATE_KEYRING_SECRET,
            dataDir: resolve(e.MEMGATE_DATA_DIR),
            userKeysFile: e.MEMSYNC_USER_KEYS_FILE ? resolve(e.MEMSYNC_USER_KEYS_FILE) : null,
          }
        : null,
    emulated,
    auth: {
      jwtSecret: e.MEMGATE_JWT_SECRET ?? (development ? DEV_JWT_SECRET : null),
      jwksUrl: e.MEMGATE_JWKS_URL ?? null,
      serviceKeys: e.MEMGATE_SERVICE_KEYS ?? (development ? [DEV_SERVICE_KEY] : []),
      development,
    },
    upstreamOptions: { ...UPSTREAM_TUNING },
    graph: { ...GRAPH_TUNING, maxUploadBytes: Math.round(e.MEMGATE_MAX_UPLOAD_MB * 1024 * 1024) },
    ops: {
      introspection: e.MEMGATE_INTROSPECTION ?? e.NODE_ENV !== 'production',
      graphiql: e.MEMGATE_GRAPHIQL ?? e.NODE_ENV !== 'production',
      persistedOnly: e.MEMGATE_PERSISTED_ONLY ?? false,
      persistedDocumentsPath: e.MEMGATE_PERSISTED_DOCUMENTS ?? null,
      userRateLimitPerMinute: e.MEMGATE_RATE_LIMIT_USER_PER_MINUTE,
      serviceRateLimitPerMinute: e.MEMGATE_RATE_LIMIT_SERVICE_PER_MINUTE,
      drainTimeoutMs: e.MEMGATE_DRAIN_TIMEOUT_MS,
      otlpTracesEndpoint:
        e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
        (e.OTEL_EXPORTER_OTLP_ENDPOINT ? `${stripSlash(e.OTEL_EXPORTER_OTLP_ENDPOINT)}/v1/traces` : null),
    },
    mcp: { token: e.MEMGATE_MCP_TOKEN ?? null, apiKey: e.MEMGATE_MCP_API_KEY ?? null },
  };
  return deepFreeze(config);
}


/**
 * A copy of `config` pointing at running upstreams (the embedded emulators, or test servers).
 * Used by the launcher outside `src/`; keeps the config frozen.
 */
export function withUpstreams(
  config: Readonly<Config>,
  upstreams: { synvo?: { baseUrl: string; apiKey?: string }; memsync?: { baseUrl: string; apiKey?: string } },
  overrides: Partial<Pick<Config, 'port' | 'host' | 'upstreamOptions' | 'graph'>> = {},
): Readonly<Config> {
  const next: Config = {
    ...config,
    ...overrides,
    synvo: upstreams.synvo
      ? { ...config.synvo, baseUrl: stripSlash(upstreams.synvo.baseUrl), apiKey: upstreams.synvo.apiKey ?? config.synvo.apiKey }
      : config.synvo,
    memsync: upstreams.memsync
      ? { ...config.memsync, baseUrl: stripSlash(upstreams.memsync.baseUrl), apiKey: upstreams.memsync.apiKey ?? config.memsync.apiKey }
      : config.memsync,
    graph: { ...config.graph, ...overrides.graph },
    upstreamOptions: { ...config.upstreamOptions, ...overrides.upstreamOptions },
  };
  return deepFreeze(next);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) if (typeof v !== 'function') deepFreeze(v);
  }
  return value;
}

export { loadKeyringNewSecret, loadProbeConfig, type ProbeConfig } from './config/tools.js';
