/**
 * `npm run mcp` (MCP over stdio) as an MCP client starts it: a child process speaking JSON-RPC on
 * stdin/stdout, with the SDK's own client. The process embeds its own emulators (no upstream
 * configured), so it runs beside anything else on this machine.
 */
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  expectBadArgumentsAreToolErrors,
  expectEveryToolWorks,
  expectInitialized,
  expectOtherUserForbidden,
  expectToolList,
  servePage,
} from './session.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const tsx = fileURLToPath(new URL('../../../node_modules/tsx/dist/cli.mjs', import.meta.url));

function transport(env: Record<string, string>, stderr: 'pipe' | 'ignore' = 'ignore') {
  // The script itself, as `npm run mcp` runs it (npm adds nothing on stdout with -s; tsx directly is the same process).
  return new StdioClientTransport({
    command: process.execPath,
    args: [tsx, 'scripts/mcp.ts'],
    cwd: root,
    env: { NODE_ENV: 'development', LOG_LEVEL: 'warn', ...env },
    stderr,
  });
}

describe('as the development user (no credentials set: the seed user default)', () => {
  const client = new Client({ name: 'memgate-test', version: '1.0.0' });
  let page: Awaited<ReturnType<typeof servePage>>;
  beforeAll(async () => {
    page = await servePage();
    await client.connect(transport({}));
  }, 60_000);
  afterAll(async () => {
    await client.close();
    await page?.close();
  });

  test('initialize and tools/list', async () => {
    expectInitialized(client);
    await expectToolList(client);
  });

  test('every tool works, ask_files streams progress', async () => {
    await expectEveryToolWorks(client, {
      hikingMemories: false,
      contextQuery: 'neural networks and financial literacy',
      question: 'What is a neural network?',
      pageUrl: page.url,
    });
  });

  test('a bad argument is a tool error with a code', async () => {
    await expectBadArgumentsAreToolErrors(client);
  });

  test('the JWT user cannot reach another user', async () => {
    await expectOtherUserForbidden(client, 'alex');
  });
});

describe('credentials from the environment', () => {
  // MEMGATE_MCP_TOKEN accepted: readme-config.test.ts starts the README's stdio configuration with one.
  test('an invalid token: the session is refused (the server exits before initialize)', async () => {
    const client = new Client({ name: 'memgate-test', version: '1.0.0' });
    const t = transport({ MEMGATE_MCP_TOKEN: 'not.a.token' }, 'pipe');
    let stderr = '';
    const closed = new Promise<void>((resolve) => {
      t.onclose = () => resolve();
    });
    t.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await expect(client.connect(t)).rejects.toThrow();
    await closed;
    expect(stderr).toMatch(/refused/);
  }, 60_000);
});
