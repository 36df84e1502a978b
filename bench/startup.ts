/**
 * Production start to ready: `npx tsx bench/startup.ts` (after `npm run build`; not part of
 * `npm test`). Starts the emulators once, then N times spawns the gateway as deployed
 * (`node dist/main.js`, NODE_ENV=production) and measures from the spawn to the first
 * `GET /readyz` answering 200 (both upstreams answer, the listener accepts); the same for the
 * TypeScript entry through tsx (`node --import tsx src/main.ts`, what `start:prod` used to run),
 * for comparison. Prints min, median and max per entry.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { startMemSyncEmulator } from '../emulators/memsync/index.js';
import { startSynvoEmulator } from '../emulators/synvo/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.argv[2] ?? 10);
if (!existsSync(`${root}dist/main.js`)) {
  console.error('bench/startup.ts: run `npm run build` first (dist/main.js is missing).');
  process.exit(1);
}

const dataDir = await mkdtemp(join(tmpdir(), 'memgate-startup-'));
const synvo = await startSynvoEmulator({ apiKeys: ['bench-synvo-key'] });
const memsync = await startMemSyncEmulator({ apiKeys: ['bench-memsync-key'] });

async function startToReady(args: string[]): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: {
      PATH: process.env['PATH'] ?? '',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'warn',
      SYNVO_BASE_URL: synvo.url,
      SYNVO_API_KEY: 'bench-synvo-key',
      MEMSYNC_BASE_URL: `${memsync.url}/v1`,
      MEMSYNC_API_KEY: 'bench-memsync-key',
      MEMGATE_SERVICE_KEYS: 'bench-service-key',
      MEMGATE_KEYRING_SECRET: 'bench-keyring-secret-0123456789',
      // A keyring of its own: the checkout's .memgate/ may hold one written with another secret.
      MEMGATE_DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  try {
    // The URL is printed once the listener is up; readiness may come a moment later.
    let exited = false;
    child.once('exit', () => (exited = true));
    let url: string | undefined;
    while (!url) {
      url = /listening on (http:\/\/\S+?)\/graphql/.exec(out)?.[1];
      if (exited) throw new Error(`the gateway exited: ${out}`);
      if (!url) await sleep(1);
    }
    for (;;) {
      const res = await request(`${url}/readyz`).catch(() => null);
      if (res) await res.body.dump();
      if (res?.statusCode === 200) return performance.now() - started;
      await sleep(1);
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  }
}

const entries: Array<[string, string[]]> = [
  ['node dist/main.js', ['dist/main.js']],
  ['node --import tsx src/main.ts', ['--import', 'tsx', 'src/main.ts']],
];
console.log(`start to ready, ${runs} runs each (spawn -> first GET /readyz 200), load average ${(await import('node:os')).loadavg().map((n) => n.toFixed(1)).join(' ')}`);
for (const [name, args] of entries) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await startToReady(args));
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  console.log(`${name.padEnd(32)} min ${times[0]!.toFixed(0)} ms  median ${median.toFixed(0)} ms  max ${times.at(-1)!.toFixed(0)} ms`);
}
await Promise.all([synvo.stop(), memsync.stop()]);
await rm(dataDir, { recursive: true, force: true });
