/**
 * `npm run emulators`: both upstream emulators with their controls enabled, Synvo on
 * 127.0.0.1:4010 and MemSync on 127.0.0.1:4020. `SYNVO_EMULATOR_PORT`, `MEMSYNC_EMULATOR_PORT`
 * (0: any free port) and `HOST` override them. Stops both on SIGINT/SIGTERM and exits 0.
 */
import { startMemSyncEmulator, MEMSYNC_DEV_API_KEY } from './memsync/index.js';
import { SYNVO_DEV_API_KEY, startSynvoEmulator } from './synvo/index.js';
import type { RunningEmulator } from './core/types.js';

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(`${name} must be a port number from 0 to 65535 (0: any free port), got ${JSON.stringify(raw)}`);
    process.exit(1);
  }
  return port;
}

const host = process.env.HOST?.trim() || '127.0.0.1';
const synvoPort = portFromEnv('SYNVO_EMULATOR_PORT', 4010);
const memsyncPort = portFromEnv('MEMSYNC_EMULATOR_PORT', 4020);

const running: RunningEmulator[] = [];
// Before anything is printed: whoever reads the printed pid may signal it at once.
let stopping = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping the emulators`);
  await Promise.allSettled(running.map((e) => e.stop()));
  process.exit(0);
}
process.on('SIGINT', (s) => void shutdown(s));
process.on('SIGTERM', (s) => void shutdown(s));
try {
  const synvo = await startSynvoEmulator({ host, port: synvoPort, controls: true });
  running.push(synvo);
  const memsync = await startMemSyncEmulator({ host, port: memsyncPort, controls: true });
  running.push(memsync);
  console.log(`Synvo emulator    ${synvo.url}  X-API-Key: ${SYNVO_DEV_API_KEY}`);
  console.log(`MemSync emulator  ${memsync.url}  X-API-Key: ${MEMSYNC_DEV_API_KEY}`);
  console.log(`Controls: ${synvo.url}/__emulator/  ${memsync.url}/__emulator/   OpenAPI: /openapi.json on each`);
  console.log(`Running as pid ${process.pid}; Ctrl-C (SIGINT) or SIGTERM stops both.`);
} catch (error) {
  console.error(`Could not start the emulators: ${error instanceof Error ? error.message : String(error)}`);
  await Promise.allSettled(running.map((e) => e.stop()));
  process.exit(1);
}

