/**
 * MCP over Streamable HTTP at `/mcp`, on the gateway's own node server, with the same credentials
 * as `/graphql` (`Authorization: Bearer <JWT>` or `X-Api-Key`). Stateless: every request carries
 * its credentials and gets a fresh server and transport, so any instance behind a load balancer
 * can answer any request, and no session outlives its caller's token. A request without valid
 * credentials is refused before any MCP message is read: HTTP 401 with a JSON-RPC error whose
 * `data.code` is `UNAUTHENTICATED`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Caller } from '../schema/context.js';
import { AuthenticationError, type Authenticator, type Credentials } from '../server/auth.js';
import { createMcpServer, type McpServerOptions } from './server.js';

export const MCP_PATH = '/mcp';

/** What one `/mcp` HTTP request came to, for logs and metrics (its tool calls are GraphQL requests of their own). */
export interface McpRequestInfo {
  method: string;
  status: number;
  durationMs: number;
  /** The caller when authenticated. */
  caller: Caller | null;
}

export interface McpHttpOptions extends Omit<McpServerOptions, 'caller' | 'credentials'> {
  authenticator: Authenticator;
  /** Called with anything that goes wrong outside a tool call (logged by the caller). */
  onError?: (error: unknown) => void;
  /** Called when each request's response has ended. @default undefined */
  onRequest?: (info: McpRequestInfo) => void;
}

const header = (req: IncomingMessage, name: string): string | null => {
  const value = req.headers[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
};

function sendJsonRpcError(res: ServerResponse, status: number, message: string, data: Record<string, unknown>, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message, data }, id: null }));
}

/** A node request listener for `/mcp`. */
export function createMcpHttpHandler(options: McpHttpOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const started = performance.now();
    let caller: Caller | null = null;
    res.once('close', () =>
      options.onRequest?.({ method: req.method ?? '', status: res.statusCode, durationMs: Math.round(performance.now() - started), caller }),
    );
    const credentials: Credentials = { authorization: header(req, 'authorization'), apiKey: header(req, 'x-api-key') };
    try {
      caller = await options.authenticator.authenticate(credentials);
    } catch (error) {
      const reason = error instanceof AuthenticationError ? error.reason : 'INVALID_TOKEN';
      const message = error instanceof AuthenticationError ? error.message : 'Authentication failed';
      sendJsonRpcError(res, 401, message, { code: 'UNAUTHENTICATED', reason }, { 'www-authenticate': 'Bearer realm="memgate"' });
      return;
    }
    if (req.method !== 'POST') {
      // Stateless: no server-initiated stream (GET) and no session to end (DELETE).
      sendJsonRpcError(res, 405, 'Method not allowed: this MCP endpoint is stateless; POST JSON-RPC messages', { code: 'METHOD_NOT_ALLOWED' }, { allow: 'POST' });
      return;
    }
    const server = createMcpServer({ ...options, caller: caller as Caller, credentials });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res);
    } catch (error) {
      options.onError?.(error);
      if (!res.headersSent) sendJsonRpcError(res, 500, 'Internal server error', { code: 'INTERNAL_SERVER_ERROR' });
    }
  };
}
