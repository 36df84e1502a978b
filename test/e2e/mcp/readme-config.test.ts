/**
 * The README's MCP client configurations (the ```json mcp-config blocks), used as an MCP client
 * would: the HTTP one against the gateway as `npm start` runs it (development credentials, embedded
 * emulators), the stdio one by starting its command. Only the placeholders are filled in: the
 * token (minted as `npm run dev-token` mints it), the checkout's path and the gateway's port.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createApp, type App } from '../../../src/app.js';
import { loadConfig, withUpstreams } from '../../../src/config.js';
import { mintDevToken } from '../../../src/server/dev-credentials.js';
import { startEmbeddedEmulators, type EmbeddedEmulators } from '../../../scripts/embedded-emulators.js';
import { TOOL_NAMES } from './session.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const TOKEN_PLACEHOLDER = '<the token from npm run -s dev-token -- alex>';

interface ServerEntry {
  type?: string;
  url?: string;
  headers?: Record<string, string>;
  command?: string;
  args?: string[];
  env?: Record<string, string>;
}

/** The `memgate` entry of every ```json mcp-config block, in README order. */
function readmeConfigs(): ServerEntry[] {
  const readme = readFileSync(new URL('README.md', `file://${root}`), 'utf8');
  const blocks = [...readme.matchAll(/```json mcp-config\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks.map((b) => (JSON.parse(b) as { mcpServers: { memgate: ServerEntry } }).mcpServers.memgate);
}

/** Fills the placeholders: the token, the checkout, the port. */
function fill(entry: ServerEntry, token: string, port: number): ServerEntry {
  const text = JSON.stringify(entry)
    .replaceAll(TOKEN_PLACEHOLDER, token)
    .replaceAll('/path/to/memgate', root.replace(/\/$/, ''))
    .replaceAll('127.0.0.1:4000', `127.0.0.1:${port}`);
  return JSON.parse(text) as ServerEntry;
}

let app: App;
let emulators: EmbeddedEmulators;
let port: number;
let token: string;

beforeAll(async () => {
  // What `npm start` runs, on free ports.
  const config = loadConfig({ PORT: '0', SYNVO_EMULATOR_PORT: '0', MEMSYNC_EMULATOR_PORT: '0', LOG_LEVEL: 'silent' });
  emulators = await startEmbeddedEmulators(config, { log: () => {} });
  app = await createApp(withUpstreams(config, emulators.upstreams));
  const { url } = await app.start();
  port = Number(new URL(url).port);
  token = await mintDevToken({ secret: config.auth.jwtSecret!, user: 'alex' });
});
afterAll(async () => {
  await app?.stop();
  await emulators?.stop();
});

async function expectAlexSession(client: Client) {
  const { tools } = await client.listTools();
  expect(tools.map((t) => t.name).sort()).toEqual([...TOOL_NAMES].sort());
  const profile = await client.callTool({ name: 'get_profile', arguments: {} });
  expect(profile.isError).toBeFalsy();
  expect(JSON.stringify(profile.structuredContent)).toMatch(/San Francisco/);
}

test('the README has an HTTP and a stdio configuration', () => {
  const configs = readmeConfigs();
  expect(configs.map((c) => (c.url ? 'http' : 'stdio'))).toEqual(['http', 'stdio']);
});

test('the HTTP configuration connects to /mcp as alex', async () => {
  const entry = fill(readmeConfigs()[0]!, token, port);
  expect(entry.type).toBe('http');
  const client = new Client({ name: 'readme-http', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(entry.url!), { requestInit: { headers: entry.headers! } }));
  try {
    await expectAlexSession(client);
  } finally {
    await client.close();
  }
});

test('the stdio configuration starts `npm run -s mcp` and acts as alex', async () => {
  const entry = fill(readmeConfigs()[1]!, token, port);
  const client = new Client({ name: 'readme-stdio', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: entry.command!, args: entry.args!, env: entry.env!, stderr: 'ignore' }));
  try {
    await expectAlexSession(client);
  } finally {
    await client.close();
  }
}, 60_000);
