/**
 * A real gateway on port 0 in front of the real Synvo and MemSync emulators (port 0, low delays),
 * with clients for the three streaming transports: graphql-ws, SSE (graphql-sse's client in
 * distinct-connections mode) and raw sockets for protocol violations.
 */
import { createClient as createWsClient, type Client as WsClient, type ExecutionResult } from 'graphql-ws';
import { createClient as createSseClient, type Client as SseClient } from 'graphql-sse';
import WebSocket from 'ws';
import { startMemSyncEmulator } from '../../../emulators/memsync/index.js';
import { startSynvoEmulator, type SynvoEmulatorExtraOptions } from '../../../emulators/synvo/index.js';
import type { MemSyncEmulatorOptions, RunningEmulator } from '../../../emulators/core/types.js';
import { createApp, type App, type AppOptions } from '../../../src/app.js';
import { loadConfig, withUpstreams } from '../../../src/config.js';
import { mintDevToken } from '../../../src/server/dev-credentials.js';
import { keyringEnv } from '../support/keyring-env.js';
import type { UpstreamClientOptions } from '../../../src/upstream/types.js';

export const JWT_SECRET = 'streaming-tests-secret-0123456789';
export const SERVICE_KEY = 'streaming-tests-service-key';

export interface HarnessOptions {
  synvo?: SynvoEmulatorExtraOptions;
  memsync?: MemSyncEmulatorOptions;
  upstream?: UpstreamClientOptions;
  streaming?: AppOptions['streaming'];
  /** Extra environment for loadConfig (e.g. NODE_ENV=production). */
  env?: Record<string, string>;
}

export interface Harness {
  app: App;
  synvo: RunningEmulator;
  memsync: RunningEmulator;
  /** http://127.0.0.1:PORT/graphql */
  httpUrl: string;
  /** ws://127.0.0.1:PORT/graphql */
  wsUrl: string;
  /** An HS256 JWT for `user`, valid for `expiresIn` seconds. */
  token(user: string, expiresIn?: number): Promise<string>;
  /** A graphql-ws client (no retries), disposed with the harness. */
  wsClient(connectionParams: Record<string, unknown>): WsClient;
  /** A graphql-sse client (distinct connections), disposed with the harness. */
  sseClient(headers: Record<string, string>): SseClient;
  /** A raw socket speaking `graphql-transport-ws`, resolved once open; closed with the harness. */
  rawSocket(options?: WebSocket.ClientOptions): Promise<WebSocket>;
  /** POSTs a GraphQL request as JSON and returns the parsed body. */
  post(body: { query: string; variables?: Record<string, unknown> }, headers: Record<string, string>): Promise<ExecutionResult>;
  stop(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const synvo = await startSynvoEmulator({ firstTokenDelayMs: 0, tokenDelayMs: 2, processingDelayMs: 10, ...options.synvo });
  const memsync = await startMemSyncEmulator({ generationDelayMs: 5, ...options.memsync });
  const keyring = keyringEnv();
  const config = withUpstreams(
    loadConfig({ NODE_ENV: 'test', MEMGATE_JWT_SECRET: JWT_SECRET, MEMGATE_SERVICE_KEYS: SERVICE_KEY, LOG_LEVEL: 'silent', ...keyring.env, ...options.env }),
    { synvo: { baseUrl: synvo.url }, memsync: { baseUrl: memsync.apiUrl } },
    { port: 0, upstreamOptions: { maxAttempts: 1, ...options.upstream } },
  );
  const app = await createApp(config, options.streaming ? { streaming: options.streaming } : {});
  const { url } = await app.start();
  const wsUrl = url.replace(/^http/, 'ws');
  const disposers: Array<() => unknown> = [];

  return {
    app,
    synvo,
    memsync,
    httpUrl: url,
    wsUrl,
    token: (user, expiresIn = 600) => mintDevToken({ secret: JWT_SECRET, user, expiresIn }),
    wsClient(connectionParams) {
      const client = createWsClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams, retryAttempts: 0, lazy: true });
      disposers.push(() => client.dispose());
      return client;
    },
    sseClient(headers) {
      const client = createSseClient({ url, headers, retryAttempts: 0 });
      disposers.push(() => client.dispose());
      return client;
    },
    rawSocket(socketOptions) {
      const socket = new WebSocket(wsUrl, 'graphql-transport-ws', socketOptions);
      disposers.push(() => socket.terminate());
      return new Promise((resolve, reject) => {
        socket.once('open', () => resolve(socket));
        socket.once('error', reject);
      });
    },
    async post(body, headers) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
        body: JSON.stringify(body),
      });
      return (await response.json()) as ExecutionResult;
    },
    async stop() {
      for (const dispose of disposers.splice(0)) await dispose();
      await app.stop();
      await Promise.all([synvo.stop(), memsync.stop()]);
      keyring.remove();
    },
  };
}

/** Resolves with the close code (and reason) of a raw socket. */
export function closed(socket: WebSocket): Promise<{ code: number; reason: string }> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.reject(new Error('socket already closed'));
  return new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

/** The next JSON message a raw socket receives; rejects if the socket closes first. */
export function nextMessage(socket: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const onClose = (code: number, reason: Buffer) => reject(new Error(`socket closed (${code} ${reason.toString()}) before a message`));
    socket.once('close', onClose);
    socket.once('message', (data) => {
      socket.off('close', onClose);
      resolve(JSON.parse(String(data)) as Record<string, unknown>);
    });
  });
}

export { eventually } from '../../support/eventually.js';

export const ASK_SUBSCRIPTION = /* GraphQL */ `
  subscription Ask($question: String!, $user: String) {
    ask(question: $question, user: $user) {
      token
      answer { text messageId sessionId }
    }
  }
`;

export interface AskChunk {
  token: string;
  answer: { text: string; messageId: string; sessionId: string } | null;
}
