/**
 * The per-request context every resolver sees. Declared here, in the schema layer, so the builder
 * can name it; built fresh for every request (or subscription) by `src/server/context.ts`.
 */
import type { Loaders } from '../loaders/index.js';
import type { MemSyncClient, SynvoClient } from '../upstream/types.js';
import type { LiveUpdates } from '../live/live-updates.js';

/** An end user signed in with a JWT: may only see itself. */
export interface UserCaller {
  kind: 'user';
  /** The JWT's `sub`: the user's name at both upstreams. */
  name: string;
  /** When the token expires (ends open subscriptions). */
  expiresAt: Date | null;
}

/** A trusted back-end holding one of the service keys: may name any user. */
export interface ServiceCaller {
  kind: 'service';
  /** A short, non-secret fingerprint of the key, for logs. */
  keyId: string;
}

export type Caller = UserCaller | ServiceCaller;

export interface UpstreamClients {
  synvo: SynvoClient;
  memsync: MemSyncClient;
}

export interface GraphContext {
  caller: Caller;
  /** Per-request DataLoaders over the clients: one upstream call per distinct (user, arguments). */
  loaders: Loaders;
  /** The clients themselves, for calls that must not be deduplicated (mutations, streams). */
  clients: UpstreamClients;
  /** Aborted when the client goes away; passed to every upstream call. */
  signal: AbortSignal;
  /** Request-shape limits from the config. */
  limits: GraphLimits;
  /** File statuses and new events as they happen, shared by every request and instance. */
  live: LiveUpdates;
}

export interface GraphLimits {
  /** Max distinct names in `users(names)`. */
  maxUsers: number;
}
