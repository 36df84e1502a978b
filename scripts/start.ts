/**
 * `npm start`: the gateway on 127.0.0.1:4000, with the upstream emulators embedded (Synvo on 4010,
 * MemSync on 4020, controls enabled) for every upstream without a configured base URL. Lives
 * outside `src/` because `src/` never imports `emulators/`; `src/main.ts` is the production entry.
 */
import { DEV_SERVICE_KEY, loadConfigOrExit } from '../src/config.js';
import { startDevServer, type DevServer } from './dev-server.js';

const config = loadConfigOrExit();

let dev: DevServer | undefined;
// Before anything is printed: whoever reads the printed URL may signal npm (and so this) at once.
let stopping = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping`);
  await dev?.stop();
  process.exit(0);
}
process.on('SIGINT', (s) => void shutdown(s));
process.on('SIGTERM', (s) => void shutdown(s));

try {
  dev = await startDevServer(config, { log: (line) => console.log(line) });
} catch (error) {
  // A taken port or a bad HOST: one clear line, no stack.
  console.error(`Could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
const { app, url } = dev!;
console.log(`memgate gateway    ${url}   (GraphiQL: open it in a browser)`);
if (dev!.exampleUrl) console.log(`Example web app    ${dev.exampleUrl}   (examples/web/)`);
if (config.auth.development) {
  console.log('\nDevelopment credentials (embedded emulators only):');
  console.log(`  service key  X-Api-Key: ${DEV_SERVICE_KEY}`);
  console.log(`  JWT secret   ${config.auth.jwtSecret}   (HS256; mint a token: npm run dev-token -- <user>)`);
  console.log(`  JWT for "default" (12 h, preset in GraphiQL):\n    Authorization: Bearer ${app.devToken}`);
}
if (config.keyring) {
  const secret = config.keyring.developmentSecret ? `the development secret "${config.keyring.secret}" (set MEMGATE_KEYRING_SECRET for real keys)` : 'MEMGATE_KEYRING_SECRET';
  console.log(`\nMemSync keyring     ${app.keyring?.where ?? ''}, encrypted with ${secret}`);
  if (dev!.linked.length > 0) {
    console.log(`  users linked to the emulator's seed accounts (one MemSync key each): ${dev!.linked.join(', ')}`);
    console.log('  other users: connectMemSync(apiKey, user) with a key from POST /__emulator/keys on the MemSync emulator');
  }
}
