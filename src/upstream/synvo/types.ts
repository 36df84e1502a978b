/** Synvo's data, normalised, and the client's interface. */
import type { CallOptions } from '../types.js';

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
