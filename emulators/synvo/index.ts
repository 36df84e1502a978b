import { randomBytes } from 'node:crypto';
import { createEmulator, listen } from '../core/kit.js';
import type { RunningEmulator, SynvoEmulatorOptions } from '../core/types.js';
import { SynvoRanker } from './answer.js';
import { synvoOpenApi } from './openapi.js';
import { fileContentHandler, maxUploadBytes, synvoRoutes } from './routes.js';
import { synvoSeed } from './seed.js';
import { SynvoStore } from './store.js';

/** The API key the emulator accepts unless `apiKeys` says otherwise. */
export const SYNVO_DEV_API_KEY = 'synvo-dev-key';

export interface SynvoEmulatorExtraOptions extends SynvoEmulatorOptions {
  /** Idle time on an answer stream after which a `:` keep-alive comment is sent. @default 1000 */
  keepAliveMs?: number;
}

/**
 * Starts the Synvo emulator (emulators/README.md, "The upstreams' behaviour"): a real HTTP server with the seed sub-users
 * `default`, `alex` and `newcomer`, faults, counters and the /__emulator/ control API.
 */
export async function startSynvoEmulator(options: SynvoEmulatorExtraOptions = {}): Promise<RunningEmulator> {
  const now = options.now ?? Date.now;
  const store = new SynvoStore({ processingDelayMs: options.processingDelayMs ?? 300, now, seed: synvoSeed });
  const ranker = new SynvoRanker();
  const openapi = synvoOpenApi();
  const signingKey = randomBytes(32);
  const { app, controls, counters } = createEmulator(
    {
      service: 'synvo',
      defaultApiKey: SYNVO_DEV_API_KEY,
      options,
      unauthorizedBody: { error: 'Unauthorized', detail: 'Missing or invalid API key' },
      rateLimitBody: (routeId, retryAfter) =>
        routeId === 'query'
          ? { error: 'Too many requests', code: 'RATE_LIMITED' }
          : { error: 'Too many requests', detail: `Rate limit exceeded; retry after ${retryAfter} s` },
      resetData: () => {
        store.reset();
        ranker.clear();
      },
      openapi,
      shapeVariants: ['alternate', 'unscoped'],
    },
    synvoRoutes({
      store,
      ranker,
      now,
      firstTokenDelayMs: options.firstTokenDelayMs ?? 0,
      tokenDelayMs: options.tokenDelayMs ?? 5,
      keepAliveMs: options.keepAliveMs ?? 1000,
      maxUploadBytes: options.maxUploadBytes ?? maxUploadBytes,
      downloadUrlTtlMs: options.downloadUrlTtlMs ?? 600_000,
      webpageTimeoutMs: options.webpageTimeoutMs ?? 5_000,
      signingKey,
    }),
  );
  // What download URLs point at: no API key (the signed URL is the credential), counted as `fileContent`.
  const serveContent = fileContentHandler({ store, now, signingKey });
  app.get('/file/content/:file_id/:name', (c) => {
    counters.record('fileContent', c.req.query('sub_user_name') || 'default');
    return serveContent(c);
  });
  const running = await listen(app, controls, options);
  // Served by reference: OpenAPI clients (Hive Gateway / Mesh) find the real base URL.
  openapi.servers = [{ url: running.url }];
  return {
    ...running,
    stop: async () => {
      store.close();
      await running.stop();
    },
  };
}
