/**
 * MemSync accounts and their API keys. MemSync has no user parameter: a key belongs to one
 * account and every call made with it reads and writes that account's memories only. The seed
 * accounts share their names with the Synvo seed's sub-users; `POST /__emulator/keys` signs a new
 * person up. App keys (`apiKeys`, default `memsync-dev-key`) serve the optional user-param mode,
 * where `user_id` names the account.
 */
import { randomBytes } from 'node:crypto';

/** One key per seed account (emulators/README.md). */
export const MEMSYNC_SEED_KEYS = {
  default: 'memsync-key-default',
  alex: 'memsync-key-alex',
  newcomer: 'memsync-key-newcomer',
} as const;

export class MemSyncAccounts {
  readonly #appKeys: ReadonlySet<string>;
  #byKey = new Map<string, string>();
  #names = new Set<string>();

  constructor(appKeys: Iterable<string>) {
    this.#appKeys = new Set(appKeys);
    this.reset();
  }

  /** Back to the seed accounts only. */
  reset(): void {
    this.#byKey = new Map(Object.entries(MEMSYNC_SEED_KEYS).map(([account, key]) => [key, account]));
    this.#names = new Set(Object.keys(MEMSYNC_SEED_KEYS));
  }

  isAppKey(key: string): boolean {
    return this.#appKeys.has(key);
  }

  /** True for an account key or an app key. */
  isKnownKey(key: string): boolean {
    return this.#appKeys.has(key) || this.#byKey.has(key);
  }

  /** The account an account key opens (undefined for app keys and unknown keys). */
  accountOf(key: string): string | undefined {
    return this.#byKey.get(key);
  }

  /** A new account, named after `user` (with a suffix when taken), and its key. */
  create(user: string): { account: string; apiKey: string } {
    let account = user;
    for (let n = 2; this.#names.has(account); n++) account = `${user}-${n}`;
    const apiKey = `memsync-key-${randomBytes(12).toString('hex')}`;
    this.#names.add(account);
    this.#byKey.set(apiKey, account);
    return { account, apiKey };
  }
}
