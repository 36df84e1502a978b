/**
 * `npm run keyring -- <command>`: the operator's view of the keyring (the per-user MemSync keys),
 * with the gateway's own configuration (MEMGATE_KEYRING_SECRET, MEMGATE_DATA_DIR, REDIS_URL,
 * MEMGATE_REDIS_PREFIX). Keys are never printed: only their last 4 characters.
 *
 *   list                 every linked user, with the key hint and when it was connected
 *   set <user>           links <user> to the MemSync key read from stdin (not checked with MemSync:
 *                        connectMemSync does that)
 *   delete <user>        unlinks <user>
 *   rotate               re-encrypts every record from MEMGATE_KEYRING_SECRET to
 *                        MEMGATE_KEYRING_NEW_SECRET (stop the gateways first, then start them
 *                        with the new secret)
 */
import { Redis } from 'ioredis';
import { ConfigError, loadConfigOrExit, loadKeyringNewSecret } from '../src/config.js';
import { isPlausibleMemSyncKey, KeyringError, keyringStoreFor, openKeyring, rotateKeyring } from '../src/keyring/index.js';
import { MEMSYNC_API_KEY, USER_NAME, isValidUserName } from '../src/upstream/vocabulary.js';

const USAGE = 'usage: npm run keyring -- list | set <user> (key on stdin) | delete <user> | rotate';
const [command, user] = process.argv.slice(2);
const fail = (message: string): never => {
  console.error(`keyring: ${message}`);
  process.exit(1);
};

const config = loadConfigOrExit();
if (!config.keyring) fail('MEMSYNC_SCOPING=user-param: there are no per-user MemSync keys to manage');
const keyringConfig = config.keyring!;
if (!command || !['list', 'set', 'delete', 'rotate'].includes(command)) fail(USAGE);
if ((command === 'set' || command === 'delete') && !isValidUserName(user)) fail(`${command} needs a user name (${USER_NAME.message})\n${USAGE}`);

const redis = config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 5_000, lazyConnect: true }) : null;
redis?.on('error', () => {});
const store = keyringStoreFor(keyringConfig, { redis, redisPrefix: config.redisPrefix });

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

try {
  if (command === 'rotate') {
    const count = await rotateKeyring(store, keyringConfig.secret, loadKeyringNewSecret());
    console.log(`keyring: ${store.where}: ${count} key(s) re-encrypted with MEMGATE_KEYRING_NEW_SECRET.`);
    console.log('keyring: start the gateways with MEMGATE_KEYRING_SECRET set to the new secret.');
  } else {
    const keyring = await openKeyring(store, keyringConfig.secret);
    if (command === 'list') {
      const users = await keyring.list();
      if (users.length === 0) console.log(`keyring: ${store.where}: no user is linked`);
      for (const name of users) {
        const entry = await keyring.get(name);
        if (entry) console.log(`${name}\t…${entry.keyHint}\tconnected ${entry.connectedAt.toISOString()}`);
      }
    } else if (command === 'set') {
      const key = await readStdin();
      if (!isPlausibleMemSyncKey(key)) fail(`stdin: expected one MemSync API key; the input ${MEMSYNC_API_KEY.message}`);
      const entry = await keyring.set(user!, key);
      console.log(`keyring: ${user} linked (key …${entry.keyHint})`);
    } else {
      console.log((await keyring.delete(user!)) ? `keyring: ${user} unlinked` : `keyring: ${user} was not linked`);
    }
    await keyring.close();
  }
} catch (error) {
  if (error instanceof KeyringError || error instanceof ConfigError) fail(error.message);
  throw error;
} finally {
  redis?.disconnect();
}
