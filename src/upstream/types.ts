/**
 * The contract between the gateway and its upstream clients: plain, normalised data and one
 * error type. Nothing here knows GraphQL (see ../shared/STYLE.md).
 */

import type { BioFormat, BioStyle } from './vocabulary.js';

export type ServiceName = 'synvo' | 'memsync';

/**
 * Stable error codes. The first group matches the GraphQL error codes of api-design.md one to
 * one; `NOT_FOUND` is an expected 404 that the schema turns into a typed state
 * (e.g. BIO_NOT_FOUND -> BiographyNotReady); `ABORTED` is a call the caller cancelled.
 */
export type UpstreamErrorCode =
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_BAD_RESPONSE'
  | 'UPSTREAM_REJECTED'
  | 'RATE_LIMITED'
  | 'CONTEXT_TOO_LONG'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'ABORTED';

export interface UpstreamErrorInit {
  code: UpstreamErrorCode;
  service: ServiceName;
  /** Which client method / endpoint failed, e.g. `profile`, `bio`. */
  endpoint: string;
  /** HTTP status of the upstream response, when there was one. */
  status?: number;
  /** Seconds the caller should wait (429s). */
  retryAfter?: number;
  /** The upstream's own error code, e.g. `BIO_NOT_FOUND`, `INVALID_FORMAT`. */
  upstreamCode?: string;
  /** Extra fields of the upstream error body that callers may use (never secrets). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** Implemented in ./errors.ts. Declared here so every layer can depend on the shape. */
export interface UpstreamErrorShape extends Error {
  readonly code: UpstreamErrorCode;
  readonly service: ServiceName;
  readonly endpoint: string;
  readonly status?: number;
  readonly retryAfter?: number;
  readonly upstreamCode?: string;
  readonly details?: Record<string, unknown>;
}

export interface CallOptions {
  /** Aborts the upstream call (client gone, subscription ended). */
  signal?: AbortSignal;
}

// ---------------------------------------------------------------- Synvo

/** One profile value. Category and subtopic keys are lower-cased; unknown ones are kept. */
export interface ProfileAttribute {
  category: string;
  subtopic: string;
  /** A subtopic may hold one string or several; always an array here. */
  values: string[];
}

export interface SynvoProfile {
  attributes: ProfileAttribute[];
}

export interface SynvoEvent {
  /** Lower-cased upstream event_type: personal, financial, professional, educational, social (others kept). */
  type: string;
  content: string;
  /** Zone-less upstream times are read as UTC. */
  happenTime: Date | null;
  mentionTime: Date;
}

export interface EventsQuery {
  /** @default 10 */
  limit?: number;
  since?: Date;
  until?: Date;
}

export interface SynvoAnswer {
  text: string;
  role: string;
  /** Upstream `response.cuid`. */
  messageId: string;
  /** Upstream `suid`. */
  sessionId: string;
  summary: string | null;
  createdAt: Date;
  timestamp: Date;
}

export type AnswerStreamEvent =
  | { type: 'token'; token: string }
  | { type: 'done'; answer: SynvoAnswer };

export interface SynvoFileHit {
  id: string;
  path: string;
  name: string;
  mimeType: string;
  createdAt: Date;
}

export type FileStatus = 'PENDING' | 'COMPLETED' | 'FAILED' | 'UNKNOWN';

export interface FileStatusResult {
  fileId: string;
  status: FileStatus;
}

export interface SynvoFileEntry {
  isDir: boolean;
  name: string;
  path: string;
  fileId: string | null;
  size: number | null;
  status: FileStatus | null;
  createdAt: Date | null;
}

/** A web `File`/`Blob` with a name; streamed to the upstream, never buffered whole by the client. */
export interface UploadInput {
  name: string;
  type: string;
  size: number;
  stream(): ReadableStream<Uint8Array>;
}

export interface UploadResult {
  fileId: string;
  filename: string;
  path: string;
  renamed: boolean;
  timestamp: Date;
}

export interface SynvoClient {
  readonly service: 'synvo';
  /** `null` when the upstream answers 404 (a user with no data yet). */
  getProfile(user: string, opts?: CallOptions): Promise<SynvoProfile | null>;
  /** `[]` when the upstream answers 404 (a user with no data yet). Chronological order. */
  getEvents(user: string, query?: EventsQuery, opts?: CallOptions): Promise<SynvoEvent[]>;
  ask(user: string, question: string, opts?: CallOptions): Promise<SynvoAnswer>;
  /**
   * Tokens as they come, then exactly one `done`. Errors (cut stream, idle stall, `error` event)
   * are thrown as UpstreamError. Breaking out of the loop closes the upstream connection.
   */
  askStream(user: string, question: string, opts?: CallOptions): AsyncIterable<AnswerStreamEvent>;
  searchFiles(user: string, query: string, opts?: CallOptions): Promise<SynvoFileHit[]>;
  uploadFile(user: string, file: UploadInput, path?: string, opts?: CallOptions): Promise<UploadResult>;
  getFileStatus(user: string, fileId: string, opts?: CallOptions): Promise<FileStatusResult>;
  listFiles(user: string, query?: { path?: string; recursive?: boolean }, opts?: CallOptions): Promise<SynvoFileEntry[]>;
  /** Throws NOT_FOUND for an unknown id. */
  deleteFile(user: string, fileId: string, opts?: CallOptions): Promise<void>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- MemSync

export type { BioFormat, BioStyle, MemoryCategoryName } from './vocabulary.js';

export interface BioQuery {
  format?: BioFormat;
  style?: BioStyle;
  refresh?: boolean;
  excludeCategories?: string[];
}

export interface Bio {
  text: string;
  format: string;
  style: string;
  wordCount: number;
  characterCount: number;
  confidence: number;
  sourceMemories: number;
  categoriesIncluded: string[];
  keyThemes: string[];
  generatedAt: Date;
  expiresAt: Date;
}

export interface Memory {
  id: string;
  text: string;
  categories: string[];
  type: string;
  vectorDistance: number | null;
  rerankScore: number | null;
  source: string | null;
  agentId: string | null;
  threadId: string | null;
  createdAt: Date;
  updatedAt: Date | null;
}

export interface MemorySearchQuery {
  query: string;
  /** @default 10 */
  limit?: number;
  categories?: string[];
  rerank?: boolean;
  includeBio?: boolean;
}

export interface MemorySearchResult {
  userBio: string | null;
  memories: Memory[];
}

export interface ChatMessage {
  role: 'user' | 'assistant' | 'system';
  content: string;
}

export interface StoreMemoriesInput {
  messages: ChatMessage[];
  agentId?: string;
  threadId?: string;
  source?: string;
  metadata?: Record<string, unknown>;
}

export interface StoreMemoriesResult {
  memoriesCreated: number;
  processingTime: string | null;
  categoriesDetected: string[];
  memories: Memory[];
}

export interface MemSyncClient {
  readonly service: 'memsync';
  /**
   * Throws UpstreamError `NOT_FOUND` / upstreamCode `BIO_NOT_FOUND` with
   * `details.suggestion` and `details.currentMemoryCount` when no bio can be made yet.
   */
  getBio(user: string, query?: BioQuery, opts?: CallOptions): Promise<Bio>;
  storeMemories(user: string, input: StoreMemoriesInput, opts?: CallOptions): Promise<StoreMemoriesResult>;
  /** `memories: []` when the upstream answers 404 NO_MEMORIES_FOUND. */
  searchMemories(user: string, query: MemorySearchQuery, opts?: CallOptions): Promise<MemorySearchResult>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- options and hooks

/** What every upstream call reports when it ends (metrics, tracing, logs). Never holds a key. */
export interface UpstreamCallInfo {
  service: ServiceName;
  endpoint: string;
  method: string;
  durationMs: number;
  status?: number;
  errorCode?: UpstreamErrorCode;
  attempts: number;
}

export interface UpstreamClientOptions {
  /** Connect timeout. @default 2000 */
  connectTimeoutMs?: number;
  /** Time to response headers. @default 10000 (answers: 60000) */
  headersTimeoutMs?: number;
  /** Time to response headers for `ask`/`askStream`, which think before answering. @default 60000 */
  answerHeadersTimeoutMs?: number;
  /** Max idle time between body chunks. @default 10000 */
  bodyTimeoutMs?: number;
  /**
   * Idle time after which a silent answer stream is an UPSTREAM_TIMEOUT. Only events (token, done,
   * error) count as activity; `:` keep-alive comments do not (they prove the socket, not the answer). @default 15000
   */
  streamIdleTimeoutMs?: number;
  /** Attempts for safe (idempotent) calls, first one included. @default 3 */
  maxAttempts?: number;
  /** Base of the exponential backoff. @default 100 */
  retryBaseDelayMs?: number;
  /** Longest single backoff delay. @default 2000 */
  retryMaxDelayMs?: number;
  /** A 429's Retry-After is waited out only if within this budget; else RATE_LIMITED at once. @default 1000 */
  retryAfterBudgetMs?: number;
  /** Max sockets per upstream origin. @default 64 */
  maxConnections?: number;
  /** How long an idle keep-alive socket is kept. @default 4000 */
  keepAliveTimeoutMs?: number;
  /** Max calls in flight per upstream (bulkhead). @default 256 */
  maxConcurrent?: number;
  /** Calls queued behind the bulkhead before failing fast. @default 1024 */
  maxQueued?: number;
  /** Failure ratio that opens the breaker. @default 0.5 */
  breakerThreshold?: number;
  /** Minimum calls in the window before the breaker may open. @default 20 */
  breakerMinimumRps?: number;
  /** The sliding window over which the breaker samples the failure ratio. @default 10000 */
  breakerWindowMs?: number;
  /** How long the breaker stays open before a half-open probe. @default 5000 */
  breakerHalfOpenAfterMs?: number;
  /** How long `close()` lets calls in flight finish before it destroys the sockets. @default 2000 */
  closeTimeoutMs?: number;
  /** Called after every upstream call. */
  onCall?: (info: UpstreamCallInfo) => void;
  /** Called when the circuit breaker changes state (metrics). @default undefined */
  onBreakerStateChange?: (info: { service: ServiceName; state: 'closed' | 'open' | 'halfOpen' }) => void;
}

export interface UpstreamClientConfig {
  baseUrl: string;
  apiKey: string;
  options?: UpstreamClientOptions;
}
