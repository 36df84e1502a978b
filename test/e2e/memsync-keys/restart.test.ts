/**
 * The keyring across restarts, in the file store and in Redis; the file holds no key in clear; a
 * wrong MEMGATE_KEYRING_SECRET or a corrupt keyring file stops the gateway at start, saying which
 * variable or file, without echoing a secret; and the production entry (`start:prod`:
 * `src/main.ts`) with MEMSYNC_BASE_URL=http://127.0.0.1:<port>/v1 serves biographies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { print } from 'graphql';
import { Redis } from 'ioredis';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMemSyncEmulator, type RunningMemSyncEmulator } from '../../../emulators/memsync/index.js';
import { startSynvoEmulator } from '../../../emulators/synvo/index.js';
import type { RunningEmulator } from '../../../emulators/core/types.js';
import { createApp, type App } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { KEYRING_FILE_NAME } from '../../../src/keyring/index.js';
import { keyringEnv, TEST_KEYRING_SECRET, type KeyringEnv } from '../support/keyring-env.js';
import { postGraphQL } from '../support/post-graphql.js';
import { ConnectMemSyncDocument, MemSyncViewDocument } from './operations.js';

const SERVICE_KEY = 'restart-test-service-key';
const REDIS_URL = 'redis://127.0.0.1:6379';

let synvo: RunningEmulator;
let memsync: RunningMemSyncEmulator;
const agent = new Agent({ keepAliveTimeout: 500 });
const cleanups: Array<() => unknown> = [];

beforeAll(async () => {
  synvo = await startSynvoEmulator({ processingDelayMs: 20 });
  memsync = await startMemSyncEmulator({ generationDelayMs: 5 });
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await agent.close();
  await Promise.all([synvo.stop(), memsync.stop()]);
});

function envFor(keyring: KeyringEnv, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    SYNVO_BASE_URL: synvo.apiUrl,
    SYNVO_API_KEY: 'synvo-dev-key',
    MEMSYNC_BASE_URL: memsync.apiUrl,
    MEMGATE_SERVICE_KEYS: SERVICE_KEY,
    ...keyring.env,
    ...extra,
  };
}

async function started(env: Record<string, string>): Promise<{ app: App; url: string }> {
  const app = await createApp(loadConfig(env));
  const { url } = await app.start();
  return { app, url };
}

const post = (url: string, document: Parameters<typeof print>[0], variables: Record<string, unknown>) =>
  postGraphQL(url, agent, { query: print(document), variables }, { 'x-api-key': SERVICE_KEY });

describe.each<[string, () => Record<string, string>]>([
  ['the file store', () => ({})],
  ['Redis', () => ({ REDIS_URL, MEMGATE_REDIS_PREFIX: `memgate-test:${randomUUID()}:` })],
])('a link kept in %s', (store, extraEnv) => {
  it('survives a gateway restart, and nothing the store holds shows the key', async () => {
    const keyring = keyringEnv({});
    cleanups.push(() => keyring.remove());
    const extra = extraEnv();
    const env = envFor(keyring, extra);
    const user = `survivor-${randomUUID().slice(0, 8)}`;
    const { apiKey } = memsync.controls.createAccount(user);

    const first = await started(env);
    const connected = await post(first.url, ConnectMemSyncDocument, { apiKey, user });
    expect(connected.json.data.connectMemSync).toMatchObject({ connected: true, keyHint: apiKey.slice(-4) });
    await first.app.stop();

    const second = await started(env);
    try {
      const view = await post(second.url, MemSyncViewDocument, { user, q: 'anything' });
      expect(view.json.errors).toBeUndefined();
      expect(view.json.data.user.memsync).toEqual(connected.json.data.connectMemSync);
      expect(view.json.data.user.biography.__typename).toBe('BiographyNotReady');
    } finally {
      await second.app.stop();
    }

    if (store === 'Redis') {
      const redis = new Redis(REDIS_URL);
      try {
        const prefix = extra.MEMGATE_REDIS_PREFIX!;
        const raw = JSON.stringify([await redis.hgetall(`${prefix}{keyring}`), await redis.get(`${prefix}{keyring}:meta`)]);
        expect(raw).toContain(user);
        expect(raw).not.toContain(apiKey);
        expect(raw).not.toContain(TEST_KEYRING_SECRET);
        await redis.del(`${prefix}{keyring}`, `${prefix}{keyring}:meta`);
      } finally {
        await redis.quit();
      }
    } else {
      const file = readFileSync(join(keyring.env.MEMGATE_DATA_DIR!, KEYRING_FILE_NAME), 'utf8');
      expect(file).toContain(user);
      expect(file).not.toContain(apiKey);
      expect(file).not.toContain(apiKey.slice(-8));
      expect(file).not.toContain(TEST_KEYRING_SECRET);
    }
  });
});

describe('a keyring that cannot be opened', () => {
  it('stops the gateway at start on a wrong MEMGATE_KEYRING_SECRET, naming the variable and not the secrets', async () => {
    const keyring = keyringEnv();
    cleanups.push(() => keyring.remove());
    const { app } = await started(envFor(keyring));
    await app.stop();
    const wrong = 'a-wrong-keyring-secret-000000';
    const error = await createApp(loadConfig(envFor(keyring, { MEMGATE_KEYRING_SECRET: wrong }))).then(
      () => new Error('expected createApp to fail'),
      (e: unknown) => e as Error,
    );
    expect(error).toMatchObject({ name: 'KeyringError', code: 'WRONG_SECRET' });
    expect(error.message).toContain('MEMGATE_KEYRING_SECRET');
    expect(error.message).not.toContain(wrong);
    expect(error.message).not.toContain(TEST_KEYRING_SECRET);
  });

  it('stops the gateway at start on a corrupt keyring file, naming the file and leaving it untouched', async () => {
    const keyring = keyringEnv({});
    cleanups.push(() => keyring.remove());
    const { app } = await started(envFor(keyring));
    await app.stop();
    const path = join(keyring.env.MEMGATE_DATA_DIR!, KEYRING_FILE_NAME);
    writeFileSync(path, '{"version":1,"entries":');
    const error = await createApp(loadConfig(envFor(keyring))).then(
      () => new Error('expected createApp to fail'),
      (e: unknown) => e as Error,
    );
    expect(error).toMatchObject({ name: 'KeyringError', code: 'CORRUPT' });
    expect(error.message).toContain(path);
    expect(readFileSync(path, 'utf8')).toBe('{"version":1,"entries":');
  });
});

describe('the production entry (start:prod: node dist/main.js, built by `npm test`) on the emulators', () => {
  const children: ChildProcess[] = [];
  afterAll(() => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')));

  const launch = (env: Record<string, string>) => {
    const child = spawn(process.execPath, ['--enable-source-maps', 'dist/main.js'], {
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    return { child, output: () => output };
  };

  it('serves biographies with MEMSYNC_BASE_URL=http://127.0.0.1:<port>/v1, each user with their own key', async () => {
    const keyring = keyringEnv();
    cleanups.push(() => keyring.remove());
    const run = launch(envFor(keyring));
    const url = await new Promise<string>((resolve, reject) => {
      const look = () => {
        const match = /listening on (http:\/\/\S+)/.exec(run.output());
        if (match) resolve(match[1]!);
      };
      run.child.stdout!.on('data', look);
      run.child.once('exit', (code) => reject(new Error(`exited with ${code}: ${run.output()}`)));
    });
    memsync.controls.resetCalls();
    const query = '{ alex: user(name: "alex") { biography { __typename ... on Biography { text } } } newcomer: user(name: "newcomer") { biography { __typename } } }';
    const res = await postGraphQL(url, agent, { query }, { 'x-api-key': SERVICE_KEY });
    expect(res.json.errors).toBeUndefined();
    expect(res.json.data.alex.biography).toMatchObject({ __typename: 'Biography', text: expect.stringContaining('San Francisco') });
    expect(res.json.data.newcomer.biography.__typename).toBe('BiographyNotReady');
    expect(memsync.controls.calls().routes['bio']?.byUser).toEqual({ alex: 1, newcomer: 1 });
    run.child.kill('SIGTERM');
    expect((await once(run.child, 'exit'))[0]).toBe(0);
  });

  it('refuses to start on a wrong MEMGATE_KEYRING_SECRET, naming it without echoing it, and exits 1', async () => {
    const keyring = keyringEnv();
    cleanups.push(() => keyring.remove());
    const { app } = await started(envFor(keyring));
    await app.stop();
    const wrong = 'a-wrong-keyring-secret-111111';
    const run = launch(envFor(keyring, { MEMGATE_KEYRING_SECRET: wrong }));
    const [code] = await once(run.child, 'exit');
    expect(code).toBe(1);
    expect(run.output()).toMatch(/memgate: cannot start: MEMGATE_KEYRING_SECRET: does not open the keyring file/);
    expect(run.output()).not.toContain(wrong);
    expect(run.output()).not.toContain(TEST_KEYRING_SECRET);
    expect(run.output()).not.toMatch(/^\s+at /m);
  });
});
