/** Builds the two upstream clients from the config. */
import type { Config } from '../config.js';
import type { UpstreamClients } from '../schema/context.js';

export function createUpstreamClients(config: Readonly<Config>): UpstreamClients {
  if (!config.synvo.baseUrl || !config.memsync.baseUrl) {
    throw new Error(
      'No upstream base URL: set SYNVO_BASE_URL and MEMSYNC_BASE_URL, or run `npm start` to use the embedded emulators',
    );
  }
  // The client factories (issue 4) land in src/upstream/index.ts.
  throw new Error('Upstream clients are not available yet');
}
