/**
 * The per-request context every resolver sees. Declared here, in the schema layer, so the builder
 * can name it; built fresh for every request (or subscription) by `src/server/context.ts`.
 */
import type { UserMemory } from '../memory/index.js';

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

export interface GraphContext {
  caller: Caller;
  /**
   * The request's domain object: every read, write and live stream goes through it (input rules,
   * loaders, cached reads, invalidation, expected states as values).
   */
  memory: UserMemory;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /** Request-shape limits from the config. */
  limits: GraphLimits;
}

export interface GraphLimits {
  /** Max distinct names in `users(names)`. */
  maxUsers: number;
}
