/**
 * `npm start` and `npm run start:prod` pass SIGTERM and SIGINT on to the gateway: killing npm's
 * own pid drains and stops the gateway as killing the gateway's would (no shell or tsx layer left
 * behind, still serving, orphaned).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterAll, describe, expect, test } from 'vitest';
import { startMemSyncEmulator } from '../../../emulators/memsync/index.js';
import { startSynvoEmulator } from '../../../emulators/synvo/index.js';
import { keyringEnv } from '../support/keyring-env.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const stops: Array<() => unknown> = [];
afterAll(async () => {
  for (const stop of stops) await stop();
});

/** Runs `npm run <script>` (with a keyring of its own), resolves with its process and the gateway URL it prints. */
async function npmRun(script: string, env: Record<string, string>, urlPattern: RegExp) {
  const keyring = keyringEnv();
  stops.push(() => keyring.remove());
  const child = spawn('npm', ['run', script], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', PORT: '0', ...keyring.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  stops.push(() => child.exitCode === null && child.kill('SIGKILL'));
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = urlPattern.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`npm run ${script} exited with ${code}:\n${output}`)));
  });
  return { child, url, output: () => output };
}

/** True while something still answers HTTP at `url`. */
const answers = (url: string) =>
  request(url, { method: 'GET', headersTimeout: 5_000 }).then(
    async (res) => (await res.body.text(), true),
    () => false,
  );

// Each spawns npm, tsx and a gateway: slow to start on a loaded machine.
describe.concurrent('npm scripts and signals', { timeout: 120_000 }, () => {
  test.each(['SIGTERM', 'SIGINT'] as const)('npm start stops the gateway when npm itself gets %s', async (signal) => {
    const run = await npmRun('start', { SYNVO_EMULATOR_PORT: '0', MEMSYNC_EMULATOR_PORT: '0' }, /memgate gateway\s+(http:\/\/\S+)/);
    expect(await answers(run.url)).toBe(true);
    run.child.kill(signal);
    await once(run.child, 'exit');
    expect(run.output()).toMatch(new RegExp(`${signal}: stopping`));
    expect(await answers(run.url)).toBe(false);
  });

  test('npm run start:prod stops the gateway when npm itself gets SIGTERM', async () => {
    const synvo = await startSynvoEmulator({});
    const memsync = await startMemSyncEmulator({});
    stops.push(() => synvo.stop(), () => memsync.stop());
    const run = await npmRun(
      'start:prod',
      {
        NODE_ENV: 'production',
        SYNVO_BASE_URL: synvo.url,
        MEMSYNC_BASE_URL: memsync.url,
        SYNVO_API_KEY: 'synvo-dev-key',
        MEMSYNC_API_KEY: 'memsync-dev-key',
        MEMGATE_SERVICE_KEYS: 'signals-test-key',
      },
      /listening on (http:\/\/\S+)/,
    );
    expect(await answers(run.url)).toBe(true);
    run.child.kill('SIGTERM');
    await once(run.child, 'exit');
    expect(run.output()).toMatch(/SIGTERM, stopping/);
    expect(await answers(run.url)).toBe(false);
  });
});
