/**
 * Contender (1), the floor: what a hand-written back-end does without GraphQL. node:http, the same
 * upstream calls as memgate made in parallel with undici on keep-alive connections, JSON parsed and
 * re-serialised. Routes: `GET /one?user=`, `GET /view?user=`, `POST /users {names}` (deduplicated).
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { serveChild } from '../lib/serve-child.js';

const synvoUrl = process.env.BENCH_SYNVO_URL!;
const memsyncUrl = process.env.BENCH_MEMSYNC_URL!;
const synvoKey = process.env.BENCH_SYNVO_KEY ?? 'synvo-dev-key';
const memsyncKey = process.env.BENCH_MEMSYNC_KEY ?? 'memsync-dev-key';

const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 256 });

async function getJson(url: string, key: string): Promise<unknown> {
  const res = await request(url, { dispatcher, headers: { 'x-api-key': key } });
  const body = await res.body.json();
  return res.statusCode === 200 ? body : null;
}

const q = encodeURIComponent;
const profile = (user: string) => getJson(`${synvoUrl}/metadata/get_user_profile/?sub_user_name=${q(user)}`, synvoKey);
const events = (user: string) => getJson(`${synvoUrl}/metadata/get_user_event/?sub_user_name=${q(user)}&limit=10`, synvoKey);
const bio = (user: string) => getJson(`${memsyncUrl}/v1/profile/bio?user_id=${q(user)}`, memsyncKey);

async function view(user: string) {
  const [p, e, b] = await Promise.all([profile(user), events(user), bio(user)]);
  return { name: user, profile: p, events: e, biography: b };
}

async function readBody(req: IncomingMessage): Promise<string> {
  let s = '';
  for await (const chunk of req) s += chunk;
  return s;
}

await serveChild(async () => {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const user = url.searchParams.get('user') ?? 'default';
    const answer = async (): Promise<unknown> => {
      if (url.pathname === '/one') return { name: user, profile: await profile(user) };
      if (url.pathname === '/view') return view(user);
      if (url.pathname === '/users') {
        const { names } = JSON.parse(await readBody(req)) as { names: string[] };
        const unique = [...new Set(names)];
        const byName = new Map(await Promise.all(unique.map(async (n) => [n, await view(n)] as const)));
        return names.map((n) => byName.get(n));
      }
      throw Object.assign(new Error('not found'), { status: 404 });
    };
    answer().then(
      (data) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data }));
      },
      (err: { status?: number; message?: string }) => {
        res.writeHead(err.status ?? 502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: err.message ?? 'failed' }));
      },
    );
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    info: { url: `http://127.0.0.1:${port}` },
    stop: async () => {
      await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
      await dispatcher.close();
    },
  };
});
