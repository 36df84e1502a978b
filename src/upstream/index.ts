/** The upstream layer's public surface: the two clients, their error type and the input rules. */
export { createSynvoClient } from './synvo/client.js';
export { createMemSyncClient } from './memsync/client.js';
export { UpstreamError, isUpstreamError } from './errors.js';
export * from './vocabulary.js';
export { resolveClientOptions } from './transport/index.js';
export type * from './types.js';
