/** The shapes `UserMemory` works with: what it stands on, and the arguments and results of its reads and writes. */
import type { GatheredContext } from '../context/gather.js';
import type { LiveUpdates } from '../live/live-updates.js';
import type { UploadResult } from '../upstream/types.js';
import type { CachedReads, UpstreamClients } from './cached-reads.js';
import type { Invalidator } from './invalidation.js';
import type { MemSyncAccounts } from './memsync-accounts.js';

/** What every request's domain object stands on; built once by the composition root. */
export interface MemoryDeps {
  /** The upstream clients, for writes and live streams (reads go through `reads`). */
  clients: UpstreamClients;
  reads: CachedReads;
  invalidator: Invalidator;
  live: LiveUpdates;
  /** Which MemSync account each user is linked to (the keyring). */
  memsyncAccounts: MemSyncAccounts;
  /** Max calls in flight per endpoint within one request. */
  userConcurrency: number;
  /** Events fetched when a type filter must be applied locally (Synvo's max). */
  eventsFilterWindow: number;
  /** The largest upload the gateway accepts, in bytes (`MEMGATE_MAX_UPLOAD_MB`). */
  maxUploadBytes: number;
}

export interface EventsArgs {
  limit?: number | null;
  since?: Date | null;
  until?: Date | null;
  types?: readonly string[] | null;
}

export interface BiographyArgs {
  format?: string | null;
  style?: string | null;
  excludeCategories?: readonly string[] | null;
}

export interface MemoriesArgs {
  query: string;
  limit?: number | null;
  categories?: readonly string[] | null;
}

export interface StoreMemoriesArgs {
  threadId?: string | null;
  source?: string | null;
}

export interface ContextArgs {
  query: string;
  maxTokens?: number | null;
}

/** A user's context for an AI agent, with the budget it was cut to. */
export interface UserContext extends GatheredContext {
  maxTokens: number;
}

/** An upload Synvo accepted, with what the client sent about the file. */
export interface UploadedFile extends UploadResult {
  size: number;
  mimeType: string | null;
}
