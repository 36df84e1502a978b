/**
 * The MemSync emulator: `GET /profile/bio`, `POST /v1/memories`, `POST /v1/memories/search`
 * as /work/shared/upstream-api.md describes them, on the shared emulator kit (auth, rate limits,
 * faults, counters, control API). Rules for extraction, distances and bios: ./README.md.
 */
import { createEmulator, listen } from '../core/kit.js';
import type { MemSyncEmulatorOptions, RunningEmulator } from '../core/types.js';
import { createSnapshot } from './bio.js';
import { memSyncOpenApi } from './openapi.js';
import { memSyncRoutes } from './routes.js';
import { seedStore } from './seed.js';
import { MemoryStore } from './store.js';

export const MEMSYNC_DEV_API_KEY = 'memsync-dev-key';

/** Builds the MemSync emulator's Hono app and controls without listening (tests may call `app.fetch`). */
export function createMemSyncEmulator(options: MemSyncEmulatorOptions = {}) {
  const now = options.now ?? Date.now;
  const store = new MemoryStore();
  const loadSeed = () => {
    store.clear();
    seedStore(store);
    // The seed's engineer already has a bio, as in MemSync's example.
    store.user('alex').bio = createSnapshot(store.memories('alex'), now());
  };
  loadSeed();
  const openapi = memSyncOpenApi();
  const emulator = createEmulator(
    {
      service: 'memsync',
      defaultApiKey: MEMSYNC_DEV_API_KEY,
      options,
      unauthorizedBody: { error: 'Invalid or expired token', code: 'UNAUTHORIZED' },
      rateLimitBody: (_route, retryAfter) => ({ error: 'Too many requests', code: 'RATE_LIMIT_EXCEEDED', retry_after: retryAfter }),
      resetData: loadSeed,
      openapi,
    },
    memSyncRoutes({ store, now, generationDelayMs: options.generationDelayMs ?? 50 }),
  );
  return { ...emulator, openapi };
}

/** Starts the MemSync emulator on `options.port` (default: any free port). */
export async function startMemSyncEmulator(options: MemSyncEmulatorOptions = {}): Promise<RunningEmulator> {
  const { app, controls, openapi } = createMemSyncEmulator(options);
  const running = await listen(app, controls, options);
  openapi.servers = [{ url: running.url, description: 'This emulator' }];
  return running;
}
