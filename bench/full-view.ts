/**
 * The full user view under load: `npx tsx bench/full-view.ts` (not part of npm test).
 *
 * The emulators (one process) answer profile, events and biography after a fixed 10, 15 and
 * 20 ms (`routeLatencyMs`); the gateway (another process) runs with the read cache off so every
 * request fans out to the upstreams; autocannon (this process) sends the full view with 50
 * connections. Prints the median and p99 latency, each minus the slowest upstream's 20 ms (the
 * gateway's own overhead when the fan-out is parallel), and requests per second.
 *
 * Options: --connections N (50), --duration S (10), --warmup S (3), --cpu-prof DIR (profile the gateway).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const SLOWEST_UPSTREAM_MS = 20;
const ROUTE_LATENCY_MS = { profile: 10, events: 15, bio: 20 };
const SERVICE_KEY = 'bench-service-key';

const FULL_VIEW = `query FullView($name: String!) {
  user(name: $name) {
    name
    profile { basicInfo { name } education { school major } work { company title workSkills } attributes { category subtopic values } }
    events(limit: 10) { type content time }
    biography(format: SHORT) { __typename ... on Biography { text keyThemes } ... on BiographyNotReady { suggestion currentMemoryCount } }
    memories(query: "work", limit: 5) { id text categories }
    searchFiles(query: "notes") { id name path }
  }
}`;

type Ready = { type: 'ready'; urls: Record<string, string> };
type Cpu = { type: 'cpu'; micros: number };

/** Answers `cpu` requests with this process's CPU time (user + system), in microseconds. */
function reportCpu(): void {
  process.on('message', (m: { type?: string }) => {
    if (m.type === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send!({ type: 'cpu', micros: user + system } satisfies Cpu);
    }
  });
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

async function serveEmulators(): Promise<void> {
  const { startSynvoEmulator } = await import('../emulators/synvo/index.js');
  const { startMemSyncEmulator } = await import('../emulators/memsync/index.js');
  const synvo = await startSynvoEmulator({ routeLatencyMs: ROUTE_LATENCY_MS, rateLimitPerMinute: 10_000_000 });
  const memsync = await startMemSyncEmulator({ routeLatencyMs: ROUTE_LATENCY_MS, rateLimitPerMinute: 10_000_000 });
  reportCpu();
  process.send!({ type: 'ready', urls: { synvo: synvo.url, memsync: memsync.url } } satisfies Ready);
  process.on('disconnect', () => void Promise.all([synvo.stop(), memsync.stop()]).then(() => process.exit(0)));
}

async function serveGateway(): Promise<void> {
  const { loadConfig } = await import('../src/config.js');
  const { createApp } = await import('../src/app.js');
  const [synvoUrl, memsyncUrl] = process.argv.slice(3);
  const config = loadConfig({
    NODE_ENV: 'production',
    PORT: '0',
    LOG_LEVEL: 'silent',
    SYNVO_BASE_URL: synvoUrl,
    SYNVO_API_KEY: 'synvo-dev-key',
    MEMSYNC_BASE_URL: `${memsyncUrl}/v1`,
    MEMSYNC_API_KEY: 'memsync-dev-key',
    // The emulator's app key with user_id: the comparison servers (Hive, direct) address users the same way.
    MEMSYNC_SCOPING: 'user-param',
    MEMGATE_SERVICE_KEYS: SERVICE_KEY,
    MEMGATE_CACHE_TTL_SECONDS: '0',
    MEMGATE_RATE_LIMIT_SERVICE_PER_MINUTE: '100000000',
    MEMGATE_RATE_LIMIT_USER_PER_MINUTE: '100000000',
  });
  const app = await createApp(config);
  const { url } = await app.start();
  reportCpu();
  process.send!({ type: 'ready', urls: { gateway: url } } satisfies Ready);
  process.on('disconnect', () => void app.stop().then(() => process.exit(0)));
}

function cpuOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (m: Cpu) => {
      if (m.type !== 'cpu') return;
      child.off('message', onMessage);
      resolve(m.micros);
    };
    child.on('message', onMessage);
    child.send({ type: 'cpu' });
  });
}

function start(role: string, extra: string[] = [], nodeFlags: string[] = []): Promise<{ child: ChildProcess; urls: Record<string, string> }> {
  // NODE_ENV=production as deployed (graphql-js skips its development-only checks).
  const child = fork(fileURLToPath(import.meta.url), [role, ...extra], {
    execArgv: ['--import', 'tsx', ...nodeFlags],
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: 'inherit',
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m: Ready) => resolve({ child, urls: m.urls }));
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
  });
}

async function main(): Promise<void> {
  const connections = arg('connections', 50);
  const duration = arg('duration', 10);
  const warmup = arg('warmup', 3);
  const emulators = await start('--emulators');
  // --cpu-prof DIR: write a CPU profile of the gateway process into DIR.
  const profIndex = process.argv.indexOf('--cpu-prof');
  const profDir = profIndex >= 0 ? process.argv[profIndex + 1] : undefined;
  const gateway = await start('--gateway', [emulators.urls['synvo']!, emulators.urls['memsync']!], profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []);
  const url = gateway.urls['gateway']!;
  const body = JSON.stringify({ query: FULL_VIEW, variables: { name: 'alex' } });
  const headers = { 'content-type': 'application/json', 'x-api-key': SERVICE_KEY };

  // One request first: the view must resolve without errors, or the figures mean nothing.
  const probe = (await (await fetch(url, { method: 'POST', headers, body })).json()) as { errors?: unknown; data?: unknown };
  if (probe.errors) throw new Error(`the full view failed: ${JSON.stringify(probe.errors)}`);

  const run = (seconds: number) =>
    autocannon({ url, method: 'POST', headers, body, connections, duration: seconds, pipelining: 1 });
  await run(warmup);
  const [gatewayCpu0, emulatorsCpu0] = await Promise.all([cpuOf(gateway.child), cpuOf(emulators.child)]);
  const result = await run(duration);
  const [gatewayCpu1, emulatorsCpu1] = await Promise.all([cpuOf(gateway.child), cpuOf(emulators.child)]);
  const perRequest = (micros: number) => (micros / 1000 / Math.max(1, result.requests.total)).toFixed(2);

  const non2xx = result.non2xx + result.errors + result.timeouts;
  console.log(`full view, ${connections} connections, ${duration} s (after ${warmup} s warm-up); upstream latency profile ${ROUTE_LATENCY_MS.profile} ms, events ${ROUTE_LATENCY_MS.events} ms, biography ${ROUTE_LATENCY_MS.bio} ms; read cache off`);
  console.log(`  requests            ${result.requests.total} (${non2xx} failed)`);
  console.log(`  requests/s          ${result.requests.average.toFixed(0)}`);
  console.log(`  latency median      ${result.latency.p50} ms  -> minus slowest upstream: ${(result.latency.p50 - SLOWEST_UPSTREAM_MS).toFixed(1)} ms`);
  console.log(`  latency p99         ${result.latency.p99} ms  -> minus slowest upstream: ${(result.latency.p99 - SLOWEST_UPSTREAM_MS).toFixed(1)} ms`);
  console.log(`  latency mean / max  ${result.latency.average.toFixed(1)} / ${result.latency.max} ms`);
  console.log(`  CPU per request     gateway ${perRequest(gatewayCpu1 - gatewayCpu0)} ms, emulators ${perRequest(emulatorsCpu1 - emulatorsCpu0)} ms`);

  gateway.child.disconnect();
  emulators.child.disconnect();
}

const role = process.argv[2];
if (role === '--emulators') await serveEmulators();
else if (role === '--gateway') await serveGateway();
else await main();
