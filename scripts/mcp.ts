/**
 * `npm run mcp`: memgate as an MCP server over stdio, for MCP clients that start their servers as
 * processes. The gateway runs in this process (no HTTP listener) with the same configuration as
 * `npm start`; without SYNVO_BASE_URL/MEMSYNC_BASE_URL it embeds emulators of its own on free
 * ports. The tools act as MEMGATE_MCP_TOKEN's user (a JWT) or with MEMGATE_MCP_API_KEY (a service
 * key); on the development credentials with neither set, as the seed user `default`.
 * stdout carries only MCP messages: every log line goes to stderr.
 */
import pino from 'pino';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createAppOrExit } from '../src/app.js';
import { loadConfigOrExit, withUpstreams } from '../src/config.js';
import type { Credentials } from '../src/server/auth.js';
import { startEmbeddedEmulators, type EmbeddedEmulators } from './embedded-emulators.js';

const log = (line: string) => process.stderr.write(`memgate-mcp: ${line}\n`);
// stdout is the MCP channel: anything in this process that would print there goes to stderr instead.
console.log = console.error;
console.info = console.error;
const config = loadConfigOrExit();

let emulators: EmbeddedEmulators;
try {
  emulators = await startEmbeddedEmulators(config, { log, ports: { synvo: 0, memsync: 0 } });
} catch (error) {
  log(`could not start the emulators: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

const app = await createAppOrExit(withUpstreams(config, emulators.upstreams), { production: { logDestination: pino.destination(2) } });
await emulators.linkSeedAccounts(app.keyring);

let credentials: Credentials;
if (config.mcp.token) credentials = { authorization: `Bearer ${config.mcp.token}` };
else if (config.mcp.apiKey) credentials = { apiKey: config.mcp.apiKey };
else if (app.devToken) {
  credentials = { authorization: `Bearer ${app.devToken}` };
  log('acting as the seed user "default" (development JWT); set MEMGATE_MCP_TOKEN or MEMGATE_MCP_API_KEY to choose');
} else {
  log('set MEMGATE_MCP_TOKEN (an end user\'s JWT) or MEMGATE_MCP_API_KEY (a service key)');
  await Promise.allSettled([app.stop(), emulators.stop()]);
  process.exit(1);
}

let stopping = false;
async function stop(reason: string, code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(`${reason}: stopping`);
  await Promise.allSettled([app.stop(), emulators.stop()]);
  process.exit(code);
}

try {
  const server = await app.mcpServerFor(credentials);
  const transport = new StdioServerTransport();
  transport.onclose = () => void stop('stdin closed');
  await server.connect(transport);
  process.stdin.on('end', () => void stop('stdin closed'));
  log('ready on stdio');
} catch (error) {
  log(`refused: ${error instanceof Error ? error.message : String(error)}`);
  await stop('refused', 1);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
