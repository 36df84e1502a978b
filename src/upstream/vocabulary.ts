/**
 * The values both upstreams and the gateway agree on, defined once: what a user name and a file id
 * may be (the wire carries them, so the clients refuse anything else before sending), the
 * biography formats and styles, the memory categories and the event types. The domain layer
 * (`src/memory/input-rules.ts`) builds its input rules on these; the schema's enums match them.
 */

/** A rule: what is accepted, and the one message that says so. */
export interface InputRule {
  readonly pattern: RegExp;
  readonly message: string;
}

/** api-design.md: a user name is 1 to 128 characters of `A-Z a-z 0-9 . _ @ -`. */
export const USER_NAME: InputRule = {
  pattern: /^[A-Za-z0-9._@-]{1,128}$/,
  message: 'a user name is 1 to 128 characters of A-Z a-z 0-9 . _ @ -',
};

/** What an id that goes into a path may be: 1 to 256 URL-safe characters, and not a dot segment. */
const ID_PATTERN = /^(?!\.+$)[A-Za-z0-9._~:-]{1,256}$/;
const ID_CHARS = '1 to 256 characters of A-Z a-z 0-9 . _ ~ : -';

/** An upstream file id (Synvo's files). */
export const FILE_ID: InputRule = { pattern: ID_PATTERN, message: `must be a file id (${ID_CHARS})` };
/** A MemSync memory id: it goes into a path as a file id does, the same pattern. */
export const MEMORY_ID: InputRule = { pattern: ID_PATTERN, message: `must be a memory id (${ID_CHARS})` };
/** Synvo's id of an answer message (`ask(parentId)` threads a follow-up on it): the same pattern. */
export const MESSAGE_ID: InputRule = { pattern: ID_PATTERN, message: `must be a message id (${ID_CHARS})` };

/** Earlier messages one question may carry (`ask(history)`). */
export const HISTORY = { max: 50, message: 'may hold at most 50 messages' } as const;

/** C0 control characters and DEL: never part of a name, an id or a path that goes upstream. */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

export function hasControlCharacters(value: string): boolean {
  return CONTROL_CHARACTERS.test(value);
}

/** A file name the caller chooses (a web page's): 1 to 255 characters, not blank, no slash, no control characters. */
export const FILE_NAME = {
  test: (name: unknown): name is string =>
    typeof name === 'string' && name.trim() !== '' && name.length <= 255 && !/[\\/]/.test(name) && !hasControlCharacters(name),
  message: 'must be a file name of 1 to 255 characters, without slashes',
} as const;

/** Longest path in the user's Synvo tree. */
export const MAX_PATH_CHARS = 1024;

/**
 * A path in the user's Synvo tree: absolute, at most MAX_PATH_CHARS characters, no `..` segment, no
 * control characters. The domain's folder and item-path rules narrow it further.
 */
export const ABSOLUTE_PATH = {
  test: (path: unknown): path is string =>
    typeof path === 'string' && path.startsWith('/') && path.length <= MAX_PATH_CHARS && !hasControlCharacters(path) && !path.split('/').includes('..'),
  message: `must be an absolute path of at most ${MAX_PATH_CHARS} characters, without ".." or control characters`,
} as const;

/** True when `name` is a valid memgate user name. */
export function isValidUserName(name: unknown): name is string {
  return typeof name === 'string' && USER_NAME.pattern.test(name);
}

/** True when `id` can safely be used as a file id in an upstream path. */
export function isValidFileId(id: unknown): id is string {
  return typeof id === 'string' && FILE_ID.pattern.test(id);
}

export const BIO_FORMATS = ['full', 'short', 'bullets', 'professional'] as const;
export const BIO_STYLES = ['narrative', 'factual', 'casual', 'formal'] as const;
export type BioFormat = (typeof BIO_FORMATS)[number];
export type BioStyle = (typeof BIO_STYLES)[number];

export const MEMORY_CATEGORY_NAMES = [
  'identity', 'career', 'interests', 'relationships', 'health', 'finance', 'learning', 'travel', 'productivity', 'private',
] as const;
export type MemoryCategoryName = (typeof MEMORY_CATEGORY_NAMES)[number];

/** Synvo's event types (emulators/README.md, "The upstreams' behaviour"); Synvo may send others. */
export const EVENT_TYPE_NAMES = ['personal', 'financial', 'professional', 'educational', 'social'] as const;

/** Chat roles a message of the graph may have (Synvo's conversations take all three). */
export const MESSAGE_ROLES = ['user', 'assistant', 'system'] as const;
/** The roles MemSync stores: a conversation between a user and an assistant, no system message. */
export const MEMSYNC_MESSAGE_ROLES = ['user', 'assistant'] as const;

/** MemSync's `agent_id`, `thread_id` and `source`: short tokens sent as they are. */
export const CONVERSATION_FIELD: InputRule = {
  pattern: /^[A-Za-z0-9._:@-]{1,128}$/,
  message: 'must be 1 to 128 characters of A-Z a-z 0-9 . _ : @ -',
};

/**
 * A MemSync API key as the gateway takes one: 8 to 512 visible ASCII characters (it travels in a
 * header), of which only the last 4 are ever shown.
 */
export const MEMSYNC_API_KEY: InputRule = {
  pattern: /^[\x21-\x7e]{8,512}$/,
  message: 'is not a MemSync API key (8 to 512 visible ASCII characters, no spaces)',
};

export function isPlausibleMemSyncKey(value: unknown): value is string {
  return typeof value === 'string' && MEMSYNC_API_KEY.pattern.test(value);
}
