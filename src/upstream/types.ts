/**
 * The contract between the gateway and its upstream clients: plain, normalised data and one
 * error type. Nothing here knows GraphQL (see ../shared/STYLE.md).
 */

import type { BioFormat, BioStyle, MemoryCategoryName } from './vocabulary.js';

export type ServiceName = 'synvo' | 'memsync';

/**
 * Stable error codes. The first group matches the GraphQL error codes of api-design.md one to
 * one (`CONFLICT` is a 409: the target exists or is busy; `NOT_CONNECTED` is MEMSYNC_NOT_CONNECTED); `NOT_FOUND` is an expected 404 that the schema turns into a typed state
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
  | 'CONFLICT'
  | 'NOT_FOUND'
  | 'ABORTED'
  /** MemSync: the user has no MemSync API key in the keyring; nothing was sent. */
  | 'NOT_CONNECTED';

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

/** A file an answer drew on (`searched_files`, or a `file` content part of the answer). */
export interface AnswerSource {
  fileId: string;
  /** Empty when the upstream named only the id. */
  name: string;
  path: string;
}

export interface SynvoAnswer {
  text: string;
  /** The files the answer drew on, each once, in the upstream's order. */
  sources: AnswerSource[];
  role: string;
  /** Upstream `response.cuid`. */
  messageId: string;
  /** Upstream `suid`. */
  sessionId: string;
  summary: string | null;
  createdAt: Date;
  timestamp: Date;
}

/** One earlier turn of a conversation, sent before the question. */
export interface ConversationTurn {
  role: 'user' | 'assistant' | 'system';
  content: string;
}

/** A question with its conversation: what `/ai/query` takes beyond the text. */
export interface AskInput {
  question: string;
  /** Earlier turns, oldest first. */
  history?: readonly ConversationTurn[];
  /** The `messageId` of the answer this question follows (Synvo's `parent_cuid`). */
  parentId?: string;
  /** Answer only from these files (`file` content parts). */
  fileIds?: readonly string[];
  /** Always search the files before answering. */
  forceSearch?: boolean;
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

export interface FileListQuery {
  /** @default '/' */
  path?: string;
  /** @default true */
  recursive?: boolean;
}

export interface MoveResult {
  message: string;
  /** `[from, to]` of the item moved, then of each file a folder took along. */
  moves: Array<[string, string]>;
}

export interface DownloadLink {
  url: string;
  name: string;
  mimeType: string;
  fileId: string;
  /** When the signed URL stops working, read from the URL (`expires`, `Expires`, `X-Amz-Date`+`X-Amz-Expires`); null when it does not say. */
  expiresAt: Date | null;
}

export interface Thumbnail {
  /** `image/png` or `image/jpeg`. */
  mimeType: string;
  bytes: Uint8Array;
}

export interface WebpageInput {
  url: string;
  /** @default '/web' (Synvo's) */
  path?: string;
  name?: string;
}

export interface WebpageResult {
  fileId: string;
  filename: string;
  path: string;
  timestamp: Date;
}

export interface SynvoClient {
  readonly service: 'synvo';
  /** `null` when the upstream answers 404 (a user with no data yet). */
  getProfile(user: string, opts?: CallOptions): Promise<SynvoProfile | null>;
  /** `[]` when the upstream answers 404 (a user with no data yet). Chronological order. */
  getEvents(user: string, query?: EventsQuery, opts?: CallOptions): Promise<SynvoEvent[]>;
  /** A question alone, or with its conversation (history, parent answer, files, forced search). */
  ask(user: string, question: string | AskInput, opts?: CallOptions): Promise<SynvoAnswer>;
  /**
   * Tokens as they come, then exactly one `done`. Errors (cut stream, idle stall, `error` event)
   * are thrown as UpstreamError. Breaking out of the loop closes the upstream connection.
   */
  askStream(user: string, question: string | AskInput, opts?: CallOptions): AsyncIterable<AnswerStreamEvent>;
  searchFiles(user: string, query: string, opts?: CallOptions): Promise<SynvoFileHit[]>;
  uploadFile(user: string, file: UploadInput, path?: string, opts?: CallOptions): Promise<UploadResult>;
  getFileStatus(user: string, fileId: string, opts?: CallOptions): Promise<FileStatusResult>;
  /**
   * Folders and files under `path`. `[]` for `/` of a user with no files yet (Synvo's 404 there);
   * throws NOT_FOUND for another folder that does not exist.
   */
  listFiles(user: string, query?: FileListQuery, opts?: CallOptions): Promise<SynvoFileEntry[]>;
  /** Throws NOT_FOUND for an unknown id. */
  deleteFile(user: string, fileId: string, opts?: CallOptions): Promise<void>;
  /** Makes a folder (and its parents); fine when it exists. CONFLICT when a file holds the path. */
  createFolder(user: string, path: string, opts?: CallOptions): Promise<{ message: string }>;
  /** Moves or renames a file or folder to the full path `to`. NOT_FOUND: no `from`; CONFLICT: `to` exists. */
  moveFile(user: string, from: string, to: string, opts?: CallOptions): Promise<MoveResult>;
  /** A signed, short-lived URL of the file. Throws NOT_FOUND for an unknown id. */
  getDownloadUrl(user: string, fileId: string, opts?: CallOptions): Promise<DownloadLink>;
  /** The thumbnail image, at most `maxSize` pixels on its longer side; null when Synvo has none (404). */
  getThumbnail(user: string, fileId: string, maxSize?: number, opts?: CallOptions): Promise<Thumbnail | null>;
  /** Adds a web page as a source, processed like an upload. BAD_USER_INPUT when Synvo cannot fetch it (422). */
  addWebpage(user: string, input: WebpageInput, opts?: CallOptions): Promise<WebpageResult>;
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
  /** True for a biography written by hand (`updateBio` with text); read as false when absent. */
  isManual?: boolean;
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

/** MemSync stores conversations between a user and an assistant: no other role. */
export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface StoreMemoriesInput {
  messages: ChatMessage[];
  /** The application storing them. @default the client's `agentId` (MEMSYNC_AGENT_ID) */
  agentId?: string;
  /** The conversation. @default a fresh id per call */
  threadId?: string;
  /** Where the conversation happened. @default 'chat' */
  source?: string;
  metadata?: Record<string, unknown>;
}

export interface StoreMemoriesResult {
  memoriesCreated: number;
  processingTime: string | null;
  categoriesDetected: string[];
  memories: Memory[];
}

export type ProfileSectionName = 'bio' | 'categories' | 'insights' | 'stats' | 'traits';

export interface MemoryProfileQuery {
  /** @default ['bio', 'categories', 'stats'] (MemSync's) */
  include?: readonly ProfileSectionName[];
  category?: MemoryCategoryName;
  refresh?: boolean;
}

export interface ProfileInsight {
  id: string;
  title: string;
  description: string;
  category: string | null;
  confidence: number | null;
  generatedAt: Date | null;
  memoryCount: number | null;
}

export interface ProfileTrait {
  trait: string;
  strength: number | null;
  evidenceCount: number | null;
  category: string | null;
}

export interface MemoryProfile {
  userId: string | null;
  bio: { summary: string; generatedAt: Date | null; confidence: number | null; wordCount: number | null } | null;
  /** Category -> its profile, open key/value data (fields differ by category), with `memory_count`/`last_updated` read out. */
  categories: Array<{ category: string; memoryCount: number | null; lastUpdated: Date | null; data: Record<string, unknown> }>;
  insights: ProfileInsight[];
  traits: ProfileTrait[];
  stats: {
    totalMemories: number | null;
    byCategory: Record<string, number>;
    byType: Record<string, number>;
    firstMemoryAt: Date | null;
    lastMemoryAt: Date | null;
    averageImportance: number | null;
    topParticipants: string[];
    topLocations: string[];
  } | null;
  lastUpdated: Date | null;
}

export interface MemoryListQuery {
  /** @default 1 */
  page?: number;
  /** 1 to 100. @default 20 */
  pageSize?: number;
  category?: string;
  agentId?: string;
  threadId?: string;
}

export interface MemoryPage {
  items: Memory[];
  page: number;
  pageSize: number;
  total: number;
  totalPages: number;
}

export interface MemoryUpdate {
  content?: string;
  category?: string;
  memoryType?: 'semantic' | 'episodic';
  importance?: number;
  metadata?: Record<string, unknown>;
}

export interface UpdatedMemory {
  id: string;
  text: string;
  category: string | null;
  type: string | null;
  importance: number | null;
  metadata: Record<string, unknown>;
  createdAt: Date | null;
  updatedAt: Date | null;
}

export interface DeletedMemoriesResult {
  deleted: string[];
  notFound: string[];
}

export interface BioUpdateInput {
  /** Manual text (at most 500 words); or `regenerate`. */
  text?: string;
  regenerate?: boolean;
  format?: BioFormat;
  style?: BioStyle;
  /** Keep the manual text even when memories change. */
  manualOverride?: boolean;
  includeCategories?: readonly string[];
  excludeCategories?: readonly string[];
}

export interface UpdatedBio {
  text: string;
  format: string;
  style: string;
  wordCount: number;
  characterCount: number;
  isManual: boolean;
  updatedAt: Date;
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
  /** `GET /profile`; null for an account with no memories yet (404 PROFILE_NOT_FOUND). */
  getProfile(user: string, query?: MemoryProfileQuery, opts?: CallOptions): Promise<MemoryProfile | null>;
  /** `GET /memories`, newest first. */
  listMemories(user: string, query?: MemoryListQuery, opts?: CallOptions): Promise<MemoryPage>;
  /** Throws NOT_FOUND for an unknown id (or another account's); BAD_USER_INPUT for a change MemSync refuses. */
  updateMemory(user: string, id: string, update: MemoryUpdate, opts?: CallOptions): Promise<UpdatedMemory>;
  /** `POST /memories/batch-delete`, 100 ids a call: which were deleted, which the account does not have. */
  deleteMemories(user: string, ids: readonly string[], opts?: CallOptions): Promise<DeletedMemoriesResult>;
  /** `PATCH /profile/bio`: BAD_USER_INPUT (BIO_TOO_LONG, with details.maxLength) for a text over the limit. */
  updateBio(user: string, input: BioUpdateInput, opts?: CallOptions): Promise<UpdatedBio>;
  /**
   * Whether MemSync accepts `apiKey`, with one cheap read (`GET /profile/bio`): true for an answer
   * of the account (a bio, or BIO_NOT_FOUND), false for 401 or a 403 that is not a rate limit.
   * Other failures are thrown (a MemSync that is down says nothing about the key).
   */
  checkApiKey(apiKey: string, opts?: CallOptions): Promise<boolean>;
  close(): Promise<void>;
}

/** How a MemSync client learns whose memory a call is about (MEMSYNC_SCOPING). */
export type MemSyncScoping = 'key' | 'user-param';

export interface MemSyncClientConfig {
  /** MemSync's base URL, with its `/v1` (https://api.memsync.ai/v1); paths are appended to it. */
  baseUrl: string;
  /** The operator's key: used only with `scoping: 'user-param'`. @default '' */
  apiKey?: string;
  /** @default 'key' */
  scoping?: MemSyncScoping;
  /**
   * The MemSync API key of a user, or null when the user has not connected one (the call then
   * fails with NOT_CONNECTED, and nothing is sent). Used with `scoping: 'key'`.
   * @default () => null
   */
  keyOf?: (user: string) => Promise<string | null>;
  /** `agent_id` of stored memories. @default 'memgate' */
  agentId?: string;
  options?: UpstreamClientOptions;
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
