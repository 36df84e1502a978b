/**
 * Contender (2): memgate as `npm start` runs it in production (createApp(loadConfig(env))), on the
 * bench's emulators, with a service key for the load generator (its rate limit raised out of the
 * way) and logs off. Everything else is the production default, including the per-user read cache.
 */
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { BENCH_SERVICE_KEY } from '../lib/constants.js';
import { serveChild } from '../lib/serve-child.js';

await serveChild(async () => {
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    SYNVO_BASE_URL: process.env.BENCH_SYNVO_URL,
    SYNVO_API_KEY: process.env.BENCH_SYNVO_KEY ?? 'synvo-dev-key',
    MEMSYNC_BASE_URL: `${process.env.BENCH_MEMSYNC_URL}/v1`,
    // The emulator's app key with user_id: the comparison servers (Hive, direct) address users the same way.
    MEMSYNC_SCOPING: 'user-param',
    MEMSYNC_API_KEY: process.env.BENCH_MEMSYNC_KEY ?? 'memsync-dev-key',
    MEMGATE_SERVICE_KEYS: BENCH_SERVICE_KEY,
    MEMGATE_JWT_SECRET: 'bench-jwt-secret-0123456789',
    // The load generator is one service key: its budget must not end the run (the check still runs).
    MEMGATE_RATE_LIMIT_SERVICE_PER_MINUTE: '1000000000',
    // bench/factors.ts turns the read cache off with 0 (the production default is 30 s).
    ...(process.env.BENCH_CACHE_TTL_SECONDS ? { MEMGATE_CACHE_TTL_SECONDS: process.env.BENCH_CACHE_TTL_SECONDS } : {}),
    // Workload (g): instances sharing one Redis (cache, rate limits, live state).
    ...(process.env.BENCH_REDIS_URL ? { REDIS_URL: process.env.BENCH_REDIS_URL } : {}),
  });
  const app = await createApp(config);
  const { url } = await app.start();
  return { info: { url, wsUrl: url.replace(/^http/, 'ws') }, stop: () => app.stop() };
});
