/** The public surface shared by both emulators: factories, controls, faults, counters. */

export type FaultKind =
  | 'latency' | 'status' | 'rateLimit' | 'malformed' | 'reset' | 'truncate'
  | 'slowStream' | 'cutStream' | 'stall' | 'shape'
  /** Extension to the contract: after `afterTokens` tokens, an SSE `{"type":"error"}` event built from `body` ({error, code}), then the stream ends. */
  | 'streamError';

export interface FaultSpec {
  /**
   * A route id or `*`. Synvo: profile, events, query, search, upload, fileStatus, fileList, fileDelete,
   * createDir, fileMove, download, thumbnail, webpage. MemSync: bio, memories, memoriesSearch, profile,
   * memoriesList, memoryUpdate, memoryDelete, memoriesBatchDelete, bioUpdate.
   */
  route: string;
  kind: FaultKind;
  /** How many calls the fault applies to; absent: until cleared. */
  times?: number;
  /** How many matching calls go through untouched before the fault applies (the 2nd call failing: 1); absent: 0. */
  skip?: number;
  ms?: number;
  jitterMs?: number;
  status?: number;
  body?: unknown;
  retryAfter?: number;
  tokenDelayMs?: number;
  afterTokens?: number;
  /**
   * `alternate`: Synvo's other profile/events shape; `envelope`: MemSync's `{"data","status","timestamp"}`
   * wrapping; `unscoped` (Synvo's search): `sub_user_name` ignored, every search answered as `default`'s
   * (what `npm run probe` must catch on a real account).
   */
  variant?: 'alternate' | 'envelope' | 'unscoped';
}

export interface RouteCalls {
  total: number;
  byUser: Record<string, number>;
}

export interface CallCounts {
  routes: Record<string, RouteCalls>;
  openStreams: number;
}

export interface EmulatorControls {
  addFault(fault: FaultSpec): void;
  clearFaults(): void;
  calls(): CallCounts;
  resetCalls(): void;
  /** Seed data back, no faults, counters at zero. */
  reset(): void;
}

export interface EmulatorOptions {
  /** @default 0 (any free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Accepted API keys. @default ['synvo-dev-key'] / ['memsync-dev-key'] */
  apiKeys?: string[];
  /** Serve the /__emulator/ control API. @default true */
  controls?: boolean;
  /** Requests a minute per API key. @default 100000 */
  rateLimitPerMinute?: number;
  /** Clock in epoch milliseconds, for expiry and cooldown tests. @default Date.now */
  now?: () => number;
  /** Fixed latency added to a route's every answer (benchmarks), by route id. @default {} */
  routeLatencyMs?: Record<string, number>;
}

export interface SynvoEmulatorOptions extends EmulatorOptions {
  /** Delay before an upload is processed. @default 300 */
  processingDelayMs?: number;
  /** Delay before the first streamed token. @default 0 */
  firstTokenDelayMs?: number;
  /** Delay between streamed tokens. @default 5 */
  tokenDelayMs?: number;
  /** Largest accepted upload in bytes (413 above it). @default 104857600 (100 MiB, as emulators/README.md says) */
  maxUploadBytes?: number;
  /** How long a `/file/download` URL works, on the `now` clock. @default 600000 (10 minutes) */
  downloadUrlTtlMs?: number;
  /** Time `/webpage/add` gives the page to answer before a 422. @default 5000 */
  webpageTimeoutMs?: number;
}

export interface MemSyncEmulatorOptions extends EmulatorOptions {
  /** Time a bio generation takes. @default 50 */
  generationDelayMs?: number;
  /**
   * `realistic`: MemSync's published limits per key (100 requests a minute, search 50), instead of
   * `rateLimitPerMinute` for everything. @default undefined
   */
  rateLimits?: 'realistic';
}

export interface RunningEmulator {
  /** The server's origin, e.g. http://127.0.0.1:4010 (no trailing slash); controls are under `/__emulator/`. */
  url: string;
  /** The base URL a client is configured with: Synvo's is `url`, MemSync's is `url` + `/v1`. */
  apiUrl: string;
  port: number;
  controls: EmulatorControls;
  stop(): Promise<void>;
}
