/**
 * `npm run keyring`: list, set (key on stdin), delete and rotate on a real keyring file, with the
 * gateway's own variables. Keys are never printed; after `rotate` only the new secret opens it.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KEYRING_FILE_NAME, createFileKeyringStore, openKeyring } from '../../../src/keyring/index.js';
import { keyringEnv, TEST_KEYRING_SECRET } from '../support/keyring-env.js';

const keyring = keyringEnv({ alice: 'msk-cli-alice-0001-canary' });
afterAll(() => keyring.remove());
const NEW_SECRET = 'the-new-keyring-secret-42424242';

async function cli(args: string[], env: Record<string, string> = {}, stdin = '') {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/keyring.ts', ...args], {
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', MEMGATE_KEYRING_SECRET: TEST_KEYRING_SECRET, MEMGATE_DATA_DIR: keyring.env.MEMGATE_DATA_DIR!, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  child.stdin!.end(stdin);
  const [code] = await once(child, 'exit');
  return { code: code as number, output };
}

describe('npm run keyring', () => {
  it('links, lists, unlinks and rotates, never printing a key or a secret', async () => {
    // The gateway's start links MEMSYNC_USER_KEYS_FILE's users; here the CLI's `set` does the same for bob.
    const linked = await cli(['set', 'bob'], {}, 'msk-cli-bob-0002-canary\n');
    expect(linked).toMatchObject({ code: 0, output: expect.stringContaining('bob linked (key …nary)') });
    const listed = await cli(['list']);
    expect(listed.code).toBe(0);
    expect(listed.output).toMatch(/^bob\t…nary\tconnected \d{4}-/m);
    expect(listed.output).not.toContain('msk-cli-bob');

    const rotated = await cli(['rotate'], { MEMGATE_KEYRING_NEW_SECRET: NEW_SECRET });
    expect(rotated).toMatchObject({ code: 0, output: expect.stringContaining('1 key(s) re-encrypted') });
    expect(rotated.output).not.toContain(NEW_SECRET);
    const file = readFileSync(join(keyring.env.MEMGATE_DATA_DIR!, KEYRING_FILE_NAME), 'utf8');
    expect(file).not.toContain('msk-cli-bob');
    const reopened = await openKeyring(createFileKeyringStore(keyring.env.MEMGATE_DATA_DIR!), NEW_SECRET);
    expect((await reopened.get('bob'))?.apiKey).toBe('msk-cli-bob-0002-canary');

    const stale = await cli(['list']);
    expect(stale.code).toBe(1);
    expect(stale.output).toContain('MEMGATE_KEYRING_SECRET: does not open');
    expect(stale.output).not.toContain(TEST_KEYRING_SECRET);

    expect(await cli(['delete', 'bob'], { MEMGATE_KEYRING_SECRET: NEW_SECRET })).toMatchObject({ code: 0, output: expect.stringContaining('bob unlinked') });
  });

  it('refuses a rotation without a new secret, an unknown command and a key that cannot be one', async () => {
    expect(await cli(['rotate'])).toMatchObject({ code: 1, output: expect.stringContaining('MEMGATE_KEYRING_NEW_SECRET: required') });
    expect(await cli(['explode'])).toMatchObject({ code: 1, output: expect.stringContaining('usage: npm run keyring') });
    expect(await cli(['set', 'carol'], { MEMGATE_KEYRING_SECRET: NEW_SECRET }, 'not a key')).toMatchObject({ code: 1, output: expect.stringContaining('expected one MemSync API key') });
  });
});
