/**
 * The keyring a test gateway starts with: a fresh data directory, a test secret, and the emulator's
 * seed users linked to their own MemSync accounts through MEMSYNC_USER_KEYS_FILE (as an operator
 * provisions keys). Every MemSync call of `default`, `alex` and `newcomer` then uses that user's key.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MEMSYNC_SEED_KEYS } from '../../../emulators/memsync/index.js';

export const TEST_KEYRING_SECRET = 'test-keyring-secret-0123456789abcdef';

export interface KeyringEnv {
  /** MEMGATE_KEYRING_SECRET, MEMGATE_DATA_DIR and MEMSYNC_USER_KEYS_FILE. */
  env: Record<string, string>;
  dataDir: string;
  /** Removes the directory. */
  remove(): void;
}

/** `users`: user -> MemSync key to preload. @default the seed users and their seed keys */
export function keyringEnv(users: Record<string, string> = MEMSYNC_SEED_KEYS): KeyringEnv {
  const dataDir = mkdtempSync(join(tmpdir(), 'memgate-keyring-'));
  const keysFile = join(dataDir, 'user-keys.json');
  writeFileSync(keysFile, JSON.stringify(users));
  return {
    env: { MEMGATE_KEYRING_SECRET: TEST_KEYRING_SECRET, MEMGATE_DATA_DIR: join(dataDir, 'data'), MEMSYNC_USER_KEYS_FILE: keysFile },
    dataDir,
    remove: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}
