/**
 * The emulators a launcher embeds for every upstream without a configured base URL (`npm start`,
 * `npm run mcp`). Lives outside `src/` because `src/` never imports `emulators/`.
 */
import type { Config, withUpstreams } from '../src/config.js';
import type { Keyring } from '../src/keyring/index.js';
import type { RunningEmulator } from '../emulators/core/types.js';
import { MEMSYNC_SEED_KEYS, startMemSyncEmulator } from '../emulators/memsync/index.js';
import { startSynvoEmulator } from '../emulators/synvo/index.js';

export interface EmbeddedEmulators {
  /** The upstreams to hand to `withUpstreams`. */
  upstreams: Parameters<typeof withUpstreams>[1];
  /**
   * Links the seed users to their own accounts on the embedded MemSync emulator (one key per
   * account, as on MemSync), so GraphiQL works as it is. Returns the users linked (none when
   * MemSync is not embedded, or without per-user keys).
   */
  linkSeedAccounts(keyring: Keyring | null): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * Starts the missing emulators (controls enabled). `log` gets one line per emulator started.
 * On failure, stops what it started and rethrows.
 */
export async function startEmbeddedEmulators(
  config: Readonly<Config>,
  options: { log: (line: string) => void; ports?: { synvo: number; memsync: number } },
): Promise<EmbeddedEmulators> {
  const emulators: RunningEmulator[] = [];
  const upstreams: EmbeddedEmulators['upstreams'] = {};
  const stop = async () => {
    await Promise.allSettled(emulators.map((e) => e.stop()));
  };
  try {
    if (!config.synvo.baseUrl) {
      const port = options.ports?.synvo ?? config.synvo.emulatorPort;
      const synvo = await startSynvoEmulator({ host: config.host, port, apiKeys: [config.synvo.apiKey], controls: true });
      emulators.push(synvo);
      upstreams.synvo = { baseUrl: synvo.url };
      options.log(`Synvo emulator     ${synvo.url}   (controls: ${synvo.url}/__emulator/)`);
    }
    if (!config.memsync.baseUrl) {
      const port = options.ports?.memsync ?? config.memsync.emulatorPort;
      const memsync = await startMemSyncEmulator({ host: config.host, port, apiKeys: [config.memsync.apiKey], controls: true });
      emulators.push(memsync);
      upstreams.memsync = { baseUrl: memsync.apiUrl };
      options.log(`MemSync emulator   ${memsync.apiUrl}   (controls: ${memsync.url}/__emulator/)`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const memsyncEmbedded = !config.memsync.baseUrl;
  return {
    upstreams,
    stop,
    async linkSeedAccounts(keyring) {
      if (!memsyncEmbedded || !keyring) return [];
      for (const [user, key] of Object.entries(MEMSYNC_SEED_KEYS)) await keyring.set(user, key);
      return Object.keys(MEMSYNC_SEED_KEYS);
    },
  };
}
