/**
 * Two gateway processes (separate Node processes, as behind a load balancer) on the machine's
 * Redis: a file uploaded through one produces fileStatus and events on a subscriber of the other,
 * Synvo is polled by one process only, and a read cached by one is a hit for the other.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import { FormData, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { RunningEmulator } from '../../../emulators/core/types.js';
import { startMemSyncEmulator } from '../../../emulators/memsync/index.js';
import { startSynvoEmulator } from '../../../emulators/synvo/index.js';
import type { LiveUpdatesStats } from '../../../src/live/live-updates.js';
import { MEMSYNC_KEY, REDIS_URL, SERVICE_KEY, subscribe, SYNVO_KEY, textFile } from './harness.js';
import { EventsSubscriptionDocument, FileStatusDocument, ProfileDocument, UploadDocument } from './operations.js';
import { keyringEnv } from '../support/keyring-env.js';

const keyring = keyringEnv();

interface GatewayProcess {
  child: ChildProcess;
  url: string;
  stats(): Promise<LiveUpdatesStats>;
}

let synvo: RunningEmulator;
let memsync: RunningEmulator;
const prefix = `memgate-test:${randomUUID()}:`;
const gateways: GatewayProcess[] = [];
const clients: Client[] = [];

async function startGateway(): Promise<GatewayProcess> {
  const child = fork(fileURLToPath(new URL('./gateway-process.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      HOST: '127.0.0.1',
      PORT: '0',
      SYNVO_BASE_URL: synvo.url,
      SYNVO_API_KEY: SYNVO_KEY,
      MEMSYNC_BASE_URL: memsync.apiUrl,
      MEMSYNC_API_KEY: MEMSYNC_KEY,
      ...keyring.env,
      MEMGATE_SERVICE_KEYS: SERVICE_KEY,
      MEMGATE_FILE_POLL_MS: '30',
      REDIS_URL,
      MEMGATE_REDIS_PREFIX: prefix,
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const [ready] = (await once(child, 'message')) as [{ type: string; url: string }];
  return {
    child,
    url: ready.url,
    async stats() {
      child.send({ type: 'stats' });
      const [reply] = (await once(child, 'message')) as [{ stats: LiveUpdatesStats }];
      return reply.stats;
    },
  };
}

async function post(url: string, query: string, variables: Record<string, unknown>) {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': SERVICE_KEY },
    body: JSON.stringify({ query, variables }),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test payloads are checked field by field
  return (await res.body.json()) as { data?: Record<string, any>; errors?: unknown[] };
}

beforeAll(async () => {
  synvo = await startSynvoEmulator({ apiKeys: [SYNVO_KEY], processingDelayMs: 200 });
  memsync = await startMemSyncEmulator({ apiKeys: [MEMSYNC_KEY] });
  gateways.push(...(await Promise.all([startGateway(), startGateway()])));
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await Promise.all(
    gateways.map(async ({ child }) => {
      const exited = once(child, 'exit');
      child.disconnect();
      await exited;
    }),
  );
  await Promise.all([synvo?.stop(), memsync?.stop()]);
  keyring.remove();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('two gateway processes on one Redis', () => {
  it('share cached reads, fan a file uploaded through one out to subscribers of the other, and poll it once', async () => {
    const [a, b] = gateways as [GatewayProcess, GatewayProcess];
    await post(a.url, print(ProfileDocument), { user: 'alex' });
    await post(b.url, print(ProfileDocument), { user: 'alex' });
    expect(synvo.controls.calls().routes.profile?.byUser['alex']).toBe(1);

    const user = 'traveller';
    const ws = createClient({ url: b.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { apiKey: SERVICE_KEY }, retryAttempts: 0 });
    clients.push(ws);
    const events = subscribe<{ events: { content: string } }>(ws, EventsSubscriptionDocument, { user }, 2);
    await events.started;
    // The events poller's first call shows the subscription is in place on B.
    await vi.waitFor(() => expect(synvo.controls.calls().routes.events?.byUser[user] ?? 0).toBeGreaterThan(0));

    const form = new FormData();
    form.set('operations', JSON.stringify({ query: print(UploadDocument), variables: { file: null, user } }));
    form.set('map', JSON.stringify({ '0': ['variables.file'] }));
    form.set('0', textFile('lima.txt', 'City: Lima\nI arrived in Lima on 2025-09-09.\n'));
    const uploaded = (await (await request(a.url, { method: 'POST', headers: { 'x-api-key': SERVICE_KEY }, body: form })).body.json()) as {
      data: { uploadFile: { id: string } };
    };
    const id = uploaded.data.uploadFile.id;

    const statuses = await subscribe<{ fileStatus: { id: string; status: string } }>(ws, FileStatusDocument, { id, user }).results;
    expect(statuses.at(-1)!.data!.fileStatus).toMatchObject({ id, status: 'COMPLETED' });
    expect((await events.results).map((r) => r.data!.events.content).sort()).toEqual(['I arrived in Lima on 2025-09-09.', 'User uploaded lima.txt.']);

    const [byA, byB] = await Promise.all([a.stats(), b.stats()]);
    const polls = synvo.controls.calls().routes.fileStatus?.byUser[user] ?? 0;
    expect(polls).toBeGreaterThan(0);
    expect(byA.polls + byB.polls).toBe(polls);
    expect(Math.min(byA.polls, byB.polls)).toBe(0);

    const profile = await post(b.url, print(ProfileDocument), { user });
    expect(profile.data!.user.profile.contactInfo).toEqual({ city: 'Lima' });
  });
});
