/**
 * Both emulators in one process (pinned apart from the gateway under test), with the bench's fixed
 * latencies: profile 10 ms, events 15 ms, biography 20 ms, first token after 50 ms then one every
 * 5 ms. Every request of the bench names a new user, so no gateway can serve it from a cache; so
 * that those users still have real data (a profile, events, a bio) the stores answer any user
 * named `bench-...` with the data of the seed user `alex`. Counters still count the name asked for.
 * Built from the emulators' own kit, routes and stores: only the name lookup differs.
 */
import { createEmulator, listen } from '../../emulators/core/kit.js';
import { SynvoRanker } from '../../emulators/synvo/answer.js';
import { synvoOpenApi } from '../../emulators/synvo/openapi.js';
import { synvoRoutes } from '../../emulators/synvo/routes.js';
import { synvoSeed } from '../../emulators/synvo/seed.js';
import { SynvoStore } from '../../emulators/synvo/store.js';
import { memSyncOpenApi } from '../../emulators/memsync/openapi.js';
import { memSyncRoutes } from '../../emulators/memsync/routes.js';
import { seedStore } from '../../emulators/memsync/seed.js';
import { MemoryStore } from '../../emulators/memsync/store.js';
import { createSnapshot } from '../../emulators/memsync/bio.js';
import { BENCH_USER_PREFIX } from '../lib/constants.js';
import { serveChild } from '../lib/serve-child.js';

/** The seed user whose data every bench user shares. */
const TEMPLATE_USER = 'alex';
const alias = (name: string) => (name.startsWith(BENCH_USER_PREFIX) ? TEMPLATE_USER : name);

class BenchSynvoStore extends SynvoStore {
  override get(name: string) { return super.get(alias(name)); }
  override hasData(name: string) { return super.hasData(alias(name)); }
  override files(name: string) { return super.files(alias(name)); }
  override completedFiles(name: string) { return super.completedFiles(alias(name)); }
  override version(name: string) { return super.version(alias(name)); }
}

class BenchMemoryStore extends MemoryStore {
  override memories(userId: string) { return super.memories(alias(userId)); }
  override user(userId: string) { return super.user(alias(userId)); }
}

const latency = { profile: 10, events: 15, bio: 20 };
const firstTokenDelayMs = Number(process.env.BENCH_FIRST_TOKEN_MS ?? 50);
const tokenDelayMs = Number(process.env.BENCH_TOKEN_MS ?? 5);

await serveChild(async () => {
  const options = { routeLatencyMs: latency, controls: true, rateLimitPerMinute: 100_000_000 };

  const synvoStore = new BenchSynvoStore({ processingDelayMs: 0, now: Date.now, seed: synvoSeed });
  const ranker = new SynvoRanker();
  const synvo = createEmulator(
    {
      service: 'synvo',
      defaultApiKey: 'synvo-dev-key',
      options,
      unauthorizedBody: { error: 'Unauthorized', detail: 'Missing or invalid API key' },
      rateLimitBody: () => ({ error: 'Too many requests', code: 'RATE_LIMITED' }),
      resetData: () => { synvoStore.reset(); ranker.clear(); },
      openapi: synvoOpenApi(),
    },
    synvoRoutes({ store: synvoStore, ranker, now: Date.now, firstTokenDelayMs, tokenDelayMs, keepAliveMs: 1000 }),
  );

  const memStore = new BenchMemoryStore();
  const loadSeed = () => {
    memStore.clear();
    seedStore(memStore);
    memStore.user(TEMPLATE_USER).bio = createSnapshot(memStore.memories(TEMPLATE_USER), Date.now());
  };
  loadSeed();
  const memsync = createEmulator(
    {
      service: 'memsync',
      defaultApiKey: 'memsync-dev-key',
      options,
      unauthorizedBody: { error: 'Invalid or expired token', code: 'UNAUTHORIZED' },
      rateLimitBody: (_route, retryAfter) => ({ error: 'Too many requests', code: 'RATE_LIMIT_EXCEEDED', retry_after: retryAfter }),
      resetData: loadSeed,
      openapi: memSyncOpenApi,
    },
    memSyncRoutes({ store: memStore, now: Date.now, generationDelayMs: 0 }),
  );

  const [s, m] = await Promise.all([listen(synvo.app, synvo.controls, options), listen(memsync.app, memsync.controls, options)]);
  return {
    info: { synvoUrl: s.url, memsyncUrl: m.url },
    stop: async () => {
      synvoStore.close();
      await Promise.all([s.stop(), m.stop()]);
    },
  };
});
