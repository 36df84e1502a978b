import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterAll, describe, expect, test } from 'vitest';
import { keyringEnv } from '../support/keyring-env.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM'); // npm forwards it; a SIGKILL would orphan the gateway
});

/** Runs `npm run <script>`, or a built `.js` entry (the production build in dist/) with plain node. */
function launch(entry: `npm run ${string}` | `${string}.js`, env: Record<string, string>) {
  const [command, args] = entry.startsWith('npm run ') ? ['npm', ['run', '--silent', entry.slice('npm run '.length)]] : [process.execPath, [entry]];
  const child = spawn(command, args, {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return {
    child,
    output: () => output,
    /** Resolves with the first match of `pattern` in the output. */
    waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(output);
          if (match) {
            child.stdout!.off('data', check);
            resolve(match);
          }
        };
        child.stdout!.on('data', check);
        child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
        check();
      });
    },
  };
}

async function graphql(url: string, query: string, headers: Record<string, string>) {
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  return (await res.body.json()) as { data?: any; errors?: any[] };
}

describe.concurrent('npm start', () => {
  test('runs the gateway on embedded emulators with the printed development credentials, and stops when npm gets SIGTERM', async () => {
    const run = launch('npm run start', { PORT: '0', SYNVO_EMULATOR_PORT: '0', MEMSYNC_EMULATOR_PORT: '0', MEMGATE_CACHE_TTL_SECONDS: '0' });
    const [, url] = await run.waitFor(/memgate gateway\s+(http:\/\/127\.0\.0\.1:\d+\/graphql)/);
    const [, token] = await run.waitFor(/Authorization: Bearer (\S+)/);
    expect(run.output()).toContain('X-Api-Key: memgate-dev-key');

    const asUser = await graphql(url!, '{ viewer { name profile { education { school } } } }', { authorization: `Bearer ${token}` });
    expect(asUser).toEqual({ data: { viewer: { name: 'default', profile: { education: { school: 'Nanyang Technological University (NTU)' } } } } });
    const asService = await graphql(url!, '{ user(name: "alex") { name } }', { 'x-api-key': 'memgate-dev-key' });
    expect(asService).toEqual({ data: { user: { name: 'alex' } } });

    const page = await request(url!, { headers: { accept: 'text/html' } });
    const html = await page.body.text();
    expect(html).toContain('FullView');
    expect(html).toContain(token!);

    // SIGTERM goes to npm, as a process manager sends it: npm forwards it to the gateway, which stops
    // gracefully (and exits 0, so npm does too) instead of being orphaned with its ports held.
    run.child.kill('SIGTERM');
    const [code] = await once(run.child, 'exit');
    expect(run.output()).toContain('SIGTERM: stopping');
    expect(code).toBe(0);
    await expect(request(url!)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe.concurrent('the production build (node dist/main.js)', () => {
  test('refuses to start with a real upstream and no caller authentication, and says why', async () => {
    const run = launch('dist/main.js', {
      SYNVO_BASE_URL: 'https://api.synvo.ai',
      SYNVO_API_KEY: 'sk-real-key-123',
      MEMSYNC_BASE_URL: 'https://api.memsync.ai',
      MEMSYNC_API_KEY: 'sk-real-key-456',
    });
    const [code] = await once(run.child, 'exit');
    expect(code).toBe(1);
    expect(run.output()).toMatch(/MEMGATE_JWT_SECRET, MEMGATE_JWKS_URL or MEMGATE_SERVICE_KEYS/);
    expect(run.output()).not.toContain('sk-real-key');
  });

  test('says which address is taken and exits 1, without a stack trace', async () => {
    const keyring = keyringEnv();
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const run = launch('dist/main.js', {
        NODE_ENV: 'production',
        PORT: String(port),
        SYNVO_BASE_URL: 'http://127.0.0.1:9',
        SYNVO_API_KEY: 'sk-real-key-123',
        MEMSYNC_BASE_URL: 'http://127.0.0.1:9/v1',
        MEMSYNC_API_KEY: 'sk-real-key-456',
        MEMGATE_SERVICE_KEYS: 'service-key-0123',
        ...keyring.env,
      });
      const [code] = await once(run.child, 'exit');
      expect(code).toBe(1);
      expect(run.output()).toContain(`cannot listen on 127.0.0.1:${port}`);
      expect(run.output()).toContain('EADDRINUSE');
      expect(run.output()).not.toMatch(/^\s+at /m);
      expect(run.output()).not.toContain('sk-real-key');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
      keyring.remove();
    }
  });

  test('names the bad variable and exits on an invalid value', async () => {
    const run = launch('dist/main.js', { PORT: 'http' });
    const [code] = await once(run.child, 'exit');
    expect(code).toBe(1);
    expect(run.output()).toMatch(/PORT: must be a port number/);
  });
});
