/**
 * The keyring in one JSON file (`keyring.json` under MEMGATE_DATA_DIR), mode 0600 in a 0700
 * directory, replaced atomically (write a temporary file, then rename) on every change, and read
 * afresh on every use so `npm run keyring` and the gateway see the same records. One gateway
 * process per file: several instances share a keyring through Redis instead.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { metaSchema, sealedSchema, type KeyringMeta, type Sealed } from './crypto.js';
import { KeyringError, type KeyringStore } from './store.js';

export const KEYRING_FILE_NAME = 'keyring.json';

const fileSchema = metaSchema.extend({ entries: z.record(sealedSchema) }).strict();
type KeyringFile = z.infer<typeof fileSchema>;

/** The keyring file as it is on disk, null when there is none; KeyringError when it cannot be used. */
async function readKeyringFile(path: string): Promise<KeyringFile | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new KeyringError('UNAVAILABLE', `keyring file ${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new KeyringError('CORRUPT', `keyring file ${path}: not valid JSON; restore it from a backup or move it away (MEMGATE_DATA_DIR)`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue?.path.length ? issue.path.join('.') : 'body';
    throw new KeyringError('CORRUPT', `keyring file ${path}: not a memgate keyring (${at}: ${issue?.message ?? 'invalid'}); restore it from a backup or move it away (MEMGATE_DATA_DIR)`);
  }
  return parsed.data;
}

/** Replaces the keyring file atomically: a temporary file (0600, in a 0700 directory), then a rename. */
async function writeKeyringFile(dataDir: string, path: string, file: KeyringFile): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw new KeyringError('UNAVAILABLE', `keyring file ${path}: cannot be written (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

export function createFileKeyringStore(dataDir: string): KeyringStore {
  const path = join(dataDir, KEYRING_FILE_NAME);
  // Writes of this process, one at a time (read-modify-write of the whole file).
  let queue: Promise<unknown> = Promise.resolve();
  const load = () => readKeyringFile(path);
  const save = (file: KeyringFile) => writeKeyringFile(dataDir, path, file);

  /** Runs a read-modify-write after the previous one. */
  const update = <T>(change: (file: KeyringFile | null) => Promise<{ file?: KeyringFile; result: T }>): Promise<T> => {
    const next = queue.then(async () => {
      const { file, result } = await change(await load());
      if (file) await save(file);
      return result;
    });
    queue = next.catch(() => undefined);
    return next;
  };

  const requireFile = (file: KeyringFile | null): KeyringFile => {
    if (!file) throw new KeyringError('CORRUPT', `keyring file ${path}: disappeared while in use`);
    return file;
  };

  return {
    where: `the keyring file ${path}`,
    async readMeta() {
      const file = await load();
      return file ? { version: file.version, kdf: file.kdf, check: file.check } : null;
    },
    initMeta: (meta) =>
      update(async (file) => (file ? { result: { version: file.version, kdf: file.kdf, check: file.check } } : { file: { ...meta, entries: {} }, result: meta })),
    async get(user) {
      const file = await load();
      return file && Object.hasOwn(file.entries, user) ? file.entries[user]! : null;
    },
    set: (user, sealed) =>
      update(async (current) => {
        const file = requireFile(current);
        return { file: { ...file, entries: { ...file.entries, [user]: sealed } }, result: undefined };
      }),
    delete: (user) =>
      update(async (current) => {
        if (!current || !Object.hasOwn(current.entries, user)) return { result: false };
        const entries = { ...current.entries };
        delete entries[user];
        return { file: { ...current, entries }, result: true };
      }),
    async entries() {
      const file = await load();
      return new Map(Object.entries(file?.entries ?? {}));
    },
    replaceAll: (meta, entries) =>
      update(async () => ({ file: { ...meta, entries: Object.fromEntries(entries) }, result: undefined })),
    async close() {
      await queue;
    },
  };
}

export type { KeyringMeta, Sealed };
