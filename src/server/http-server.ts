/**
 * The node:http listener of one gateway: `/mcp` goes to the MCP handler (its tools run as
 * operations through the same yoga, with the caller's credentials), every other path to yoga;
 * Node's own refusals get a GraphQL error body. graphql-ws is attached to it by the caller.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMcpHttpHandler, MCP_PATH } from '../mcp/http.js';
import type { McpServerOptions } from '../mcp/server.js';
import type { Observability } from '../observability/index.js';
import type { Authenticator } from './auth.js';
import { answerClientErrors } from './use-http-errors.js';
import { describeCaller } from './use-request-logging.js';
import { GRAPHQL_PATH, type GatewayYoga } from './yoga.js';

export interface HttpServerParts {
  yoga: GatewayYoga;
  authenticator: Authenticator;
  observability: Observability;
  /** The MCP tools and how they send their operations. */
  mcp: Omit<McpServerOptions, 'caller' | 'credentials'>;
}

export function createHttpServer({ yoga, authenticator, observability, mcp }: HttpServerParts): Server {
  const { logger, metrics } = observability;
  const mcpHttp = createMcpHttpHandler({
    ...mcp,
    authenticator,
    onError: (error) => logger.error({ err: error }, 'mcp request failed'),
    onRequest: ({ method, status, durationMs, caller }) => {
      metrics.httpRequests.inc({ method, status: String(status) });
      logger.info({ method, path: MCP_PATH, status, durationMs, caller: describeCaller({ caller }) }, 'mcp request');
    },
  });
  const server = createServer((req, res) => {
    const path = req.url?.split('?', 1)[0];
    if (path === MCP_PATH) void mcpHttp(req, res);
    else void yoga(req, res);
  });
  answerClientErrors(server);
  return server;
}

/** Listens on `port` and `host`; resolves with the GraphQL endpoint's URL. */
export function listen(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const { address, port: bound } = server.address() as AddressInfo;
      const shown = address.includes(':') ? `[${address}]` : address;
      resolve(`http://${shown}:${bound}${GRAPHQL_PATH}`);
    });
  });
}
