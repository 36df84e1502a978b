/** MemSync's data, normalised, and the client's interface. */
import type { CallOptions, UpstreamClientOptions } from '../types.js';
import type { BioFormat, BioStyle, MemoryCategoryName } from '../vocabulary.js';

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
