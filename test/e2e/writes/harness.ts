/**
 * Real gateway instances (one, or several sharing a real Redis) in front of real emulators, all on
 * 127.0.0.1 port 0, with real clients: undici for HTTP and GraphQL multipart uploads, graphql-ws
 * over `ws` for subscriptions. Each harness uses its own Redis key prefix.
 */
import { randomUUID } from 'node:crypto';
import { print, type DocumentNode } from 'graphql';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { SignJWT } from 'jose';
import { Redis } from 'ioredis';
import { Agent, FormData, request } from 'undici';
import WebSocket from 'ws';
import type { MemSyncEmulatorOptions, RunningEmulator, SynvoEmulatorOptions } from '../../../emulators/core/types.js';
import { startMemSyncEmulator, type RunningMemSyncEmulator } from '../../../emulators/memsync/index.js';
import { startSynvoEmulator } from '../../../emulators/synvo/index.js';
import { createApp, type App } from '../../../src/app.js';
import { loadConfig, withUpstreams } from '../../../src/config.js';
import { keyringEnv } from '../support/keyring-env.js';
import { captureLogs } from '../../support/captured-logs.js';
import { TEST_REDIS_URL } from '../../support/redis.js';

export const JWT_SECRET = 'writes-test-secret-0123456789abcdef';
export const SERVICE_KEY = 'writes-test-service-key';
export const SYNVO_KEY = 'sk-synvo-CANARY-writes-91c2';
export const MEMSYNC_KEY = 'sk-memsync-CANARY-writes-5d7e';
export const REDIS_URL = TEST_REDIS_URL;
export const asService = { 'x-api-key': SERVICE_KEY } as const;

/** A typed document (test/gql, from operations.ts) or, for the odd ad-hoc query, a string. */
export type Operation = DocumentNode | string;
const source = (operation: Operation) => (typeof operation === 'string' ? operation : print(operation));

export interface GraphResult {
  status: number;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test payloads are checked field by field
  json: any;
}

export interface Instance {
  app: App;
  url: string;
  wsUrl: string;
  post(query: Operation, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphResult>;
  /** A GraphQL multipart request (operations, map, then the file part). */
  multipart(parts: { operations: unknown; map?: unknown; files?: Record<string, File> }, headers?: Record<string, string>): Promise<GraphResult>;
  /** A graphql-ws client with the service key (or `connectionParams`). */
  ws(connectionParams?: Record<string, unknown>): WsClient;
}

export interface WritesHarness {
  synvo: RunningEmulator;
  memsync: RunningMemSyncEmulator;
  /**
   * Signs `user` up to the MemSync emulator (a new account, named after the user) and connects it
   * through the gateway (`connectMemSync` with the service key). Returns the new key.
   */
  connectMemSync(user: string, instance?: number): Promise<string>;
  instances: Instance[];
  redisPrefix: string | null;
  jwt(user: string): Promise<string>;
  /** Upstream calls of a route so far (emulator counters). */
  calls(service: 'synvo' | 'memsync', route: string, user?: string): number;
  stop(): Promise<void>;
}

export interface WritesHarnessOptions {
  /** Gateway instances to start. @default 1 */
  instances?: number;
  /** Share cache and live updates through the machine's Redis. @default false */
  redis?: boolean;
  /** Share them through this Redis Cluster instead (REDIS_CLUSTER_NODES seeds; the test owns the cluster). @default undefined */
  redisCluster?: string;
  /** Where each instance's logs go (one destination per instance, by index). @default stdout at the configured level */
  logDestination?: (index: number) => { write(line: string): void };
  synvo?: SynvoEmulatorOptions;
  memsync?: MemSyncEmulatorOptions;
  env?: Record<string, string>;
}

export async function startWritesHarness(options: WritesHarnessOptions = {}): Promise<WritesHarness> {
  const synvo = await startSynvoEmulator({ apiKeys: [SYNVO_KEY], processingDelayMs: 100, tokenDelayMs: 1, ...options.synvo });
  const memsync = await startMemSyncEmulator({ apiKeys: [MEMSYNC_KEY], generationDelayMs: 5, ...options.memsync });
  const redisPrefix = options.redis || options.redisCluster ? `memgate-test:${randomUUID()}:` : null;
  const keyring = keyringEnv();
  const config = withUpstreams(
    loadConfig({
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      SYNVO_BASE_URL: synvo.url,
      SYNVO_API_KEY: SYNVO_KEY,
      MEMSYNC_BASE_URL: memsync.apiUrl,
      MEMSYNC_API_KEY: MEMSYNC_KEY,
      ...keyring.env,
      MEMGATE_JWT_SECRET: JWT_SECRET,
      MEMGATE_SERVICE_KEYS: SERVICE_KEY,
      MEMGATE_FILE_POLL_MS: '30',
      ...(redisPrefix ? { MEMGATE_REDIS_PREFIX: redisPrefix } : {}),
      ...(options.redisCluster ? { REDIS_CLUSTER_NODES: options.redisCluster } : options.redis ? { REDIS_URL } : {}),
      ...options.env,
    }),
    {},
    { upstreamOptions: { keepAliveTimeoutMs: 500 } },
  );
  const agent = new Agent({ keepAliveTimeout: 500 });
  const logs = captureLogs();
  const wsClients: WsClient[] = [];
  const apps: App[] = [];

  const read = async (res: Awaited<ReturnType<typeof request>>): Promise<GraphResult> => {
    const text = await res.body.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    return { status: res.statusCode, text, json };
  };

  const instances: Instance[] = [];
  for (let i = 0; i < (options.instances ?? 1); i++) {
    const own = options.logDestination?.(i);
    const destination = own ? { write: (line: string) => (logs.destination.write(line), own.write(line)) } : logs.destination;
    const app = await createApp(config, { production: { logDestination: destination } });
    apps.push(app);
    const { url } = await app.start();
    const wsUrl = url.replace(/^http/, 'ws');
    instances.push({
      app,
      url,
      wsUrl,
      async post(query, variables = {}, headers = { ...asService }) {
        return read(
          await request(url, {
            method: 'POST',
            dispatcher: agent,
            headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
            body: JSON.stringify({ query: source(query), variables }),
          }),
        );
      },
      async multipart(parts, headers = { ...asService }) {
        const form = new FormData();
        form.set('operations', JSON.stringify(parts.operations));
        if (parts.map !== undefined) form.set('map', JSON.stringify(parts.map));
        for (const [name, file] of Object.entries(parts.files ?? {})) form.set(name, file);
        return read(await request(url, { method: 'POST', dispatcher: agent, headers: { accept: 'application/json', ...headers }, body: form }));
      },
      ws(connectionParams = { apiKey: SERVICE_KEY }) {
        const client = createWsClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams, retryAttempts: 0, lazy: true });
        wsClients.push(client);
        return client;
      },
    });
  }

  return {
    synvo,
    memsync,
    instances,
    redisPrefix,
    async connectMemSync(user, instance = 0) {
      const { apiKey } = memsync.controls.createAccount(user);
      const res = await instances[instance]!.post('mutation($apiKey: String!, $user: String) { connectMemSync(apiKey: $apiKey, user: $user) { connected } }', { apiKey, user });
      if (res.json?.data?.connectMemSync?.connected !== true) throw new Error(`connectMemSync(${user}) failed: ${res.text}`);
      return apiKey;
    },
    async jwt(user) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(user).setIssuedAt(now - 10).setExpirationTime(now + 600)
        .sign(new TextEncoder().encode(JWT_SECRET));
    },
    calls(service, route, user) {
      const counts = (service === 'synvo' ? synvo : memsync).controls.calls().routes[route];
      if (!counts) return 0;
      return user === undefined ? counts.total : (counts.byUser[user] ?? 0);
    },
    async stop() {
      await Promise.all(wsClients.map((c) => c.dispose()));
      for (const app of apps) await app.stop();
      logs.stop();
      await agent.close();
      await Promise.all([synvo.stop(), memsync.stop()]);
      keyring.remove();
      if (redisPrefix && !options.redisCluster) {
        const redis = new Redis(REDIS_URL);
        const keys = await redis.keys(`${redisPrefix}*`);
        if (keys.length > 0) await redis.del(...keys);
        await redis.quit();
      }
    },
  };
}

/** Collects a subscription's results until it completes (or `limit` results arrived). */
export function subscribe<T = unknown>(client: WsClient, query: Operation, variables: Record<string, unknown>, limit = 50): {
  results: Promise<Array<{ data?: T; errors?: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }> }>>;
  started: Promise<void>;
} {
  const results: Array<{ data?: T; errors?: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }> }> = [];
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const done = (async () => {
    const iterator = client.iterate<T>({ query: source(query), variables });
    markStarted();
    try {
      for await (const result of iterator) {
        results.push(result as (typeof results)[number]);
        if (results.length >= limit) break;
      }
    } catch (error) {
      const list = Array.isArray(error) ? error : [error];
      results.push({ errors: list.map((e: { message?: string; extensions?: Record<string, unknown> }) => ({ message: String(e.message ?? e), extensions: e.extensions })) });
    }
    return results;
  })();
  return { results: done, started };
}

export const textFile = (name: string, text: string, type = 'text/plain') => new File([text], name, { type });
