/** Builds the two upstream clients from the config. */
import type { Config } from '../config.js';
import type { UpstreamClients } from '../schema/context.js';
import type { UpstreamClientOptions } from '../upstream/types.js';
import { createMemSyncClient, createSynvoClient } from '../upstream/index.js';

/** `hooks`: what every call reports to (metrics, tracing, logs; issue 8). */
export function createUpstreamClients(config: Readonly<Config>, hooks: Pick<UpstreamClientOptions, 'onCall' | 'onBreakerStateChange'> = {}): UpstreamClients {
  if (!config.synvo.baseUrl || !config.memsync.baseUrl) {
    throw new Error(
      'No upstream base URL: set SYNVO_BASE_URL and MEMSYNC_BASE_URL, or run `npm start` to use the embedded emulators',
    );
  }
  return {
    synvo: createSynvoClient({ baseUrl: config.synvo.baseUrl, apiKey: config.synvo.apiKey, options: { ...config.upstreamOptions, ...hooks } }),
    memsync: createMemSyncClient({ baseUrl: config.memsync.baseUrl, apiKey: config.memsync.apiKey, options: { ...config.upstreamOptions, ...hooks } }),
  };
}
