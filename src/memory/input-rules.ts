/**
 * Every input rule of the graph, one definition and one message each. A rule that fails throws an
 * `InputError` naming the argument; `src/server/upstream-errors.ts` turns it into the GraphQL
 * error `BAD_USER_INPUT` with `extensions.argument`. Nothing here knows GraphQL.
 */
import {
  BIO_FORMATS,
  BIO_STYLES,
  CONVERSATION_FIELD,
  EVENT_TYPE_NAMES,
  MEMSYNC_API_KEY,
  MEMSYNC_MESSAGE_ROLES,
  isPlausibleMemSyncKey,
  ABSOLUTE_PATH,
  FILE_ID,
  FILE_NAME,
  HISTORY,
  MEMORY_CATEGORY_NAMES,
  MAX_PATH_CHARS,
  MESSAGE_ID,
  USER_NAME,
  hasControlCharacters,
  isValidUserName,
  type BioFormat,
  type BioStyle,
  type InputRule,
} from '../upstream/vocabulary.js';
import type { ChatMessage, ConversationTurn, UploadInput } from '../upstream/types.js';

export { BIO_FORMATS, BIO_STYLES, hasControlCharacters, isValidUserName };
export { CONVERSATION_FIELD, FILE_ID, MEMORY_ID, MESSAGE_ID, USER_NAME } from '../upstream/vocabulary.js';

const INPUT_ERROR = Symbol.for('memgate.InputError');

/** The caller's input breaks a rule; `argument` names it as the graph does (`limit`, `messages[0].content`). */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    readonly argument: string,
    /** What the argument must be, e.g. `must not be empty`. */
    readonly rule: string,
    /** `FORBIDDEN` when the argument names something of another user (e.g. a file id in `ask(fileIds)`). */
    readonly code: 'BAD_USER_INPUT' | 'FORBIDDEN' = 'BAD_USER_INPUT',
  ) {
    super(code === 'FORBIDDEN' ? `Forbidden argument "${argument}": ${rule}` : `Invalid argument "${argument}": ${rule}`);
    Object.defineProperty(this, INPUT_ERROR, { value: true });
  }
}

/** The one identity check of an input error (a brand, as for UpstreamError). */
export function isInputError(value: unknown): value is InputError {
  return typeof value === 'object' && value !== null && (value as { [INPUT_ERROR]?: unknown })[INPUT_ERROR] === true;
}

/** Memory categories the graph knows, as MemSync names them. */
export const MEMORY_CATEGORIES: ReadonlySet<string> = new Set(MEMORY_CATEGORY_NAMES);
/** Synvo's event types; the type filter's `other` means any type not listed here. */
export const KNOWN_EVENT_TYPES: ReadonlySet<string> = new Set(EVENT_TYPE_NAMES);
export const OTHER_EVENT_TYPE = 'other';

/** The gateway's limit on one upload unless `MEMGATE_MAX_UPLOAD_MB` says otherwise (Synvo documents none). */
export const DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024;
/** File types Synvo accepts (emulators/README.md, "The upstreams' behaviour"), by lower-cased extension. */
export const SUPPORTED_UPLOAD_EXTENSIONS: ReadonlySet<string> = new Set([
  'png', 'jpg', 'jpeg', 'gif', 'webp', 'mp4', 'mov', 'm4v', 'avi', 'mkv', 'mp3', 'wav', 'm4a', 'aac', 'flac',
  'pdf', 'docx', 'ppt', 'pptx', 'txt', 'md', 'html', 'json', 'jsonl', 'xlsx',
]);
/** Earlier messages one question may carry (`ask(history)`), and files it may name. */
export const MAX_HISTORY = HISTORY.max;
export const MAX_ASK_FILES = 50;
/** Thumbnail sizes Synvo serves, in pixels on the longer side. */
export const THUMBNAIL_SIZE = { default: 200, min: 16, max: 1024 } as const;
/** Page sizes of `memoryList`, and ids one `deleteMemories` takes. */
export const MEMORY_PAGE_SIZE = { default: 20, min: 1, max: 100 } as const;
export const MAX_MEMORY_IDS = 1000;
/** Longest web page URL. */
export const MAX_URL_CHARS = 2048;
/** Most messages stored in one call, and characters in one message. */
export const MAX_MESSAGES = 100;
export const MAX_MESSAGE_CHARS = 32_000;
/** Budget bounds of `User.context(maxTokens)`, and the longest query. */
export const CONTEXT_MAX_TOKENS = { default: 1500, min: 1, max: 32_000 } as const;
export const MAX_CONTEXT_QUERY_CHARS = 2000;
/** Longest question to Synvo's AI. */
export const MAX_QUESTION_CHARS = 32_000;

export function userName(argument: string, name: string): string {
  if (!isValidUserName(name)) throw new InputError(argument, USER_NAME.message);
  return name;
}

/** Several user names (`users(names)`), duplicates removed, at most `max` distinct. */
export function distinctUserNames(argument: string, names: readonly string[], max: number): string[] {
  const distinct = [...new Set(names)];
  if (distinct.length > max) throw new InputError(argument, `at most ${max} distinct names per request`);
  return distinct;
}

/** `forgetUser(confirm)`: forgetting cannot be undone, so the caller says so. */
export function forgetConfirmed(argument: string, confirm: boolean | null | undefined): void {
  if (confirm !== true) throw new InputError(argument, 'must be true: forgetting a user deletes all their files and memories');
}

/** An id as the caller wrote it, trimmed, checked with `rule` (a file id unless said otherwise). */
export function fileId(argument: string, id: string | number, rule: InputRule = FILE_ID): string {
  const v = String(id).trim();
  if (!rule.pattern.test(v)) throw new InputError(argument, rule.message);
  return v;
}

/** Synvo's id of an earlier answer (`ask(parentId)`), trimmed. */
export function messageId(argument: string, id: string | number): string {
  return fileId(argument, id, MESSAGE_ID);
}

export function intInRange(argument: string, value: number | null | undefined, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) throw new InputError(argument, `must be an integer from ${min} to ${max}`);
  return v;
}

export function nonEmptyText(argument: string, value: string, maxLength = 10_000): string {
  const v = value.trim();
  if (v.length === 0) throw new InputError(argument, 'must not be empty');
  if (v.length > maxLength) throw new InputError(argument, `must be at most ${maxLength} characters`);
  return v;
}

/** `null` for an absent list; an empty list is an error (omit the argument instead). */
export function nonEmptyList<T>(argument: string, value: readonly T[] | null | undefined): readonly T[] | null {
  if (value === null || value === undefined) return null;
  if (value.length === 0) throw new InputError(argument, 'must not be empty; omit it to mean all');
  return value;
}

export function timeWindow(since: Date | null | undefined, until: Date | null | undefined): void {
  if (since && until && since.getTime() > until.getTime()) throw new InputError('since', 'must not be after "until"');
}

export function bioFormat(argument: string, value: string | null | undefined): BioFormat {
  const v = value ?? 'full';
  if (!(BIO_FORMATS as readonly string[]).includes(v)) throw new InputError(argument, `must be one of ${BIO_FORMATS.join(', ')}`);
  return v as BioFormat;
}

export function bioStyle(argument: string, value: string | null | undefined): BioStyle {
  const v = value ?? 'narrative';
  if (!(BIO_STYLES as readonly string[]).includes(v)) throw new InputError(argument, `must be one of ${BIO_STYLES.join(', ')}`);
  return v as BioStyle;
}

/** A folder in the user's Synvo tree: absolute, no `..`, no control characters. */
export function folder(argument: string, path: string | null | undefined): string | undefined {
  if (path === null || path === undefined) return undefined;
  if (!ABSOLUTE_PATH.test(path)) throw new InputError(argument, `must be a folder such as "/" or "/reports/2024" (absolute, at most ${MAX_PATH_CHARS} characters, no "..")`);
  return path;
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** Refuses control characters (NUL, CR, LF ...) in a string that becomes an upstream path or form field. */
export function withoutControlCharacters(argument: string, value: string): string {
  if (hasControlCharacters(value)) throw new InputError(argument, 'must not contain control characters');
  return value;
}

/** A file Synvo will take: named, of a supported type, neither empty nor over the limit. */
export function upload(argument: string, file: UploadInput, maxBytes = DEFAULT_MAX_UPLOAD_BYTES): UploadInput {
  // The name becomes a form field of Synvo's upload: no NUL, CR or LF may reach it.
  if (hasControlCharacters(file.name)) throw new InputError(argument, 'the file name must not contain control characters');
  const name = file.name.split(/[\\/]/).pop()?.trim() ?? '';
  if (!name) throw new InputError(argument, 'the file has no name');
  const ext = extensionOf(name);
  if (!SUPPORTED_UPLOAD_EXTENSIONS.has(ext)) {
    throw new InputError(
      argument,
      `unsupported file type ${ext ? `".${ext}"` : '(no extension)'}; Synvo accepts ${[...SUPPORTED_UPLOAD_EXTENSIONS].join(', ')}`,
    );
  }
  if (file.size === 0) throw new InputError(argument, `"${name}" is empty`);
  if (file.size > maxBytes) {
    throw new InputError(argument, `"${name}" is ${file.size} bytes; the limit is ${maxBytes} bytes (${Math.round((maxBytes / 1024 / 1024) * 100) / 100} MiB)`);
  }
  return file;
}

/** A file or folder path in the user's Synvo tree: absolute, not the root, no `..`, no control characters. */
export function itemPath(argument: string, path: string): string {
  const v = path.trim().replace(/\/+$/, '');
  if (!ABSOLUTE_PATH.test(v) || v.length === 1 || v.includes('//')) throw new InputError(argument, `must be a path such as "/reports/q4.pdf" (absolute, not "/", at most ${MAX_PATH_CHARS} characters, no "..")`);
  return v;
}

/** An http(s) URL of a web page. */
export function webUrl(argument: string, value: string): string {
  const v = value.trim();
  let url: URL | undefined;
  try {
    url = new URL(v);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || v.length > MAX_URL_CHARS) {
    throw new InputError(argument, `must be an http or https URL of at most ${MAX_URL_CHARS} characters`);
  }
  return url.toString();
}

/** A file name: 1 to 255 characters, no slash, no control characters. */
export function fileName(argument: string, value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (!FILE_NAME.test(v)) throw new InputError(argument, FILE_NAME.message);
  return v;
}

/** Earlier messages of a conversation: at most MAX_HISTORY, none blank or too long. */
export function history(argument: string, list: readonly ConversationTurn[] | null | undefined): ConversationTurn[] | undefined {
  if (list === null || list === undefined) return undefined;
  if (list.length > HISTORY.max) throw new InputError(argument, HISTORY.message);
  return list.map((m, i) => {
    if (m.content.trim() === '') throw new InputError(`${argument}[${i}].content`, 'must not be empty');
    if (m.content.length > MAX_MESSAGE_CHARS) throw new InputError(`${argument}[${i}].content`, `must be at most ${MAX_MESSAGE_CHARS} characters`);
    return { role: m.role, content: m.content };
  });
}

/** A list of ids (file ids unless `rule` says memory ids: they go into paths), none repeated. */
export function idList(argument: string, list: readonly (string | number)[] | null | undefined, max: number, rule: InputRule = FILE_ID): string[] | undefined {
  if (list === null || list === undefined) return undefined;
  if (list.length === 0 || list.length > max) throw new InputError(argument, `must hold 1 to ${max} ids`);
  return [...new Set(list.map((id, i) => fileId(`${argument}[${i}]`, id, rule)))];
}

/** A number from 0 to 1. */
export function unitInterval(argument: string, value: number | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new InputError(argument, 'must be a number from 0 to 1');
  return value;
}

/** A memory category MemSync knows. */
export function memoryCategory(argument: string, value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (!MEMORY_CATEGORIES.has(value)) throw new InputError(argument, `must be one of ${[...MEMORY_CATEGORIES].join(', ')}`);
  return value;
}

/**
 * A conversation to store in MemSync: 1 to MAX_MESSAGES messages between the user and an
 * assistant (MemSync stores no system message), none blank or too long.
 */
export function messages(argument: string, list: readonly { role: string; content: string }[]): ChatMessage[] {
  if (list.length === 0 || list.length > MAX_MESSAGES) throw new InputError(argument, `must hold 1 to ${MAX_MESSAGES} messages`);
  return list.map((m, i) => {
    if (!(MEMSYNC_MESSAGE_ROLES as readonly string[]).includes(m.role)) {
      throw new InputError(`${argument}[${i}].role`, 'MemSync stores conversations between USER and ASSISTANT only: leave SYSTEM messages out');
    }
    if (m.content.trim() === '') throw new InputError(`${argument}[${i}].content`, 'must not be empty');
    if (m.content.length > MAX_MESSAGE_CHARS) throw new InputError(`${argument}[${i}].content`, `must be at most ${MAX_MESSAGE_CHARS} characters`);
    return { role: m.role as ChatMessage['role'], content: m.content };
  });
}

/** MemSync's `thread_id` or `source` as the caller gives it: a short token; absent stays absent. */
export function conversationField(argument: string, value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (v.length === 0) throw new InputError(argument, 'must not be empty');
  if (!CONVERSATION_FIELD.pattern.test(v)) throw new InputError(argument, CONVERSATION_FIELD.message);
  return v;
}

/** A user's MemSync API key, trimmed; never echoed in the message. */
export function memsyncApiKey(argument: string, value: string): string {
  const v = value.trim();
  if (v.length === 0) throw new InputError(argument, 'must not be empty');
  if (!isPlausibleMemSyncKey(v)) throw new InputError(argument, MEMSYNC_API_KEY.message);
  return v;
}
