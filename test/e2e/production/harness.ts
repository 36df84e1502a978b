/**
 * A real gateway (createApp) in front of real emulators on 127.0.0.1 port 0, its log lines
 * captured, for the production-readiness tests. Upstream API keys and the service key are
 * canaries the tests look for in logs and responses.
 */
import { postGraphQL } from '../support/post-graphql.js';
import { PassThrough } from 'node:stream';
import { SignJWT } from 'jose';
import { Agent, request } from 'undici';
import { createApp, type App, type AppOptions } from '../../../src/app.js';
import { loadConfig, withUpstreams } from '../../../src/config.js';
import type { UpstreamClientOptions } from '../../../src/upstream/types.js';
import type { MemSyncEmulatorOptions, RunningEmulator, SynvoEmulatorOptions } from '../../../emulators/core/types.js';
import { startMemSyncEmulator } from '../../../emulators/memsync/index.js';
import { startSynvoEmulator } from '../../../emulators/synvo/index.js';
import { keyringEnv } from '../support/keyring-env.js';

export const JWT_SECRET = 'production-test-secret-0123456789';
export const SERVICE_KEY = 'svc-CANARY-service-key-91c2';
export const SYNVO_KEY = 'sk-synvo-CANARY-prod-3e7d1a';
export const MEMSYNC_KEY = 'sk-memsync-CANARY-prod-8b2f4c';
export const asService = { 'x-api-key': SERVICE_KEY } as const;

export interface Gateway {
  url: string;
  origin: string;
  app: App;
  synvo: RunningEmulator;
  memsync: RunningEmulator;
  /** Every log line written so far, raw. */
  logs(): string;
  /** Every log line written so far, parsed. */
  logLines(): Array<Record<string, unknown>>;
  jwt(user: string): Promise<string>;
  post(body: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string; json: any }>;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }>;
  stop(): Promise<void>;
}

export interface GatewayOptions {
  env?: Record<string, string>;
  app?: AppOptions;
  upstreamOptions?: UpstreamClientOptions;
  synvo?: SynvoEmulatorOptions;
  memsync?: MemSyncEmulatorOptions;
  /** Use these emulators instead of starting new ones (two gateways in front of the same upstreams). */
  upstreams?: { synvo: RunningEmulator; memsync: RunningEmulator };
}

export async function startGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const ownsUpstreams = !options.upstreams;
  const synvo = options.upstreams?.synvo ?? (await startSynvoEmulator({ apiKeys: [SYNVO_KEY], tokenDelayMs: 1, processingDelayMs: 20, ...options.synvo }));
  const memsync = options.upstreams?.memsync ?? (await startMemSyncEmulator({ apiKeys: [MEMSYNC_KEY], generationDelayMs: 5, ...options.memsync }));
  const keyring = keyringEnv();
  const config = withUpstreams(
    loadConfig({
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      SYNVO_BASE_URL: synvo.url,
      SYNVO_API_KEY: SYNVO_KEY,
      MEMSYNC_BASE_URL: memsync.apiUrl,
      MEMSYNC_API_KEY: MEMSYNC_KEY,
      ...keyring.env,
      MEMGATE_JWT_SECRET: JWT_SECRET,
      MEMGATE_SERVICE_KEYS: SERVICE_KEY,
      ...options.env,
    }),
    {},
    { upstreamOptions: { keepAliveTimeoutMs: 500, ...options.upstreamOptions } },
  );
  const stream = new PassThrough();
  let raw = '';
  stream.on('data', (chunk: Buffer) => {
    raw += chunk.toString();
  });
  const app = await createApp(config, {
    ...options.app,
    production: { logDestination: stream, ...options.app?.production },
  });
  const { url } = await app.start();
  const origin = new URL(url).origin;
  const agent = new Agent({ keepAliveTimeout: 500 });

  return {
    url,
    origin,
    app,
    synvo,
    memsync,
    logs: () => raw,
    logLines: () => raw.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>),
    jwt: (user) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(user)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(new TextEncoder().encode(JWT_SECRET)),
    post: (body, headers = {}) => postGraphQL(url, agent, body, headers),
    async get(path, headers = {}) {
      const res = await request(`${origin}${path}`, { method: 'GET', dispatcher: agent, headers });
      return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
    },
    async stop() {
      await agent.close();
      await app.stop();
      if (ownsUpstreams) await Promise.all([synvo.stop(), memsync.stop()]);
      keyring.remove();
    },
  };
}
