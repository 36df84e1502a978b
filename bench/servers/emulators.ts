/**
 * Both emulators in one process (pinned apart from the gateway under test), with the bench's fixed
 * latencies: profile 10 ms, events 15 ms, biography 20 ms, first token after 50 ms then one every
 * 5 ms. Every request of the bench names a new user, so no gateway can serve it from a cache; so
 * that those users still have real data (a profile, events, a bio) the stores answer any user
 * named `bench-...` with the data of the seed user `alex`. Counters still count the name asked for.
 * The emulators are the project's own (their factories); only the stores' lookup by name differs.
 */
import { startMemSyncEmulator } from '../../emulators/memsync/index.js';
import { MemoryStore } from '../../emulators/memsync/store.js';
import { startSynvoEmulator } from '../../emulators/synvo/index.js';
import { SynvoStore } from '../../emulators/synvo/store.js';
import { BENCH_USER_PREFIX } from '../lib/constants.js';
import { serveChild } from '../lib/serve-child.js';

/** The seed user whose data every bench user shares. */
const TEMPLATE_USER = 'alex';
const alias = (name: string) => (name.startsWith(BENCH_USER_PREFIX) ? TEMPLATE_USER : name);

/** Routes every read by user name through `alias` (this process only; the stores are otherwise unchanged). */
function aliasReads<T extends object>(proto: T, methods: ReadonlyArray<keyof T>): void {
  for (const m of methods) {
    const original = proto[m] as unknown as (name: string, ...rest: unknown[]) => unknown;
    (proto as Record<keyof T, unknown>)[m] = function (this: unknown, name: string, ...rest: unknown[]) {
      return original.call(this, alias(name), ...rest);
    };
  }
}
aliasReads(SynvoStore.prototype, ['get', 'hasData', 'files', 'completedFiles', 'version']);
aliasReads(MemoryStore.prototype, ['memories', 'user']);

// BENCH_UPSTREAM_LATENCY=0 (bench/factors.ts): answers at once.
const noLatency = process.env.BENCH_UPSTREAM_LATENCY === '0';
const latency = noLatency ? { profile: 0, events: 0, bio: 0 } : { profile: 10, events: 15, bio: 20 };
const firstTokenDelayMs = Number(process.env.BENCH_FIRST_TOKEN_MS ?? 50);
const tokenDelayMs = Number(process.env.BENCH_TOKEN_MS ?? 5);

await serveChild(async () => {
  const common = { routeLatencyMs: latency, controls: true, rateLimitPerMinute: 100_000_000 };
  const [synvo, memsync] = await Promise.all([
    startSynvoEmulator({ ...common, processingDelayMs: 0, firstTokenDelayMs, tokenDelayMs }),
    // The template user's bio exists already; a bench user's first read must not wait for a generation.
    startMemSyncEmulator({ ...common, generationDelayMs: 0 }),
  ]);
  return {
    info: { synvoUrl: synvo.url, memsyncUrl: memsync.url },
    stop: async () => {
      await Promise.all([synvo.stop(), memsync.stop()]);
    },
  };
});
