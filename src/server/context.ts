/**
 * Builds the GraphQL context fresh for every request or subscription: the caller, the request's
 * domain object (its own loaders, so nothing is shared between requests or users) and the
 * request's AbortSignal. Transport-agnostic: HTTP (yoga) and graphql-ws both call it.
 */
import type { UserMemory } from '../memory/index.js';
import type { Caller, GraphContext } from '../schema/context.js';

export interface GraphContextInit {
  caller: Caller;
  /** The request's domain object (`memory.forRequest(signal)`). */
  memory: UserMemory;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /** Max distinct names in `users(names)`. */
  maxUsers: number;
}

export function createGraphContext({ caller, memory, signal, maxUsers }: GraphContextInit): GraphContext {
  return { caller, memory, signal, limits: { maxUsers } };
}
