/**
 * A small yoga server on a real node:http socket (port 0) for the production plugins' tests:
 * a schema with a nested type, a query that echoes, one that fails unexpectedly, and a
 * subscription that ticks until it is stopped, served over HTTP and (with `ws`) over the gateway's own
 * graphql-ws adapter. The caller comes from `x-test-user` / `x-test-service` headers (over a socket,
 * the `connection_init` payload's `user`), shaped like the gateway's `context.caller`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga, type Plugin, type YogaServerOptions } from 'graphql-yoga';
import { attachGraphQLWs } from '../../src/server/ws.js';

export const typeDefs = /* GraphQL */ `
  type Node { id: ID!, name: String, child: Node }
  type Query {
    echo(text: String!): String!
    node: Node
    boom: String
    secret: String
    slow(ms: Int!): String!
  }
  type Subscription { ticks(everyMs: Int = 5): Int! }
`;

const node = (depth: number): Record<string, unknown> => ({ id: String(depth), name: `n${depth}`, child: depth < 20 ? node(depth + 1) : null });

export interface PluginServer {
  url: string;
  origin: string;
  server: Server;
  wsUrl: string;
  stop(): Promise<void>;
}

export interface PluginServerOptions {
  plugins: Plugin[];
  yoga?: Partial<YogaServerOptions<Record<string, unknown>, Record<string, unknown>>>;
  /** Serve graphql-ws on the same path. @default false */
  ws?: boolean;
}

export async function startPluginServer(options: PluginServerOptions): Promise<PluginServer> {
  const yoga = createYoga<Record<string, unknown>>({
    schema: createSchema({
      typeDefs,
      resolvers: {
        Query: {
          echo: (_: unknown, { text }: { text: string }) => text,
          node: () => node(1),
          boom: () => {
            throw new Error('database password is hunter2hunter2');
          },
          secret: () => 'profile: likes sailing',
          slow: async (_: unknown, { ms }: { ms: number }) => {
            await new Promise((r) => setTimeout(r, ms));
            return `waited ${ms}`;
          },
        },
        Subscription: {
          ticks: {
            subscribe: async function* (_: unknown, { everyMs }: { everyMs: number }) {
              for (let i = 0; ; i++) {
                yield { ticks: i };
                await new Promise((r) => setTimeout(r, everyMs));
              }
            },
          },
        },
      },
    }),
    logging: false,
    plugins: options.plugins,
    context: ({ request, socket, connectionParams }: { request: Request; socket?: unknown; connectionParams?: Record<string, unknown> }) => {
      if (socket) return { caller: { kind: 'user', name: String(connectionParams?.['user'] ?? 'ws-user') } };
      const user = request.headers.get('x-test-user');
      const service = request.headers.get('x-test-service');
      return { caller: user ? { kind: 'user', name: user } : service ? { kind: 'service', keyId: service } : null };
    },
    ...options.yoga,
  });
  const server = createServer(yoga);
  // The gateway's own graphql-ws adapter (src/server/ws.ts): every socket is let in, and its
  // operations run through this yoga as the caller of the `connection_init` payload's `user`.
  const ws = options.ws
    ? attachGraphQLWs(server, yoga, { authenticate: async () => ({ kind: 'service', keyId: 'test' }) }, { path: '/graphql', closeGraceMs: 100 })
    : null;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/graphql`,
    origin,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    server,
    async stop() {
      await ws?.dispose();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface GraphQLResponse {
  status: number;
  headers: Headers;
  body: { data?: any; errors?: Array<{ message: string; extensions?: Record<string, any> }> };
}

/** POSTs one GraphQL request as JSON. */
export async function post(
  url: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLResponse['body'] };
}
