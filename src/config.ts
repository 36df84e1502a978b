/**
 * The only reader of the environment (STYLE.md). `loadConfig(env)` validates every variable of
 * api-design.md at start, names the variable on any bad value, and returns a typed, frozen config.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import type { KeyringConfig } from './keyring/index.js';
import type { UpstreamClientOptions } from './upstream/types.js';

/** Development credentials, used only when both upstreams are the embedded emulators. */
export const DEV_SERVICE_KEY = 'memgate-dev-key';
export const DEV_JWT_SECRET = 'memgate-dev-secret';
/** Encrypts the keyring when MemSync is the embedded emulator and MEMGATE_KEYRING_SECRET is unset; printed by `npm start`. */
export const DEV_KEYRING_SECRET = 'memgate-dev-keyring-secret';
/** API keys the embedded emulators accept. */
export const EMULATOR_API_KEYS = { synvo: 'synvo-dev-key', memsync: 'memsync-dev-key' } as const;

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
}

/** Caching of upstream reads (issue 7). */
export interface CacheConfig {
  /** Lifetime of cached profiles, events, searches, answers, file lists and memory searches, in ms (a biography lives until it expires); 0 turns the read cache off. @default 30000 */
  ttlMs: number;
  /** Entries the in-memory cache holds (without REDIS_URL). @default 10000 */
  maxEntries: number;
}

/** Live updates (issue 7). */
export interface LiveConfig {
  /** Time between two status polls of a file being followed, in ms. @default 1000 */
  pollIntervalMs: number;
  /** Time between two polls of a user's events while the user has `events` subscribers, in ms. @default 5000 */
  eventsPollIntervalMs: number;
}

/** Production readiness (issue 8): switches, persisted documents, rate limits, tracing, shutdown. */
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

/** Who `npm run mcp` (MCP over stdio) acts as (issue 17). */
export interface McpConfig {
  /** An end user's JWT: the tools act as that user. @default null */
  token: string | null;
  /** A service key: the tools name their user. @default null */
  apiKey: string | null;
}

export interface Config {
  nodeEnv: NodeEnv;
  production: boolean;
  host: string;
  port: number;
  logLevel: LogLevel;
  redisUrl: string | null;
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

/** `null` for a string that is not a URL (zod runs refinements even after a failed check). */
function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const port = (fallback: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ invalid_type_error: 'must be a port number' })
      .int('must be an integer')
      .min(0, 'must be between 0 and 65535')
      .max(65535, 'must be between 0 and 65535')
      .default(fallback),
  );

const httpUrl = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .refine((u) => /^https?:$/.test(parseUrl(u)?.protocol ?? ''), 'must be an http or https URL such as https://api.example.com')
    .refine((u) => !parseUrl(u)?.username && !parseUrl(u)?.password, 'must not carry credentials')
    .optional(),
);

/** `true`/`false` (or 1/0, yes/no); absent: undefined, so the caller picks the default. */
const flag = z.preprocess(
  emptyToUndefined,
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { errorMap: () => ({ message: 'must be true or false' }) })
    .transform((v) => v === 'true' || v === '1' || v === 'yes')
    .optional(),
);

const positiveInt = (fallback: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce.number({ invalid_type_error: 'must be a whole number' }).int('must be a whole number').min(1, 'must be at least 1').default(fallback),
  );

const secret = z.preprocess(emptyToUndefined, z.string().min(1).optional());

const envSchema = z.object({
  PORT: port(4000),
  HOST: z.preprocess(emptyToUndefined, z.string().min(1).default('127.0.0.1')),
  NODE_ENV: z.preprocess(
    emptyToUndefined,
    z.enum(['development', 'production', 'test'], {
      errorMap: () => ({ message: 'must be one of development, production, test' }),
    }).default('development'),
  ),
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      errorMap: () => ({ message: 'must be one of fatal, error, warn, info, debug, trace, silent' }),
    }).default('info'),
  ),
  SYNVO_BASE_URL: httpUrl,
  SYNVO_API_KEY: secret,
  MEMSYNC_BASE_URL: httpUrl,
  MEMSYNC_API_KEY: secret,
  MEMSYNC_SCOPING: z.preprocess(
    emptyToUndefined,
    z.enum(['key', 'user-param'], { errorMap: () => ({ message: 'must be key (one MemSync key per user, the default) or user-param' }) }).default('key'),
  ),
  MEMSYNC_AGENT_ID: z.preprocess(
    emptyToUndefined,
    z.string().max(128, 'must be at most 128 characters').regex(/^[A-Za-z0-9._:@-]+$/, 'must be letters, digits, . _ : @ or -').default('memgate'),
  ),
  MEMGATE_KEYRING_SECRET: z.preprocess(
    emptyToUndefined,
    z.string().min(16, 'must be at least 16 characters (it encrypts the stored MemSync keys)').optional(),
  ),
  MEMGATE_DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./.memgate')),
  MEMSYNC_USER_KEYS_FILE: z.preprocess(emptyToUndefined, z.string().optional()),
  SYNVO_EMULATOR_PORT: port(4010),
  MEMSYNC_EMULATOR_PORT: port(4020),
  MEMGATE_JWT_SECRET: z.preprocess(
    emptyToUndefined,
    z.string().min(16, 'must be at least 16 characters (HS256 secret)').optional(),
  ),
  MEMGATE_JWKS_URL: httpUrl,
  MEMGATE_SERVICE_KEYS: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .transform((s) => s.split(',').map((k) => k.trim()).filter(Boolean))
      .refine((keys) => keys.length > 0, 'must list at least one key')
      .refine((keys) => keys.every((k) => k.length >= 8), 'every key must be at least 8 characters')
      .optional(),
  ),
  REDIS_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((u) => /^rediss?:$/.test(parseUrl(u)?.protocol ?? ''), 'must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379')
      .optional(),
  ),
  MEMGATE_REDIS_PREFIX: z.preprocess(
    emptyToUndefined,
    z.string().max(64, 'must be at most 64 characters').regex(/^[A-Za-z0-9:._-]+$/, 'must be letters, digits, : . _ or -').default('memgate:'),
  ),
  MEMGATE_CACHE_TTL_SECONDS: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ invalid_type_error: 'must be a number of seconds' }).min(0, 'must be 0 or more').max(86_400, 'must be at most 86400').default(30),
  ),
  MEMGATE_CACHE_MAX_ENTRIES: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ invalid_type_error: 'must be a whole number' }).int('must be a whole number').min(1, 'must be at least 1').default(10_000),
  ),
  MEMGATE_INTROSPECTION: flag,
  MEMGATE_GRAPHIQL: flag,
  MEMGATE_PERSISTED_ONLY: flag,
  MEMGATE_PERSISTED_DOCUMENTS: z.preprocess(emptyToUndefined, z.string().min(1).optional()),
  MEMGATE_RATE_LIMIT_USER_PER_MINUTE: positiveInt(120),
  MEMGATE_RATE_LIMIT_SERVICE_PER_MINUTE: positiveInt(1200),
  MEMGATE_DRAIN_TIMEOUT_MS: positiveInt(10_000),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl,
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl,
  MEMGATE_MCP_TOKEN: secret,
  MEMGATE_MCP_API_KEY: secret,
  MEMGATE_FILE_POLL_MS: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ invalid_type_error: 'must be a number of milliseconds' }).int('must be a whole number').min(10, 'must be at least 10').max(60_000, 'must be at most 60000').default(1_000),
  ),
  MEMGATE_EVENTS_POLL_MS: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ invalid_type_error: 'must be a number of milliseconds' }).int('must be a whole number').min(10, 'must be at least 10').max(300_000, 'must be at most 300000').default(5_000),
  ),
});

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * Reads and validates the environment.
 * @throws ConfigError naming every bad variable.
 */
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

export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    // Never echo the received value: it may be a secret.
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];

  if (e.SYNVO_BASE_URL && !e.SYNVO_API_KEY) problems.push('SYNVO_API_KEY: required when SYNVO_BASE_URL is set');
  const perUserKeys = e.MEMSYNC_SCOPING === 'key';
  if (e.MEMSYNC_BASE_URL && !perUserKeys && !e.MEMSYNC_API_KEY) {
    problems.push('MEMSYNC_API_KEY: required when MEMSYNC_BASE_URL is set with MEMSYNC_SCOPING=user-param');
  }
  if (e.MEMSYNC_BASE_URL && perUserKeys && !e.MEMGATE_KEYRING_SECRET) {
    problems.push(
      'MEMGATE_KEYRING_SECRET: required when MEMSYNC_BASE_URL is set (it encrypts the per-user MemSync keys at rest; ' +
        'at least 16 characters, e.g. `openssl rand -base64 32`)',
    );
  }
  if (!perUserKeys && e.MEMSYNC_USER_KEYS_FILE) {
    problems.push('MEMSYNC_USER_KEYS_FILE: per-user keys are not used with MEMSYNC_SCOPING=user-param');
  }

  const emulated = !e.SYNVO_BASE_URL && !e.MEMSYNC_BASE_URL;
  const anyReal = !!e.SYNVO_BASE_URL || !!e.MEMSYNC_BASE_URL;
  const callerAuthConfigured = !!e.MEMGATE_JWT_SECRET || !!e.MEMGATE_JWKS_URL || !!e.MEMGATE_SERVICE_KEYS;
  if (anyReal && !callerAuthConfigured) {
    problems.push(
      'MEMGATE_JWT_SECRET, MEMGATE_JWKS_URL or MEMGATE_SERVICE_KEYS: a real upstream is configured ' +
        '(SYNVO_BASE_URL/MEMSYNC_BASE_URL) but no caller authentication is; refusing to start ' +
        'with development credentials in front of real data',
    );
  }
  if (e.MEMGATE_JWT_SECRET && e.MEMGATE_JWKS_URL) {
    problems.push('MEMGATE_JWT_SECRET, MEMGATE_JWKS_URL: set one of them, not both');
  }
  if (e.MEMGATE_PERSISTED_ONLY && !e.MEMGATE_PERSISTED_DOCUMENTS) {
    problems.push('MEMGATE_PERSISTED_DOCUMENTS: required when MEMGATE_PERSISTED_ONLY is true (the manifest `npm run codegen` writes)');
  }
  if (e.MEMGATE_MCP_TOKEN && e.MEMGATE_MCP_API_KEY) {
    problems.push('MEMGATE_MCP_TOKEN, MEMGATE_MCP_API_KEY: set one of them, not both');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const development = emulated && !callerAuthConfigured;
  const config: Config = {
    nodeEnv: e.NODE_ENV,
    production: e.NODE_ENV === 'production',
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    redisUrl: e.REDIS_URL ?? null,
    redisPrefix: e.MEMGATE_REDIS_PREFIX,
    cache: { ttlMs: Math.round(e.MEMGATE_CACHE_TTL_SECONDS * 1000), maxEntries: e.MEMGATE_CACHE_MAX_ENTRIES },
    live: { pollIntervalMs: e.MEMGATE_FILE_POLL_MS, eventsPollIntervalMs: e.MEMGATE_EVENTS_POLL_MS },
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
    keyring: perUserKeys
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
    // Explicit so operators can read them here; the clients document each one.
    upstreamOptions: { connectTimeoutMs: 2_000, headersTimeoutMs: 10_000, bodyTimeoutMs: 10_000, maxAttempts: 3 },
    graph: { maxUsers: 100, userConcurrency: 8, eventsFilterWindow: 1000 },
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
