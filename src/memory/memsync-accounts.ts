/**
 * Which MemSync account each gateway user is linked to: the keyring seen from the domain.
 * Connecting checks the key with MemSync before storing it; connecting or disconnecting drops the
 * user's cached MemSync reads (the invalidation table), so nothing read with an earlier key is
 * served afterwards.
 */
import type { Keyring } from '../keyring/index.js';
import type { MemSyncClient, MemSyncScoping } from '../upstream/types.js';
import type { Invalidator } from './invalidation.js';

export interface MemSyncConnectionState {
  connected: boolean;
  connectedAt: Date | null;
  /** The key's last 4 characters; null when not connected (or in user-param mode). */
  keyHint: string | null;
}

export interface MemSyncAccounts {
  readonly scoping: MemSyncScoping;
  status(user: string): Promise<MemSyncConnectionState>;
  /** `refused` when MemSync does not accept the key (nothing is stored then). */
  connect(user: string, apiKey: string, signal?: AbortSignal): Promise<MemSyncConnectionState | 'refused'>;
  disconnect(user: string): Promise<MemSyncConnectionState>;
}

export interface MemSyncAccountsOptions {
  scoping: MemSyncScoping;
  /** Null in user-param mode. */
  keyring: Keyring | null;
  /** The MemSync client, for the key check. */
  memsync: Pick<MemSyncClient, 'checkApiKey'>;
  invalidator: Invalidator;
  /** Told every key it is given before anything uses it (the log scrubber learns it). @default ignored */
  learnKey?: (apiKey: string) => void;
}

const NOT_CONNECTED: MemSyncConnectionState = Object.freeze({ connected: false, connectedAt: null, keyHint: null });
/** user-param mode: every user is served through the operator's key; there is nothing to link. */
const OPERATOR_SCOPED: MemSyncConnectionState = Object.freeze({ connected: true, connectedAt: null, keyHint: null });

export function createMemSyncAccounts(options: MemSyncAccountsOptions): MemSyncAccounts {
  const { keyring, scoping, invalidator } = options;
  const requireKeyring = () => {
    if (!keyring) throw new Error('MemSync per-user keys are off (MEMSYNC_SCOPING=user-param)');
    return keyring;
  };
  return {
    scoping,
    async status(user) {
      if (!keyring) return OPERATOR_SCOPED;
      const entry = await keyring.get(user);
      return entry ? { connected: true, connectedAt: entry.connectedAt, keyHint: entry.keyHint } : NOT_CONNECTED;
    },
    async connect(user, apiKey, signal) {
      const ring = requireKeyring();
      options.learnKey?.(apiKey);
      if (!(await options.memsync.checkApiKey(apiKey, signal ? { signal } : {}))) return 'refused';
      const entry = await ring.set(user, apiKey);
      await invalidator.after('connectMemSync', user);
      return { connected: true, connectedAt: entry.connectedAt, keyHint: entry.keyHint };
    },
    async disconnect(user) {
      await requireKeyring().delete(user);
      await invalidator.after('disconnectMemSync', user);
      return NOT_CONNECTED;
    },
  };
}
