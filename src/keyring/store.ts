/**
 * Where the keyring's encrypted records live: a file under the data directory (one instance), or
 * Redis (every instance sharing it). A store holds only sealed records and the verification
 * record; it never sees a key in clear.
 */
import type { KeyringMeta, Sealed } from './crypto.js';

export interface KeyringStore {
  /** Where the records are, for messages (a path, or "Redis"); never a credential. */
  readonly where: string;
  /** The verification record, or null for a keyring never written. */
  readMeta(): Promise<KeyringMeta | null>;
  /** Stores `meta` unless one exists already; returns the one in force (another instance may have won). */
  initMeta(meta: KeyringMeta): Promise<KeyringMeta>;
  get(user: string): Promise<Sealed | null>;
  set(user: string, sealed: Sealed): Promise<void>;
  /** True when there was a record. */
  delete(user: string): Promise<boolean>;
  /** Every user with a record. */
  entries(): Promise<Map<string, Sealed>>;
  /** Replaces the verification record and every record at once (rotation). */
  replaceAll(meta: KeyringMeta, entries: ReadonlyMap<string, Sealed>): Promise<void>;
  close(): Promise<void>;
}

/** Why a keyring cannot be used; the message names what to fix and never holds a secret. */
export class KeyringError extends Error {
  override readonly name = 'KeyringError';
  constructor(
    readonly code: 'WRONG_SECRET' | 'CORRUPT' | 'UNAVAILABLE' | 'BAD_USER_KEYS_FILE',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
