/**
 * The keyring's cipher: AES-256-GCM (node:crypto) under a key derived from MEMGATE_KEYRING_SECRET
 * with scrypt and a random salt kept beside the records. Every record is bound to its user name as
 * additional authenticated data, so a record copied onto another user's name does not decrypt.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';

/** One encrypted value: base64 IV, authentication tag and ciphertext. */
export const sealedSchema = z.object({ iv: z.string().min(1), tag: z.string().min(1), data: z.string().min(1) }).strict();
export type Sealed = z.infer<typeof sealedSchema>;

/** scrypt parameters, stored with the records so a later cost change still opens old keyrings. */
export const kdfSchema = z
  .object({
    name: z.literal('scrypt'),
    salt: z.string().min(16),
    N: z.number().int().min(1024),
    r: z.number().int().min(1),
    p: z.number().int().min(1),
  })
  .strict();
export type KdfParams = z.infer<typeof kdfSchema>;

/** What proves a secret is the one the keyring was written with: a known text sealed under it. */
export const metaSchema = z.object({ version: z.literal(1), kdf: kdfSchema, check: sealedSchema }).strict();
export type KeyringMeta = z.infer<typeof metaSchema>;

const CHECK_TEXT = 'memgate keyring v1';
const CHECK_AAD = 'memgate:keyring:check';

/** Fresh scrypt parameters (N = 2^15: about 0.1 s once per start, 32 MiB). */
export function newKdfParams(): KdfParams {
  return { name: 'scrypt', salt: randomBytes(16).toString('base64'), N: 1 << 15, r: 8, p: 1 };
}

/** The 32-byte AES key of `secret` under `kdf`. */
export function deriveKey(secret: string, kdf: KdfParams): Promise<Buffer> {
  const options: ScryptOptions = { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r + 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scrypt(secret, Buffer.from(kdf.salt, 'base64'), 32, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

export function seal(key: Buffer, plaintext: string, aad: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

/** The plaintext of `sealed`; throws when the key, the AAD or the bytes are not the ones sealed. */
export function unseal(key: Buffer, sealed: Sealed, aad: string): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
}

/** A new verification record for `key`. */
export function newMeta(key: Buffer, kdf: KdfParams): KeyringMeta {
  return { version: 1, kdf, check: seal(key, CHECK_TEXT, CHECK_AAD) };
}

/** True when `key` opens the verification record. */
export function checkKey(key: Buffer, meta: KeyringMeta): boolean {
  try {
    return unseal(key, meta.check, CHECK_AAD) === CHECK_TEXT;
  } catch {
    return false;
  }
}

/** The AAD of a user's record. */
export const entryAad = (user: string) => `memgate:keyring:user:${user}`;
