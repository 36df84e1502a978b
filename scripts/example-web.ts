/**
 * The front-end example (examples/web/) at /demo, for `npm start` in development only: the page,
 * its script bundled once at start with esbuild, and `POST /demo/session`, which mints the
 * development JWT of a seed user (what a real sign-in would hand the page). Lives outside `src/`:
 * the production gateway never serves it.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Plugin } from 'graphql-yoga';
import { USER_NAME, isValidUserName } from '../src/memory/input-rules.js';
import { mintDevToken } from '../src/server/dev-credentials.js';

export const EXAMPLE_WEB_PATH = '/demo';

const exampleDir = fileURLToPath(new URL('../examples/web/', import.meta.url));

export interface ExampleWebOptions {
  /** The development HS256 secret the session endpoint signs with. */
  jwtSecret: string;
}

/** A yoga plugin answering /demo, /demo/app.js and POST /demo/session; everything else passes. */
export async function useExampleWeb({ jwtSecret }: ExampleWebOptions): Promise<Plugin> {
  const [html, bundle] = await Promise.all([
    readFile(`${exampleDir}index.html`, 'utf8'),
    build({
      entryPoints: [`${exampleDir}src/main.ts`],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      sourcemap: 'inline',
      write: false,
      logLevel: 'silent',
    }),
  ]);
  const script = bundle.outputFiles[0]!.text;
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      const { pathname } = url;
      if (pathname !== EXAMPLE_WEB_PATH && !pathname.startsWith(`${EXAMPLE_WEB_PATH}/`)) return;
      const answer = (body: string, status: number, type: string) =>
        endResponse(new fetchAPI.Response(body, { status, headers: { 'content-type': type, 'cache-control': 'no-store' } }));
      if (request.method === 'GET' && (pathname === EXAMPLE_WEB_PATH || pathname === `${EXAMPLE_WEB_PATH}/`)) {
        return answer(html, 200, 'text/html; charset=utf-8');
      }
      if (request.method === 'GET' && pathname === `${EXAMPLE_WEB_PATH}/app.js`) return answer(script, 200, 'text/javascript; charset=utf-8');
      if (request.method === 'POST' && pathname === `${EXAMPLE_WEB_PATH}/session`) {
        const body = (await request.json().catch(() => null)) as { user?: unknown } | null;
        const user = typeof body?.user === 'string' ? body.user : '';
        if (!isValidUserName(user)) return answer(JSON.stringify({ error: `user: ${USER_NAME.message}` }), 400, 'application/json');
        return answer(JSON.stringify({ token: await mintDevToken({ secret: jwtSecret, user, expiresIn: '1h' }) }), 200, 'application/json');
      }
      return answer(JSON.stringify({ error: 'Not found' }), 404, 'application/json');
    },
  };
}
