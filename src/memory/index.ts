/**
 * The domain layer between the schema and the upstreams. The composition root (`src/app.ts`)
 * calls `createMemory` once with the parts it built; every request gets its own `UserMemory`
 * from `forRequest(signal)`. To add an upstream operation: the client method (`src/upstream/`),
 * one `UserMemory` method with its input rule (`input-rules.ts`) and, for a write, its row in
 * `invalidation.ts` (a cached read: its kind and read in `cached-reads.ts`, its loader in
 * `loaders.ts`), one schema field. See the README's Architecture section.
 */
import type { ReadCache } from '../cache/read-cache.js';
import type { LiveUpdates } from '../live/live-updates.js';
import { createCachedReads, type CachedReads, type UpstreamClients } from './cached-reads.js';
import { createInvalidator, type Invalidator } from './invalidation.js';
import type { MemSyncAccounts } from './memsync-accounts.js';
import { DEFAULT_MAX_UPLOAD_BYTES } from './input-rules.js';
import { UserMemory } from './user-memory.js';

export { UserMemory, type UploadedFile, type UserContext } from './user-memory.js';
export type { ForgetFailure, ForgetReport } from './forget-user.js';
export type { UpstreamClients } from './cached-reads.js';
export type { Biography, BiographyNotReady, BiographyResult, MemSyncNotConnected } from './states.js';
export type { MemSyncAccounts, MemSyncConnectionState } from './memsync-accounts.js';
export { INVALIDATES, createInvalidator, type Invalidator, type Write } from './invalidation.js';
export * as inputRules from './input-rules.js';
export { InputError, isInputError } from './input-rules.js';

export interface MemoryOptions {
  clients: UpstreamClients;
  cache: ReadCache;
  live: LiveUpdates;
  /** The invalidator live updates already use. @default one over `cache` */
  invalidator?: Invalidator;
  /** Which MemSync account each user is linked to (the keyring). */
  memsyncAccounts: MemSyncAccounts;
  /** Max calls in flight per endpoint within one request. @default 8 */
  userConcurrency?: number;
  /** Events fetched when `events(types:)` must filter locally (Synvo's max). @default 1000 */
  eventsFilterWindow?: number;
  /** The largest upload accepted, in bytes. @default 104857600 (100 MiB) */
  maxUploadBytes?: number;
}

export interface MemoryDomain {
  /** The domain object of one request; its calls are aborted with `signal`. */
  forRequest(signal: AbortSignal): UserMemory;
  reads: CachedReads;
  invalidator: Invalidator;
}

export function createMemory(options: MemoryOptions): MemoryDomain {
  const reads = createCachedReads(options.clients, options.cache);
  const invalidator = options.invalidator ?? createInvalidator(options.cache);
  const deps = {
    clients: options.clients,
    reads,
    invalidator,
    live: options.live,
    memsyncAccounts: options.memsyncAccounts,
    userConcurrency: options.userConcurrency ?? 8,
    eventsFilterWindow: options.eventsFilterWindow ?? 1000,
    maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
  };
  return { forRequest: (signal) => new UserMemory(deps, signal), reads, invalidator };
}
