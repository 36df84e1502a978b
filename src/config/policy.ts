/**
 * Policy: the rules across variables (what must come together, what may not), the embedded
 * emulators' credentials, and the tuning constants operators read but do not set.
 */
import type { Env } from './env-schema.js';

/** Development credentials, used only when both upstreams are the embedded emulators. */
export const DEV_SERVICE_KEY = 'memgate-dev-key';
export const DEV_JWT_SECRET = 'memgate-dev-secret';
/** Encrypts the keyring when MemSync is the embedded emulator and MEMGATE_KEYRING_SECRET is unset; printed by `npm start`. */
export const DEV_KEYRING_SECRET = 'memgate-dev-keyring-secret';
/** API keys the embedded emulators accept. */
export const EMULATOR_API_KEYS = { synvo: 'synvo-dev-key', memsync: 'memsync-dev-key' } as const;

/** Explicit so operators can read them here; the clients document each one. */
export const UPSTREAM_TUNING = { connectTimeoutMs: 2_000, headersTimeoutMs: 10_000, bodyTimeoutMs: 10_000, maxAttempts: 3 } as const;
/** `users(names)` at most 100 names, 8 calls in flight per endpoint; `events(types)` filters Synvo's 1000 most recent. */
export const GRAPH_TUNING = { maxUsers: 100, userConcurrency: 8, eventsFilterWindow: 1000 } as const;
/** Most recent events read by each events poll, and to announce a processed upload's events. */
export const EVENTS_WINDOW = 200;

/** Where the upstreams are: both emulated (no base URL), and whether callers must authenticate for real. */
export function upstreamPolicy(e: Env) {
  const emulated = !e.SYNVO_BASE_URL && !e.MEMSYNC_BASE_URL;
  const callerAuthConfigured = !!e.MEMGATE_JWT_SECRET || !!e.MEMGATE_JWKS_URL || !!e.MEMGATE_SERVICE_KEYS;
  // The development credentials only in front of the emulators, and only when no caller auth is set.
  return { emulated, callerAuthConfigured, development: emulated && !callerAuthConfigured };
}

/** Every rule across variables that the environment breaks, each naming its variables. */
export function policyProblems(e: Env): string[] {
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
  const { emulated, callerAuthConfigured } = upstreamPolicy(e);
  if (!emulated && !callerAuthConfigured) {
    problems.push(
      'MEMGATE_JWT_SECRET, MEMGATE_JWKS_URL or MEMGATE_SERVICE_KEYS: a real upstream is configured ' +
        '(SYNVO_BASE_URL/MEMSYNC_BASE_URL) but no caller authentication is; refusing to start ' +
        'with development credentials in front of real data',
    );
  }
  if (e.MEMGATE_JWT_SECRET && e.MEMGATE_JWKS_URL) {
    problems.push('MEMGATE_JWT_SECRET, MEMGATE_JWKS_URL: set one of them, not both');
  }
  if (e.REDIS_URL && e.REDIS_CLUSTER_NODES) {
    problems.push('REDIS_URL, REDIS_CLUSTER_NODES: set one of them, not both (a single Redis, or the seeds of a Redis Cluster)');
  }
  if (e.MEMGATE_PERSISTED_ONLY && !e.MEMGATE_PERSISTED_DOCUMENTS) {
    problems.push('MEMGATE_PERSISTED_DOCUMENTS: required when MEMGATE_PERSISTED_ONLY is true (the manifest `npm run codegen` writes)');
  }
  if (e.MEMGATE_MCP_TOKEN && e.MEMGATE_MCP_API_KEY) {
    problems.push('MEMGATE_MCP_TOKEN, MEMGATE_MCP_API_KEY: set one of them, not both');
  }
  return problems;
}
