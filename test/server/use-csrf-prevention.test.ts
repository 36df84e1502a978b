import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCsrfPrevention } from '../../src/server/use-csrf-prevention.js';
import { startPluginServer, type PluginServer } from './plugin-server.js';

describe('useCsrfPrevention', () => {
  let server: PluginServer;
  const query = encodeURIComponent('{ echo(text: "hi") }');

  beforeAll(async () => {
    server = await startPluginServer({ plugins: [useCsrfPrevention()] });
  });
  afterAll(() => server.stop());

  it('refuses a GET without a preflight header with 403 and CSRF_PREVENTED', async () => {
    const res = await fetch(`${server.url}?query=${query}`);
    expect(res.status).toBe(403);
    const body = (await res.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('CSRF_PREVENTED');
  });

  it('refuses a form post without a preflight header', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `query=${query}`,
    });
    expect(res.status).toBe(403);
  });

  it('serves a GET that carries an API key, a bearer token or a yoga CSRF header', async () => {
    const headers: Record<string, string>[] = [{ 'x-api-key': 'k' }, { authorization: 'Bearer t' }, { 'x-graphql-yoga-csrf': '1' }];
    for (const header of headers) {
      const res = await fetch(`${server.url}?query=${query}`, { headers: { accept: 'application/json', ...header } });
      expect(res.status, JSON.stringify(header)).toBe(200);
      expect(await res.json()).toEqual({ data: { echo: 'hi' } });
    }
  });

  it('serves a JSON post without any extra header', async () => {
    const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ echo(text: "hi") }' }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { echo: 'hi' } });
  });
});
