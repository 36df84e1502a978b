/**
 * The keyring on its real stores: an encrypted file in a temporary directory, and the machine's
 * Redis under a unique prefix. Nothing is mocked: real AES-256-GCM, real scrypt, real files.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  KEYRING_FILE_NAME,
  KeyringError,
  createFileKeyringStore,
  createKeyring,
  createRedisKeyringStore,
  openKeyring,
  readUserKeysFile,
  rotateKeyring,
  type KeyringStore,
} from '../../src/keyring/index.js';

const SECRET = 'unit-keyring-secret-0123456789';
const OTHER_SECRET = 'another-keyring-secret-9876543210';
const KEY_A = 'msk-live-AAAA-1111-aaaa-canary';
const KEY_B = 'msk-live-BBBB-2222-bbbb-canary';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'memgate-keyring-unit-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the file keyring', () => {
  it('keeps keys across a reopen, encrypted: the file holds no key, no hint and no secret in clear', async () => {
    const dir = tempDir();
    const first = await openKeyring(createFileKeyringStore(dir), SECRET);
    const entry = await first.set('alice', KEY_A);
    await first.set('bob', KEY_B);
    expect(entry).toMatchObject({ user: 'alice', apiKey: KEY_A, keyHint: 'nary' });
    await first.close();

    const file = readFileSync(join(dir, KEYRING_FILE_NAME), 'utf8');
    for (const secret of [KEY_A, KEY_B, SECRET, 'AAAA-1111', 'BBBB-2222']) expect(file).not.toContain(secret);
    expect(Object.keys(JSON.parse(file).entries)).toEqual(['alice', 'bob']);
    expect(statSync(join(dir, KEYRING_FILE_NAME)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o077).toBe(0);

    const reopened = await openKeyring(createFileKeyringStore(dir), SECRET);
    expect(await reopened.get('alice')).toEqual({ user: 'alice', apiKey: KEY_A, connectedAt: entry.connectedAt, keyHint: 'nary' });
    expect(await reopened.list()).toEqual(['alice', 'bob']);
    expect(await reopened.delete('alice')).toBe(true);
    expect(await reopened.delete('alice')).toBe(false);
    expect(await reopened.get('alice')).toBeNull();
  });

  it('keeps connectedAt when the same key is linked again, and renews it for another key', async () => {
    const keyring = await openKeyring(createFileKeyringStore(tempDir()), SECRET);
    const first = await keyring.set('carol', KEY_A);
    await new Promise((resolve) => setImmediate(resolve));
    expect((await keyring.set('carol', KEY_A)).connectedAt).toEqual(first.connectedAt);
    const changed = await keyring.set('carol', KEY_B);
    expect(changed.connectedAt.getTime()).toBeGreaterThanOrEqual(first.connectedAt.getTime());
    expect((await keyring.get('carol'))?.apiKey).toBe(KEY_B);
  });

  it('refuses a wrong secret with WRONG_SECRET, naming MEMGATE_KEYRING_SECRET and neither secret', async () => {
    const dir = tempDir();
    await (await openKeyring(createFileKeyringStore(dir), SECRET)).set('dave', KEY_A);
    const error = await openKeyring(createFileKeyringStore(dir), OTHER_SECRET).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyringError);
    expect(error).toMatchObject({ code: 'WRONG_SECRET' });
    const message = (error as Error).message;
    expect(message).toContain('MEMGATE_KEYRING_SECRET');
    expect(message).toContain('npm run keyring -- rotate');
    expect(message).not.toContain(SECRET);
    expect(message).not.toContain(OTHER_SECRET);
  });

  it.each([
    ['not JSON', '{"version": 1, "kdf":'],
    ['JSON of another shape', '{"hello":"world"}'],
    ['a record that is not sealed', null],
  ])('refuses a corrupt file (%s) with CORRUPT naming the file, and leaves it as it was', async (_name, content) => {
    const dir = tempDir();
    const path = join(dir, KEYRING_FILE_NAME);
    if (content === null) {
      await (await openKeyring(createFileKeyringStore(dir), SECRET)).set('erin', KEY_A);
      const json = JSON.parse(readFileSync(path, 'utf8'));
      json.entries.erin = { iv: 'AAAA', tag: 'AAAA' };
      writeFileSync(path, JSON.stringify(json));
    } else {
      writeFileSync(path, content);
    }
    const before = readFileSync(path, 'utf8');
    const error = await openKeyring(createFileKeyringStore(dir), SECRET).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'KeyringError', code: 'CORRUPT' });
    expect((error as Error).message).toContain(path);
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('refuses a record moved onto another user (each record is bound to its user name)', async () => {
    const dir = tempDir();
    const keyring = await openKeyring(createFileKeyringStore(dir), SECRET);
    await keyring.set('frank', KEY_A);
    await keyring.set('grace', KEY_B);
    const path = join(dir, KEYRING_FILE_NAME);
    const json = JSON.parse(readFileSync(path, 'utf8'));
    json.entries.grace = json.entries.frank;
    writeFileSync(path, JSON.stringify(json));
    await expect(keyring.get('grace')).rejects.toMatchObject({ code: 'CORRUPT', message: expect.stringContaining('"grace"') });
    await expect(openKeyring(createFileKeyringStore(dir), SECRET)).rejects.toMatchObject({ code: 'CORRUPT' });
  });

  it('rotates the secret: every record re-encrypted, the old secret refused afterwards', async () => {
    const dir = tempDir();
    const keyring = await openKeyring(createFileKeyringStore(dir), SECRET);
    await keyring.set('heidi', KEY_A);
    await keyring.set('ivan', KEY_B);
    const before = readFileSync(join(dir, KEYRING_FILE_NAME), 'utf8');
    expect(await rotateKeyring(createFileKeyringStore(dir), SECRET, OTHER_SECRET)).toBe(2);
    const after = readFileSync(join(dir, KEYRING_FILE_NAME), 'utf8');
    expect(JSON.parse(after).kdf.salt).not.toBe(JSON.parse(before).kdf.salt);
    const rotated = await openKeyring(createFileKeyringStore(dir), OTHER_SECRET);
    expect((await rotated.get('heidi'))?.apiKey).toBe(KEY_A);
    expect((await rotated.get('ivan'))?.apiKey).toBe(KEY_B);
    await expect(openKeyring(createFileKeyringStore(dir), SECRET)).rejects.toMatchObject({ code: 'WRONG_SECRET' });
    await expect(rotateKeyring(createFileKeyringStore(dir), SECRET, OTHER_SECRET)).rejects.toMatchObject({ code: 'WRONG_SECRET' });
  });
});

describe('MEMSYNC_USER_KEYS_FILE', () => {
  it('links every user of the file at open, with the keys encrypted like any other', async () => {
    const dir = tempDir();
    const keysFile = join(dir, 'keys.json');
    writeFileSync(keysFile, JSON.stringify({ judy: KEY_A, 'ken@example.com': KEY_B }));
    const dataDir = join(dir, 'data');
    const keyring = await createKeyring({ secret: SECRET, developmentSecret: false, dataDir, userKeysFile: keysFile });
    expect(await keyring.list()).toEqual(['judy', 'ken@example.com']);
    expect((await keyring.get('ken@example.com'))?.apiKey).toBe(KEY_B);
    expect(readFileSync(join(dataDir, KEYRING_FILE_NAME), 'utf8')).not.toContain(KEY_A);
  });

  it.each([
    ['not JSON', 'nope', /not valid JSON/],
    ['a list', '["a"]', /expected a JSON object/],
    ['a bad user name', JSON.stringify({ 'no spaces': KEY_A }), /is not a user name/],
    ['a key that cannot be one', JSON.stringify({ judy: 'short' }), /the key of user "judy" is not a MemSync API key/],
  ])('refuses %s, naming the variable and never a key', async (_name, content, message) => {
    const file = join(tempDir(), 'keys.json');
    writeFileSync(file, content);
    const error = await readUserKeysFile(file).catch((e: unknown) => e as Error);
    expect(error).toMatchObject({ code: 'BAD_USER_KEYS_FILE', message: expect.stringMatching(message) });
    expect((error as Error).message).toContain('MEMSYNC_USER_KEYS_FILE');
    expect((error as Error).message).not.toContain(KEY_A);
  });
});

describe('the Redis keyring', () => {
  const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  const prefixes: string[] = [];
  const store = (prefix: string): KeyringStore => createRedisKeyringStore(redis, { prefix });
  const fresh = () => {
    const prefix = `memgate-test:${randomUUID()}:`;
    prefixes.push(prefix);
    return prefix;
  };
  afterEach(async () => {
    for (const prefix of prefixes.splice(0)) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
    }
  });
  afterAll(() => redis.quit());

  it('is shared by every keyring opened on it, holds no key in clear, and refuses a wrong secret', async () => {
    const prefix = fresh();
    const one = await openKeyring(store(prefix), SECRET);
    const two = await openKeyring(store(prefix), SECRET);
    await one.set('alice', KEY_A);
    expect((await two.get('alice'))?.apiKey).toBe(KEY_A);
    await two.delete('alice');
    expect(await one.get('alice')).toBeNull();
    await one.set('bob', KEY_B);

    const raw = JSON.stringify([await redis.hgetall(`${prefix}{keyring}`), await redis.get(`${prefix}{keyring}:meta`)]);
    expect(raw).toContain('bob');
    for (const secret of [KEY_B, SECRET, 'BBBB-2222']) expect(raw).not.toContain(secret);
    await expect(openKeyring(store(prefix), OTHER_SECRET)).rejects.toMatchObject({ code: 'WRONG_SECRET' });

    expect(await rotateKeyring(store(prefix), SECRET, OTHER_SECRET)).toBe(1);
    expect((await (await openKeyring(store(prefix), OTHER_SECRET)).get('bob'))?.apiKey).toBe(KEY_B);
  });

  it('agrees on one verification record when instances open a new keyring at once', async () => {
    const prefix = fresh();
    const rings = await Promise.all([1, 2, 3].map(() => openKeyring(store(prefix), SECRET)));
    await rings[0]!.set('carol', KEY_A);
    for (const ring of rings) expect((await ring.get('carol'))?.apiKey).toBe(KEY_A);
  });
});
