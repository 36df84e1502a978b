/**
 * What an MCP session with memgate must do, with the SDK's own client, whatever the transport:
 * shared by the Streamable HTTP and the stdio tests.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import { expect } from 'vitest';

export const TOOL_NAMES = ['get_context', 'search_memories', 'store_conversation', 'ask_files', 'get_profile', 'list_files', 'add_webpage'];

/** A web page on 127.0.0.1 for add_webpage to add (the Synvo emulator fetches loopback URLs). */
export async function servePage(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<html><head><title>Trail notes</title></head><body><p>The Dipsea Trail runs from Mill Valley to Stinson Beach.</p></body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/trail-notes.html`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function callTool(client: Client, name: string, args: Record<string, unknown>, onprogress?: (p: Progress) => void) {
  return (await client.callTool({ name, arguments: args }, undefined, onprogress ? { onprogress } : {})) as CallToolResult;
}

export const textOf = (result: CallToolResult) =>
  result.content.map((c) => (c.type === 'text' ? c.text : '')).join('');

export function expectToolError(result: CallToolResult, code: string) {
  expect(result.isError).toBe(true);
  expect(textOf(result)).toMatch(new RegExp(`^${code}: `));
  const errors = (result.structuredContent as { errors: Array<{ extensions: { code: string } }> }).errors;
  expect(errors[0]!.extensions.code).toBe(code);
}

/** initialize was done by connect: the server says who it is and that it has tools. */
export function expectInitialized(client: Client) {
  expect(client.getServerVersion()).toMatchObject({ name: 'memgate' });
  expect(client.getServerCapabilities()?.tools).toBeDefined();
  expect(client.getInstructions()).toMatch(/get_context/);
}

export async function expectToolList(client: Client) {
  const { tools } = await client.listTools();
  expect(tools.map((t) => t.name).sort()).toEqual([...TOOL_NAMES].sort());
  const getContext = tools.find((t) => t.name === 'get_context')!;
  // Generated from the operation's variables, described by the schema's arguments.
  expect(getContext.inputSchema).toMatchObject({
    type: 'object',
    required: ['query'],
    additionalProperties: false,
    properties: {
      user: { type: 'string' },
      query: { type: 'string', description: expect.stringMatching(/about to do/) },
      maxTokens: { type: 'integer', default: 1500, description: expect.stringMatching(/token budget/) },
    },
  });
  const store = tools.find((t) => t.name === 'store_conversation')!;
  expect(store.inputSchema.properties!['messages']).toMatchObject({
    type: 'array',
    items: { type: 'object', required: ['content', 'role'], properties: { role: { type: 'string', enum: expect.arrayContaining(['USER', 'ASSISTANT', 'SYSTEM']) } } },
  });
  expect(getContext.annotations).toMatchObject({ readOnlyHint: true });
  expect(store.annotations).toMatchObject({ readOnlyHint: false });
}

/** Calls every tool as `user` would (the client acts as that user: no `user` argument). */
export async function expectEveryToolWorks(
  client: Client,
  expected: { hikingMemories: boolean; question: string; contextQuery?: string; pageUrl: string },
) {
  const context = await callTool(client, 'get_context', { query: expected.contextQuery ?? 'hiking trails and machine learning', maxTokens: 500 });
  expect(context.isError).toBeFalsy();
  const structured = context.structuredContent as { context: { tokens: number; items: Array<{ service: string }> } };
  expect(structured.context.tokens).toBeLessThanOrEqual(500);
  expect(new Set(structured.context.items.map((i) => i.service))).toEqual(new Set(['SYNVO', 'MEMSYNC']));
  expect(textOf(context).split('\n').length).toBe(structured.context.items.length);

  const memories = await callTool(client, 'search_memories', { query: 'hiking', limit: 3 });
  expect(memories.isError).toBeFalsy();
  const found = (memories.structuredContent as { memories: Array<{ text: string }> }).memories;
  expect(found.length > 0).toBe(expected.hikingMemories);
  expect(found.length).toBeLessThanOrEqual(3);

  const profile = await callTool(client, 'get_profile', {});
  expect(profile.isError).toBeFalsy();
  expect((profile.structuredContent as { profile: { attributes: unknown[] } }).profile.attributes.length).toBeGreaterThan(0);

  const progress: Progress[] = [];
  const answer = await callTool(client, 'ask_files', { question: expected.question }, (p) => progress.push(p));
  expect(answer.isError).toBeFalsy();
  const { text, sources } = (answer.structuredContent as { answer: { text: string; sources: Array<{ path: string }> } }).answer;
  expect(text.length).toBeGreaterThan(0);
  expect(sources.length).toBeGreaterThan(0);
  expect(textOf(answer)).toBe(`${text}\n\nSources: ${sources.map((s) => s.path).join(', ')}`);
  // The answer streamed: one progress notification per token, in order, the tokens spelling the answer.
  // (The SDK client handles a notification a microtask late, so one that reaches it in the same read
  // as the result is dropped: the streamed text is the answer or a prefix of it; the result is whole.)
  expect(progress.length).toBeGreaterThan(1);
  expect(progress.map((p) => p.progress)).toEqual(progress.map((_, i) => i + 1));
  expect(text.startsWith(progress.map((p) => p.message).join(''))).toBe(true);

  const listed = await callTool(client, 'list_files', {});
  expect(listed.isError).toBeFalsy();
  const files = (listed.structuredContent as { files: Array<{ id: string; isDir: boolean; path: string }> }).files;
  expect(files.some((f) => f.isDir)).toBe(true);
  expect(files.some((f) => !f.isDir && f.id)).toBe(true);
  const folder = files.find((f) => f.isDir)!.path;
  const inFolder = await callTool(client, 'list_files', { path: folder, recursive: false });
  const children = (inFolder.structuredContent as { files: Array<{ path: string }> }).files;
  expect(children.length).toBeGreaterThan(0);
  expect(children.every((f) => f.path.startsWith(`${folder}/`))).toBe(true);

  const added = await callTool(client, 'add_webpage', { url: expected.pageUrl, path: '/web', name: 'mcp-page' });
  expect(added.isError).toBeFalsy();
  const page = (added.structuredContent as { addWebpage: { id: string; path: string } }).addWebpage;
  expect(page.id).toBeTruthy();
  expect(page.path).toMatch(/^\/web/);
  const web = await callTool(client, 'list_files', { path: '/web' });
  expect((web.structuredContent as { files: Array<{ id: string }> }).files.map((f) => f.id)).toContain(page.id);

  const stored = await callTool(client, 'store_conversation', {
    threadId: 'mcp-test-thread',
    source: 'mcp',
    messages: [
      { role: 'USER', content: 'I adopted a golden retriever called Biscuit and we go running together every single morning before work.' },
      { role: 'ASSISTANT', content: 'Biscuit sounds like a great running partner!' },
    ],
  });
  expect(stored.isError).toBeFalsy();
  expect((stored.structuredContent as { storeMemories: { count: number } }).storeMemories.count).toBeGreaterThan(0);
  const after = await callTool(client, 'search_memories', { query: 'golden retriever Biscuit' });
  expect(textOf(after)).toMatch(/Biscuit/);
}

export async function expectBadArgumentsAreToolErrors(client: Client) {
  const wrongType = await callTool(client, 'get_context', { query: 'x', maxTokens: 'lots' });
  expectToolError(wrongType, 'BAD_USER_INPUT');
  expect(textOf(wrongType)).toMatch(/maxTokens/);
  const outOfRange = await callTool(client, 'get_context', { query: 'x', maxTokens: 0 });
  expectToolError(outOfRange, 'BAD_USER_INPUT');
  const missing = await callTool(client, 'search_memories', {});
  expectToolError(missing, 'BAD_USER_INPUT');
  expect(textOf(missing)).toMatch(/query/);
  const unknown = await callTool(client, 'get_profile', { everything: true });
  expectToolError(unknown, 'BAD_USER_INPUT');
  expect(textOf(unknown)).toMatch(/everything/);
  const badEnum = await callTool(client, 'store_conversation', { messages: [{ role: 'ROBOT', content: 'hi' }] });
  expectToolError(badEnum, 'BAD_USER_INPUT');
}

/** A JWT caller naming another user gets FORBIDDEN from every tool that takes a user. */
export async function expectOtherUserForbidden(client: Client, other: string) {
  expectToolError(await callTool(client, 'get_context', { user: other, query: 'anything' }), 'FORBIDDEN');
  expectToolError(await callTool(client, 'get_profile', { user: other }), 'FORBIDDEN');
  expectToolError(await callTool(client, 'search_memories', { user: other, query: 'hiking' }), 'FORBIDDEN');
  expectToolError(await callTool(client, 'ask_files', { user: other, question: 'What do I study?' }), 'FORBIDDEN');
  expectToolError(await callTool(client, 'list_files', { user: other }), 'FORBIDDEN');
  expectToolError(await callTool(client, 'add_webpage', { user: other, url: 'http://127.0.0.1:9/' }), 'FORBIDDEN');
  expectToolError(
    await callTool(client, 'store_conversation', { user: other, messages: [{ role: 'USER', content: 'hello there' }] }),
    'FORBIDDEN',
  );
}
