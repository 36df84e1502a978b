/**
 * The keyring: gateway user name -> that user's MemSync API key, encrypted at rest in a store
 * (file or Redis). Opening it checks the secret against the store's verification record, so a
 * wrong MEMGATE_KEYRING_SECRET stops the gateway at start instead of failing every call.
 */
import { z } from 'zod';
import { checkKey, deriveKey, entryAad, newKdfParams, newMeta, seal, unseal, type Sealed } from './crypto.js';
import { KeyringError, type KeyringStore } from './store.js';

/** One user's link to a MemSync account. */
export interface KeyringEntry {
  user: string;
  /** The user's MemSync API key: only ever sent to MemSync. */
  apiKey: string;
  connectedAt: Date;
  /** The key's last 4 characters, the only part ever shown. */
  keyHint: string;
}

/** The keyring's interface: what the gateway, the launcher and `npm run keyring` use. */
export interface Keyring {
  /** Where the records are (for messages). */
  readonly where: string;
  get(user: string): Promise<KeyringEntry | null>;
  /** Links `user` to `apiKey` (a re-link with the same key keeps `connectedAt`). */
  set(user: string, apiKey: string): Promise<KeyringEntry>;
  /** True when the user had a key. */
  delete(user: string): Promise<boolean>;
  /** Every linked user, sorted. */
  list(): Promise<string[]>;
  close(): Promise<void>;
}

const plainSchema = z.object({ apiKey: z.string().min(1), connectedAt: z.string() }).strict();

/** The hint shown for a key: its last 4 characters. */
export function keyHintOf(apiKey: string): string {
  return apiKey.slice(-4);
}

/** The environment variable that holds the secret, for messages. */
export const SECRET_VARIABLE = 'MEMGATE_KEYRING_SECRET';

async function keyFor(store: KeyringStore, secret: string, create: boolean): Promise<Buffer> {
  let meta = await store.readMeta();
  if (!meta) {
    if (!create) throw new KeyringError('CORRUPT', `${store.where}: no keyring there yet`);
    const kdf = newKdfParams();
    meta = await store.initMeta(newMeta(await deriveKey(secret, kdf), kdf));
  }
  const key = await deriveKey(secret, meta.kdf);
  if (!checkKey(key, meta)) {
    throw new KeyringError(
      'WRONG_SECRET',
      `${SECRET_VARIABLE}: does not open ${store.where} (it was written with another secret). ` +
        `Start with the secret it was written with, or re-encrypt it: npm run keyring -- rotate`,
    );
  }
  return key;
}

function open(key: Buffer, user: string, sealed: Sealed, where: string): KeyringEntry {
  let plain: z.infer<typeof plainSchema>;
  try {
    plain = plainSchema.parse(JSON.parse(unseal(key, sealed, entryAad(user))));
  } catch {
    throw new KeyringError('CORRUPT', `${where}: the record of user "${user}" does not decrypt (altered, or copied from another user)`);
  }
  const connectedAt = new Date(plain.connectedAt);
  return { user, apiKey: plain.apiKey, connectedAt: Number.isNaN(connectedAt.getTime()) ? new Date(0) : connectedAt, keyHint: keyHintOf(plain.apiKey) };
}

/**
 * Opens (creating when absent) the keyring in `store` with `secret`. Every record is decrypted
 * once here, so a corrupt one is found at start.
 * @throws KeyringError WRONG_SECRET (names MEMGATE_KEYRING_SECRET, never its value), CORRUPT, UNAVAILABLE.
 */
export async function openKeyring(store: KeyringStore, secret: string): Promise<Keyring> {
  const key = await keyFor(store, secret, true);
  for (const [user, sealed] of await store.entries()) open(key, user, sealed, store.where);

  const get = async (user: string): Promise<KeyringEntry | null> => {
    const sealed = await store.get(user);
    return sealed ? open(key, user, sealed, store.where) : null;
  };
  return {
    where: store.where,
    get,
    async set(user, apiKey) {
      const previous = await get(user).catch(() => null);
      const connectedAt = previous && previous.apiKey === apiKey ? previous.connectedAt : new Date();
      await store.set(user, seal(key, JSON.stringify({ apiKey, connectedAt: connectedAt.toISOString() }), entryAad(user)));
      return { user, apiKey, connectedAt, keyHint: keyHintOf(apiKey) };
    },
    delete: (user) => store.delete(user),
    async list() {
      return [...(await store.entries()).keys()].sort();
    },
    close: () => store.close(),
  };
}

/**
 * Re-encrypts every record of `store` from `oldSecret` to `newSecret`, with a fresh salt, in one
 * replacement. Returns the number of records.
 */
export async function rotateKeyring(store: KeyringStore, oldSecret: string, newSecret: string): Promise<number> {
  const oldKey = await keyFor(store, oldSecret, false);
  const kdf = newKdfParams();
  const newKey = await deriveKey(newSecret, kdf);
  const entries = new Map<string, Sealed>();
  for (const [user, sealed] of await store.entries()) {
    const entry = open(oldKey, user, sealed, store.where);
    entries.set(user, seal(newKey, JSON.stringify({ apiKey: entry.apiKey, connectedAt: entry.connectedAt.toISOString() }), entryAad(user)));
  }
  await store.replaceAll(newMeta(newKey, kdf), entries);
  return entries.size;
}
