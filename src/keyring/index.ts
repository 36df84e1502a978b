/**
 * The keyring module's surface: `createKeyring(config, { redis })` picks the store (Redis when
 * REDIS_URL is set, else the file under MEMGATE_DATA_DIR), opens it with MEMGATE_KEYRING_SECRET
 * and links the users of MEMSYNC_USER_KEYS_FILE. Built once, in `app.ts`, and handed down.
 */
import { readFile } from 'node:fs/promises';
import type { RedisClient } from '../redis.js';
import { MEMSYNC_API_KEY, USER_NAME, isPlausibleMemSyncKey, isValidUserName } from '../upstream/vocabulary.js';
import { createFileKeyringStore } from './file-store.js';
import { openKeyring, type Keyring } from './keyring.js';
import { createRedisKeyringStore } from './redis-store.js';
import { KeyringError, type KeyringStore } from './store.js';

export { openKeyring, rotateKeyring, keyHintOf, SECRET_VARIABLE, type Keyring, type KeyringEntry } from './keyring.js';
export { KeyringError, type KeyringStore } from './store.js';
export { createFileKeyringStore, KEYRING_FILE_NAME } from './file-store.js';
export { createRedisKeyringStore } from './redis-store.js';

/** What the keyring needs from the config. */
export interface KeyringConfig {
  /** MEMGATE_KEYRING_SECRET (or the development secret on the emulators). */
  secret: string;
  /** True when `secret` is the development secret. */
  developmentSecret: boolean;
  /** MEMGATE_DATA_DIR, absolute. @default ./.memgate */
  dataDir: string;
  /** MEMSYNC_USER_KEYS_FILE: JSON `{ "user": "key" }` linked at every start. @default null */
  userKeysFile: string | null;
}

export { isPlausibleMemSyncKey };

/** The store the config asks for: Redis when a connection is given, else the file. */
export function keyringStoreFor(config: Pick<KeyringConfig, 'dataDir'>, options: { redis?: RedisClient | null; redisPrefix?: string } = {}): KeyringStore {
  return options.redis ? createRedisKeyringStore(options.redis, { prefix: options.redisPrefix }) : createFileKeyringStore(config.dataDir);
}

/** Reads MEMSYNC_USER_KEYS_FILE; every problem names the file and the user, never a key. */
export async function readUserKeysFile(path: string): Promise<Map<string, string>> {
  const fail = (why: string) => new KeyringError('BAD_USER_KEYS_FILE', `MEMSYNC_USER_KEYS_FILE (${path}): ${why}`);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw fail(`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw fail('not valid JSON; expected { "user name": "MemSync API key" }');
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw fail('expected a JSON object { "user name": "MemSync API key" }');
  const keys = new Map<string, string>();
  for (const [user, key] of Object.entries(json)) {
    if (!isValidUserName(user)) throw fail(`"${String(user).slice(0, 40)}" is not a user name: ${USER_NAME.message}`);
    if (!isPlausibleMemSyncKey(key)) throw fail(`the key of user "${user}" ${MEMSYNC_API_KEY.message}`);
    keys.set(user, key);
  }
  return keys;
}

export interface CreateKeyringOptions {
  /** The Redis connection to keep the keyring in (REDIS_URL); absent: the file under the data directory. */
  redis?: RedisClient | null;
  /** MEMGATE_REDIS_PREFIX. @default 'memgate:' */
  redisPrefix?: string;
  /** Told when Redis cannot be reached at start: the keyring is then opened on first use instead. */
  onDeferred?: (error: KeyringError) => void;
}

/**
 * A keyring opened on first use, and again on every use until that succeeds: for a Redis that is
 * away when the gateway starts (every instance keeps serving what needs no MemSync key meanwhile).
 */
function deferredKeyring(where: string, open: () => Promise<Keyring>): Keyring {
  let opened: Promise<Keyring> | null = null;
  const ready = () => {
    opened ??= open().catch((error: unknown) => {
      opened = null;
      throw error;
    });
    return opened;
  };
  return {
    where,
    get: async (user) => (await ready()).get(user),
    set: async (user, apiKey) => (await ready()).set(user, apiKey),
    delete: async (user) => (await ready()).delete(user),
    list: async () => (await ready()).list(),
    close: async () => {
      await (await opened?.catch(() => null))?.close();
    },
  };
}

/**
 * Opens the keyring the config describes and links MEMSYNC_USER_KEYS_FILE's users.
 * @throws KeyringError with a message naming the variable or file to fix (a wrong secret, a
 * corrupt keyring, a bad keys file); a Redis that cannot be reached defers the opening instead.
 */
export async function createKeyring(config: KeyringConfig, options: CreateKeyringOptions = {}): Promise<Keyring> {
  const preload = config.userKeysFile ? await readUserKeysFile(config.userKeysFile) : new Map<string, string>();
  const store = keyringStoreFor(config, options);
  const open = async () => {
    const keyring = await openKeyring(store, config.secret);
    for (const [user, key] of preload) await keyring.set(user, key);
    return keyring;
  };
  try {
    return await open();
  } catch (error) {
    if (!options.redis || !(error instanceof KeyringError) || error.code !== 'UNAVAILABLE') throw error;
    options.onDeferred?.(error);
    return deferredKeyring(store.where, open);
  }
}
