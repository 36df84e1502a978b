/**
 * The MemSync emulator: `GET /v1/profile/bio`, `POST /v1/memories`, `POST /v1/memories/search`
 * as emulators/README.md ("The upstreams' behaviour") describes them, on the shared emulator kit (auth, rate limits,
 * faults, counters, control API). Scoped by API key: each key opens one account. Rules for
 * extraction, distances and bios: ./README.md.
 */
import { z } from 'zod';
import { createEmulator, listen, type RouteDefinition } from '../core/kit.js';
import type { EmulatorControls, MemSyncEmulatorOptions, RunningEmulator } from '../core/types.js';
import { MEMSYNC_SEED_KEYS, MemSyncAccounts } from './accounts.js';
import { createSnapshot } from './bio.js';
import { memSyncOpenApi } from './openapi.js';
import { memSyncRoutes } from './routes.js';
import { seedStore } from './seed.js';
import { MemoryStore } from './store.js';
import { isoTime } from './text.js';

export { MEMSYNC_SEED_KEYS } from './accounts.js';

/** The app key of the optional user-param mode (`user_id` names the account). */
export const MEMSYNC_DEV_API_KEY = 'memsync-dev-key';

/** MemSync's published limits per key (emulators/README.md), for `rateLimits: 'realistic'`. */
export const MEMSYNC_REALISTIC_LIMITS = { standard: 100, search: 50 } as const;
const SEARCH_ROUTES: ReadonlySet<string> = new Set(['memoriesSearch']);

export interface MemSyncEmulatorControls extends EmulatorControls {
  /** A new account and its key, as a person signing up to MemSync gets one (`POST /__emulator/keys`). */
  createAccount(user: string): { account: string; apiKey: string };
}

export interface RunningMemSyncEmulator extends RunningEmulator {
  controls: MemSyncEmulatorControls;
}

/**
 * The `shape` fault with `{"variant":"envelope"}`: the answer wrapped as MemSync's introduction
 * says, `{"data","status":"success","timestamp"}`, or an error as `{"error":{"code","message",
 * "details"},"status":"error","timestamp"}`.
 */
function withEnvelopeFault(route: RouteDefinition, now: () => number): RouteDefinition {
  return {
    ...route,
    faultKinds: [...(route.faultKinds ?? []), 'shape'],
    async handler(c, tools) {
      const wrap = tools.fault(['shape']) !== undefined;
      const res = await route.handler(c, tools);
      if (!wrap) return res;
      let body: unknown;
      try {
        body = await res.clone().json();
      } catch {
        return res;
      }
      const timestamp = isoTime(now());
      let wrapped: unknown;
      if (res.ok) {
        wrapped = { data: body, status: 'success', timestamp };
      } else {
        const { error, code, ...details } = (body ?? {}) as Record<string, unknown>;
        wrapped = { error: { code: code ?? 'ERROR', message: error ?? 'Error', details }, status: 'error', timestamp };
      }
      const headers = new Headers(res.headers);
      headers.delete('content-length');
      return new Response(JSON.stringify(wrapped), { status: res.status, headers });
    },
  };
}

/** Builds the MemSync emulator's Hono app and controls without listening (tests may call `app.fetch`). */
export function createMemSyncEmulator(options: MemSyncEmulatorOptions = {}) {
  const now = options.now ?? Date.now;
  const store = new MemoryStore();
  const accounts = new MemSyncAccounts(options.apiKeys ?? [MEMSYNC_DEV_API_KEY]);
  const loadSeed = () => {
    store.clear();
    accounts.reset();
    seedStore(store);
    // The seed's engineer already has a bio, as in MemSync's example.
    store.user('alex').bio = createSnapshot(store.memories('alex'), now());
  };
  loadSeed();
  const openapi = memSyncOpenApi();
  const perMinute = options.rateLimitPerMinute ?? 100_000;
  const keysBody = z.object({ user: z.string().regex(/^[A-Za-z0-9._@-]{1,128}$/, 'must be 1 to 128 characters of A-Z a-z 0-9 . _ @ -') });
  const emulator = createEmulator(
    {
      service: 'memsync',
      defaultApiKey: MEMSYNC_DEV_API_KEY,
      options,
      unauthorizedBody: { error: 'Invalid or expired token', code: 'UNAUTHORIZED' },
      rateLimitBody: (_route, retryAfter) => ({ error: 'Too many requests', code: 'RATE_LIMIT_EXCEEDED', retry_after: retryAfter }),
      resetData: loadSeed,
      openapi,
      isKnownKey: (key) => accounts.isKnownKey(key),
      rateLimitFor: (routeId) =>
        options.rateLimits === 'realistic'
          ? SEARCH_ROUTES.has(routeId)
            ? { bucket: 'search', perMinute: MEMSYNC_REALISTIC_LIMITS.search }
            : { bucket: 'standard', perMinute: MEMSYNC_REALISTIC_LIMITS.standard }
          : { bucket: 'all', perMinute },
      shapeVariants: ['envelope'],
      controlRoutes(app) {
        app.post('/__emulator/keys', async (c) => {
          const parsed = keysBody.safeParse(await c.req.json().catch(() => undefined));
          if (!parsed.success) {
            return c.json({ error: 'Invalid request', detail: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') }, 400);
          }
          const created = accounts.create(parsed.data.user);
          return c.json({ api_key: created.apiKey, account: created.account });
        });
      },
    },
    memSyncRoutes({ store, accounts, now, generationDelayMs: options.generationDelayMs ?? 50 }).map((r) => withEnvelopeFault(r, now)),
  );
  const controls: MemSyncEmulatorControls = { ...emulator.controls, createAccount: (user) => accounts.create(user) };
  return { ...emulator, controls, openapi };
}

/** Starts the MemSync emulator on `options.port` (default: any free port). Clients use `apiUrl` (`url` + `/v1`). */
export async function startMemSyncEmulator(options: MemSyncEmulatorOptions = {}): Promise<RunningMemSyncEmulator> {
  const { app, controls, openapi } = createMemSyncEmulator(options);
  const running = await listen(app, controls, options);
  openapi.servers = [{ url: running.url, description: 'This emulator' }];
  return { ...running, apiUrl: `${running.url}/v1`, controls };
}

