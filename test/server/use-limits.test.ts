import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLimits } from '../../src/server/use-limits.js';
import { post, startPluginServer, type PluginServer } from './plugin-server.js';

describe('useLimits', () => {
  let server: PluginServer;

  beforeAll(async () => {
    server = await startPluginServer({
      ws: true,
      plugins: [
        useLimits({
          maxDepth: 4,
          maxAliases: 3,
          maxDirectives: 3,
          maxTokens: 200,
          maxCost: 60,
          maxQueryLength: 2000,
          maxBodyBytes: 4096,
          fieldSuggestions: false,
        }),
      ],
    });
  });
  afterAll(() => server.stop());

  const expectRejected = async (query: string, code: string, status = 400) => {
    const res = await post(server.url, { query });
    expect(res.status).toBe(status);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors?.[0]?.extensions?.code).toBe(code);
    expect(typeof res.body.errors?.[0]?.extensions?.limit).toBe('number');
    return res;
  };

  it('answers a query within every limit', async () => {
    const res = await post(server.url, { query: '{ node { id child { id } } }' });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ node: { id: '1', child: { id: '2' } } });
  });

  it('rejects a query deeper than the depth limit with 400 and DEPTH_LIMIT_EXCEEDED', async () => {
    const res = await expectRejected('{ node { child { child { child { child { id } } } } } }', 'DEPTH_LIMIT_EXCEEDED');
    expect(res.body.errors?.[0]?.message).toContain('depth limit of 4');
  });

  it('counts depth through fragments', async () => {
    await expectRejected(
      '{ node { ...A } } fragment A on Node { child { child { child { child { id } } } } }',
      'DEPTH_LIMIT_EXCEEDED',
    );
  });

  it('rejects too many aliases with 400 and ALIAS_LIMIT_EXCEEDED', async () => {
    await expectRejected('{ a: echo(text: "1") b: echo(text: "2") c: echo(text: "3") d: echo(text: "4") }', 'ALIAS_LIMIT_EXCEEDED');
  });

  it('rejects too many directives with 400 and DIRECTIVE_LIMIT_EXCEEDED', async () => {
    await expectRejected(
      '{ node @skip(if: false) { id @skip(if: false) name @include(if: true) child @skip(if: false) { id } } }',
      'DIRECTIVE_LIMIT_EXCEEDED',
    );
  });

  it('rejects a query with more tokens than allowed with 400 and TOKEN_LIMIT_EXCEEDED', async () => {
    await expectRejected(`{ node { ${'id '.repeat(250)} } }`, 'TOKEN_LIMIT_EXCEEDED');
  });

  it('rejects an expensive query with 400 and COST_LIMIT_EXCEEDED', async () => {
    const fields = 'id name child { id name child { id name } }';
    await expectRejected(`{ node { ${fields} } x: node { ${fields} } y: node { ${fields} } }`, 'COST_LIMIT_EXCEEDED');
  });

  it('rejects a query text longer than allowed with 400 and QUERY_TOO_LONG', async () => {
    await expectRejected(`{ echo(text: "${'x'.repeat(2100)}") }`, 'QUERY_TOO_LONG');
  });

  it('rejects a body larger than allowed with 413 and REQUEST_ENTITY_TOO_LARGE', async () => {
    const res = await post(server.url, { query: '{ echo(text: "a") }', variables: { pad: 'x'.repeat(5000) } });
    expect(res.status).toBe(413);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('REQUEST_ENTITY_TOO_LARGE');
  });

  it('rejects a chunked body larger than allowed, without a Content-Length', async () => {
    const payload = new TextEncoder().encode(JSON.stringify({ query: '{ echo(text: "a") }', variables: { pad: 'x'.repeat(5000) } }));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < payload.length; i += 1000) controller.enqueue(payload.subarray(i, i + 1000));
        controller.close();
      },
    });
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      // @ts-expect-error Node's fetch needs duplex for a streamed body
      duplex: 'half',
    });
    expect(response.status).toBe(413);
    const json = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(json.errors[0]?.extensions.code).toBe('REQUEST_ENTITY_TOO_LARGE');
  });

  it('keeps the 400 for clients that accept application/graphql-response+json', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: '{ a: echo(text: "1") b: echo(text: "2") c: echo(text: "3") d: echo(text: "4") }' }),
    });
    expect(response.status).toBe(400);
  });

  it('hides field suggestions when they are turned off', async () => {
    const res = await post(server.url, { query: '{ ech(text: "a") }' });
    expect(res.body.errors?.[0]?.message).not.toContain('Did you mean');
  });

  it('applies the token and depth limits to graphql-ws operations too', async () => {
    const client = createClient({ url: server.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
    const codeOf = (query: string) =>
      new Promise<unknown>((resolve) => {
        client.subscribe({ query }, { next: () => resolve('next'), error: (e) => resolve((e as Array<{ extensions?: { code?: string } }>)[0]?.extensions?.code), complete: () => {} });
      });
    try {
      expect(await codeOf(`{ node { ${'id '.repeat(250)} } }`)).toBe('TOKEN_LIMIT_EXCEEDED');
      expect(await codeOf('{ node { child { child { child { child { id } } } } } }')).toBe('DEPTH_LIMIT_EXCEEDED');
      expect(await codeOf('{ echo(text: "ok") }')).toBe('next');
    } finally {
      await client.dispose();
    }
  });

  it('still serves normal queries after a run of rejections', async () => {
    for (let i = 0; i < 5; i++) await post(server.url, { query: `{ node { ${'id '.repeat(250)} } }` });
    const res = await post(server.url, { query: '{ echo(text: "still here") }' });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ echo: 'still here' });
  });
});
