/**
 * A real gateway in front of real emulators, all on 127.0.0.1 port 0, and a real HTTP client.
 * The upstream API keys are canaries: tests assert they never appear in a response.
 */
import { postGraphQL } from '../support/post-graphql.js';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type GraphQLFormattedError } from 'graphql';
import { SignJWT } from 'jose';
import { Agent } from 'undici';
import { createApp, type App } from '../../../src/app.js';
import { loadConfig, withUpstreams } from '../../../src/config.js';
import type { UpstreamClientOptions } from '../../../src/upstream/types.js';
import type { MemSyncEmulatorOptions, RunningEmulator, SynvoEmulatorOptions } from '../../../emulators/core/types.js';
import { startMemSyncEmulator } from '../../../emulators/memsync/index.js';
import { startSynvoEmulator } from '../../../emulators/synvo/index.js';
import { keyringEnv } from '../support/keyring-env.js';

export const JWT_SECRET = 'graph-test-secret-0123456789abcdef';
export const SERVICE_KEY = 'graph-test-service-key';
export const SYNVO_CANARY_KEY = 'sk-synvo-CANARY-7f3a9c21e8';
export const MEMSYNC_CANARY_KEY = 'sk-memsync-CANARY-4b8d02e6f1';

export interface GraphResponse<TData> {
  status: number;
  data: TData | null | undefined;
  errors: GraphQLFormattedError[] | undefined;
  /** The raw body, for leak checks. */
  text: string;
}

export interface GraphHarnessOptions {
  upstreamOptions?: UpstreamClientOptions;
  synvo?: SynvoEmulatorOptions;
  memsync?: MemSyncEmulatorOptions;
  /** Extra environment for loadConfig. */
  env?: Record<string, string>;
}

export interface GraphHarness {
  url: string;
  app: App;
  synvo: RunningEmulator;
  memsync: RunningEmulator;
  /** A signed HS256 JWT for `user` (expired when `expiresIn` is negative seconds). */
  jwt(user: string, options?: { expiresIn?: number; secret?: string }): Promise<string>;
  execute<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables,
    headers?: Record<string, string>,
  ): Promise<GraphResponse<TData>>;
  /** POSTs a raw GraphQL body. */
  post(body: unknown, headers?: Record<string, string>): Promise<{ status: number; text: string; json: any }>;
  /** Clears faults and counters on both emulators. */
  resetUpstreams(): void;
  stop(): Promise<void>;
}

export const asService = { 'x-api-key': SERVICE_KEY } as const;

export async function startGraphHarness(options: GraphHarnessOptions = {}): Promise<GraphHarness> {
  const synvo = await startSynvoEmulator({ apiKeys: [SYNVO_CANARY_KEY], processingDelayMs: 20, tokenDelayMs: 1, ...options.synvo });
  const memsync = await startMemSyncEmulator({ apiKeys: [MEMSYNC_CANARY_KEY], generationDelayMs: 5, ...options.memsync });
  const keyring = keyringEnv();
  const config = withUpstreams(
    loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      HOST: '127.0.0.1',
      PORT: '0',
      SYNVO_BASE_URL: synvo.url,
      SYNVO_API_KEY: SYNVO_CANARY_KEY,
      MEMSYNC_BASE_URL: memsync.apiUrl,
      MEMSYNC_API_KEY: MEMSYNC_CANARY_KEY,
      ...keyring.env,
      MEMGATE_JWT_SECRET: JWT_SECRET,
      MEMGATE_SERVICE_KEYS: SERVICE_KEY,
      // Upstream call counts are the subject of these tests: no read cache between requests.
      MEMGATE_CACHE_TTL_SECONDS: '0',
      ...options.env,
    }),
    {},
    { upstreamOptions: { keepAliveTimeoutMs: 500, ...options.upstreamOptions } },
  );
  const app = await createApp(config);
  const { url } = await app.start();
  const agent = new Agent({ keepAliveTimeout: 500 });

  const post = (body: unknown, headers: Record<string, string> = {}) => postGraphQL(url, agent, body, headers);

  return {
    url,
    app,
    synvo,
    memsync,
    async jwt(user, { expiresIn = 600, secret = JWT_SECRET } = {}) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(user)
        .setIssuedAt(now - Math.max(0, -expiresIn) - 10)
        .setExpirationTime(now + expiresIn)
        .sign(new TextEncoder().encode(secret));
    },
    async execute(document, variables, headers = { ...asService }) {
      const { status, text, json } = await post({ query: print(document), variables }, headers);
      return { status, text, data: json?.data, errors: json?.errors };
    },
    post,
    resetUpstreams() {
      for (const e of [synvo, memsync]) {
        e.controls.clearFaults();
        e.controls.resetCalls();
      }
    },
    async stop() {
      await agent.close();
      await app.stop();
      await Promise.all([synvo.stop(), memsync.stop()]);
      keyring.remove();
    },
  };
}

/** Calls per route id on one emulator (0 for a route never called). */
export function callsOf(emulator: RunningEmulator): Record<string, number> {
  return Object.fromEntries(Object.entries(emulator.controls.calls().routes).map(([route, c]) => [route, c.total]));
}

/** The error at `path` (e.g. ['user', 'profile']). */
export function errorAt(errors: readonly GraphQLFormattedError[] | undefined, path: readonly (string | number)[]) {
  return errors?.find((e) => JSON.stringify(e.path) === JSON.stringify(path));
}
