/** Shared set-up for the upstream client e2e tests: real emulators on port 0, real clients, disposed. */
import { inspect } from 'node:util';
import { MEMSYNC_SEED_KEYS, startMemSyncEmulator, type RunningMemSyncEmulator } from '../../../emulators/memsync/index.js';
import { startSynvoEmulator } from '../../../emulators/synvo/index.js';
import type { MemSyncEmulatorOptions, RunningEmulator, SynvoEmulatorOptions } from '../../../emulators/core/types.js';
import { createMemSyncClient, createSynvoClient, type UpstreamError } from '../../../src/upstream/index.js';
import type { MemSyncClient, MemSyncClientConfig, SynvoClient, UpstreamCallInfo, UpstreamClientOptions } from '../../../src/upstream/types.js';

export const SYNVO_KEY = 'synvo-dev-key';
/** The emulator's app key, for the user-param mode. */
export const MEMSYNC_KEY = 'memsync-dev-key';

/** Small delays and limits so tests stay fast on a shared 2-core machine. */
export const fastOptions: UpstreamClientOptions = {
  retryBaseDelayMs: 5,
  retryMaxDelayMs: 20,
  connectTimeoutMs: 1_000,
  headersTimeoutMs: 5_000,
  bodyTimeoutMs: 5_000,
  streamIdleTimeoutMs: 5_000,
  keepAliveTimeoutMs: 1_000,
};

export class Harness {
  private readonly disposers: (() => Promise<void>)[] = [];
  readonly calls: UpstreamCallInfo[] = [];

  async synvoEmulator(options: SynvoEmulatorOptions = {}): Promise<RunningEmulator> {
    const emu = await startSynvoEmulator({ tokenDelayMs: 1, processingDelayMs: 20, ...options });
    this.disposers.push(() => emu.stop());
    return emu;
  }

  async memsyncEmulator(options: MemSyncEmulatorOptions = {}): Promise<RunningMemSyncEmulator> {
    const emu = await startMemSyncEmulator({ generationDelayMs: 5, ...options });
    this.disposers.push(() => emu.stop());
    return emu;
  }

  synvo(baseUrl: string, options: UpstreamClientOptions = {}, apiKey = SYNVO_KEY): SynvoClient {
    const client = createSynvoClient({ baseUrl, apiKey, options: { ...fastOptions, onCall: (c) => this.calls.push(c), ...options } });
    this.disposers.push(() => client.close());
    return client;
  }

  /**
   * A MemSync client that sends each user's own key (`keys`: user -> key, the seed accounts by
   * default), or with `scope` any other client configuration (the user-param mode).
   */
  memsync(baseUrl: string, options: UpstreamClientOptions = {}, keys: Record<string, string> = MEMSYNC_SEED_KEYS, scope: Partial<MemSyncClientConfig> = {}): MemSyncClient {
    const client = createMemSyncClient({
      baseUrl,
      keyOf: async (user) => keys[user] ?? null,
      ...scope,
      options: { ...fastOptions, onCall: (c) => this.calls.push(c), ...options },
    });
    this.disposers.push(() => client.close());
    return client;
  }

  async dispose(): Promise<void> {
    // Clients first (they hold sockets to the emulators), then the emulators.
    for (const dispose of this.disposers.reverse()) await dispose();
    this.disposers.length = 0;
  }
}

/** Calls made to an emulator route so far. */
export function count(emu: RunningEmulator, route: string): number {
  return emu.controls.calls().routes[route]?.total ?? 0;
}

/** The rejection of `promise` (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise;
  } catch (error) {
    return error as UpstreamError;
  }
  throw new Error('expected the call to fail, it succeeded');
}

/** Every way an error can be printed, logged or shipped, cause chain included. */
export function everyRendering(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 10; depth++) {
    if (e instanceof Error) {
      parts.push(e.message, e.stack ?? '', String(e), JSON.stringify(e) ?? '', inspect(e, { depth: 20, showHidden: true }));
      e = e.cause;
    } else {
      parts.push(inspect(e, { depth: 20, showHidden: true }), JSON.stringify(e) ?? '');
      break;
    }
  }
  return parts.join('\n');
}
