/**
 * Builds the GraphQL context fresh for every request or subscription: the caller, new loaders
 * (so nothing is shared between requests or users), the clients and the request's AbortSignal.
 * Transport-agnostic: HTTP (yoga) and graphql-ws both call `createGraphContext`.
 */
import type { Config } from '../config.js';
import { createLoaders } from '../loaders/index.js';
import type { Caller, GraphContext, UpstreamClients } from '../schema/context.js';
import type { LiveUpdates } from '../live/live-updates.js';

export interface GraphContextInit {
  caller: Caller;
  clients: UpstreamClients;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  config: Pick<Config, 'graph'>;
  /** Shared by every context: file statuses and new events. */
  live: LiveUpdates;
}

export function createGraphContext({ caller, clients, signal, config, live }: GraphContextInit): GraphContext {
  return {
    caller,
    clients,
    signal,
    live,
    loaders: createLoaders({
      synvo: clients.synvo,
      memsync: clients.memsync,
      signal,
      concurrency: config.graph.userConcurrency,
      eventsFilterWindow: config.graph.eventsFilterWindow,
    }),
    limits: { maxUsers: config.graph.maxUsers },
  };
}
