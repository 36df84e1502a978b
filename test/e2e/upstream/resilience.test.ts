import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunningEmulator } from '../../../emulators/core/types.js';
import { createMemSyncClient, createSynvoClient } from '../../../src/upstream/index.js';
import { Harness, count, everyRendering, rejection } from './harness.js';

const QUESTION = 'What does the NTU annual report say about financial literacy?';
const CANARY = 'canary-7f3a9c21e5d84b06';

/** A port nothing listens on: connections to it are refused. */
async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('upstream resilience', () => {
  const h = new Harness();
  let synvoEmu: RunningEmulator;
  let memsyncEmu: RunningEmulator;

  beforeAll(async () => {
    synvoEmu = await h.synvoEmulator({ apiKeys: ['synvo-dev-key', CANARY], tokenDelayMs: 2 });
    memsyncEmu = await h.memsyncEmulator({ apiKeys: ['memsync-dev-key', CANARY] });
  });
  afterAll(() => h.dispose());
  beforeEach(() => {
    synvoEmu.controls.reset();
    memsyncEmu.controls.reset();
    h.calls.length = 0;
  });

  it('opens the breaker on failures so calls fail fast without reaching the upstream, then recovers after a half-open probe', async () => {
    const synvo = h.synvo(synvoEmu.url, { maxAttempts: 1, breakerMinimumRps: 4, breakerThreshold: 0.5, breakerHalfOpenAfterMs: 200 });
    synvoEmu.controls.addFault({ route: 'profile', kind: 'status', status: 500, body: { error: 'down' } });
    for (let i = 0; i < 4; i++) expect(await rejection(synvo.getProfile('default'))).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', status: 500 });
    expect(count(synvoEmu, 'profile')).toBe(4);

    const fast = await rejection(synvo.getProfile('default'));
    expect(fast).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', service: 'synvo' });
    expect(fast.message).toContain('circuit open');
    expect(fast).not.toHaveProperty('status');
    await rejection(synvo.getEvents('default'));
    expect(count(synvoEmu, 'profile')).toBe(4);
    expect(count(synvoEmu, 'events')).toBe(0);

    synvoEmu.controls.clearFaults();
    // While open, calls fail fast without reaching Synvo; past breakerHalfOpenAfterMs the next call
    // is the probe, which succeeds and closes the breaker.
    await vi.waitFor(async () => expect(await synvo.getProfile('default')).not.toBeNull(), { timeout: 5_000, interval: 20 });
    expect(count(synvoEmu, 'profile')).toBe(5);
    expect(await synvo.getProfile('default')).not.toBeNull();
    expect(count(synvoEmu, 'profile')).toBe(6);
  });

  it('does not count 4xx answers, NOT_FOUND or rate limits as breaker failures', async () => {
    const synvo = h.synvo(synvoEmu.url, { maxAttempts: 1, breakerMinimumRps: 4, breakerThreshold: 0.5, breakerHalfOpenAfterMs: 60_000 });
    synvoEmu.controls.addFault({ route: 'fileStatus', kind: 'status', status: 400, body: { error: 'bad', code: 'INVALID_PAYLOAD' }, times: 4 });
    synvoEmu.controls.addFault({ route: 'fileStatus', kind: 'rateLimit', retryAfter: 60, times: 4 });
    for (let i = 0; i < 8; i++) await rejection(synvo.getFileStatus('default', 'f1'));
    for (let i = 0; i < 4; i++) await rejection(synvo.deleteFile('default', 'f_unknown'));
    expect((await synvo.getFileStatus('default', 'f1')).status).toBe('UNKNOWN');
    expect(count(synvoEmu, 'fileStatus')).toBe(9);
  });

  it('fails fast with UPSTREAM_UNAVAILABLE when the bulkhead and its queue are full', async () => {
    const synvo = h.synvo(synvoEmu.url, { maxConcurrent: 1, maxQueued: 0 });
    synvoEmu.controls.addFault({ route: 'profile', kind: 'latency', ms: 200, times: 1 });
    const first = synvo.getProfile('default');
    const second = await rejection(synvo.getProfile('default'));
    expect(second).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(second.message).toContain('too many calls in flight');
    expect(await first).not.toBeNull();
    expect(count(synvoEmu, 'profile')).toBe(1);
  });

  it('keeps MemSync answering while Synvo hangs on every socket it may use', async () => {
    const synvo = h.synvo(synvoEmu.url, { maxConnections: 2, headersTimeoutMs: 10_000 });
    const memsync = h.memsync(memsyncEmu.apiUrl);
    synvoEmu.controls.addFault({ route: 'profile', kind: 'latency', ms: 3_000 });
    const controller = new AbortController();
    let synvoSettled = false;
    const hung = Array.from({ length: 4 }, (_, i) =>
      synvo.getProfile(`user${i}`, { signal: controller.signal }).finally(() => {
        synvoSettled = true;
      }),
    );
    await vi.waitFor(() => expect(count(synvoEmu, 'profile')).toBe(2));

    const bio = await memsync.getBio('alex');
    const memories = await memsync.searchMemories('alex', { query: 'work' });
    expect(bio.text.length).toBeGreaterThan(0);
    expect(memories.memories.length).toBeGreaterThan(0);
    expect(synvoSettled).toBe(false);

    controller.abort();
    for (const call of hung) expect(await rejection(call)).toMatchObject({ code: 'ABORTED', service: 'synvo' });
  });

  it('retries a POST whose connection was refused (it never reached the upstream), up to maxAttempts', async () => {
    const port = await closedPort();
    const calls: { attempts: number; errorCode?: string }[] = [];
    const memsync = createMemSyncClient({ baseUrl: `http://127.0.0.1:${port}/v1`, keyOf: async () => CANARY, options: { retryBaseDelayMs: 1, maxAttempts: 3, onCall: (c) => calls.push(c) } });
    try {
      const error = await rejection(memsync.storeMemories('alex', { messages: [{ role: 'user', content: 'hello there' }] }));
      expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', service: 'memsync', endpoint: 'memories' });
      expect(error.message).toContain('ECONNREFUSED');
      expect(calls).toEqual([expect.objectContaining({ attempts: 3, errorCode: 'UPSTREAM_UNAVAILABLE' })]);
    } finally {
      await memsync.close();
    }
  });

  it('never shows the API key or URL credentials in any error, however it is rendered', async () => {
    const port = await closedPort();
    const synvo = h.synvo(synvoEmu.url, { maxAttempts: 1, headersTimeoutMs: 200, streamIdleTimeoutMs: 200 }, CANARY);
    // The canary is the user's own MemSync key here (the emulator takes it as an app key, scoped to `default`).
    const memsync = h.memsync(memsyncEmu.apiUrl, { maxAttempts: 1 }, { alex: CANARY, newcomer: CANARY });
    const wrongKey = h.synvo(synvoEmu.url, { maxAttempts: 1 }, `${CANARY}-wrong`);
    const refused = createSynvoClient({ baseUrl: `http://memgate:${CANARY}@127.0.0.1:${port}`, apiKey: CANARY, options: { maxAttempts: 1 } });
    const failures: unknown[] = [];
    const fail = async (setup: () => void, call: () => Promise<unknown>) => {
      synvoEmu.controls.reset();
      memsyncEmu.controls.reset();
      setup();
      try {
        await call();
      } catch (error) {
        failures.push(error);
        return;
      }
      throw new Error('expected a failure');
    };
    const streamAll = async () => {
      for await (const _ of synvo.askStream('default', QUESTION)) void _;
    };
    try {
      await fail(() => synvoEmu.controls.addFault({ route: 'profile', kind: 'reset' }), () => synvo.getProfile('default'));
      await fail(() => synvoEmu.controls.addFault({ route: 'profile', kind: 'truncate' }), () => synvo.getProfile('default'));
      await fail(() => synvoEmu.controls.addFault({ route: 'profile', kind: 'malformed' }), () => synvo.getProfile('default'));
      await fail(() => synvoEmu.controls.addFault({ route: 'profile', kind: 'latency', ms: 3_000 }), () => synvo.getProfile('default'));
      await fail(() => synvoEmu.controls.addFault({ route: 'events', kind: 'status', status: 500, body: { error: `echo ${CANARY}`, detail: { key: CANARY } } }), () => synvo.getEvents('default'));
      await fail(() => synvoEmu.controls.addFault({ route: 'query', kind: 'stall', afterTokens: 1 }), streamAll);
      await fail(() => synvoEmu.controls.addFault({ route: 'query', kind: 'cutStream', afterTokens: 1 }), streamAll);
      await fail(() => synvoEmu.controls.addFault({ route: 'query', kind: 'streamError', afterTokens: 1, body: { error: `bad key ${CANARY}`, code: 'X' } }), streamAll);
      await fail(() => memsyncEmu.controls.addFault({ route: 'bio', kind: 'rateLimit', retryAfter: 60 }), () => memsync.getBio('alex'));
      await fail(() => undefined, () => memsync.getBio('newcomer'));
      await fail(() => undefined, () => wrongKey.getProfile('default'));
      await fail(() => undefined, () => refused.getProfile('default'));
      const controller = new AbortController();
      controller.abort(new Error(`aborted by a caller holding ${CANARY}`));
      await fail(() => undefined, () => synvo.getProfile('default', { signal: controller.signal }));
    } finally {
      await refused.close();
    }
    expect(failures).toHaveLength(13);
    for (const error of failures) {
      const text = everyRendering(error);
      expect(text).not.toContain(CANARY);
      expect(text).not.toMatch(/memgate:[^@\s]*@/);
    }
    expect(failures.map((e) => (e as { code: string }).code)).toEqual([
      'UPSTREAM_UNAVAILABLE', 'UPSTREAM_UNAVAILABLE', 'UPSTREAM_BAD_RESPONSE', 'UPSTREAM_TIMEOUT', 'UPSTREAM_UNAVAILABLE',
      'UPSTREAM_TIMEOUT', 'UPSTREAM_BAD_RESPONSE', 'UPSTREAM_UNAVAILABLE', 'RATE_LIMITED', 'NOT_FOUND', 'UPSTREAM_REJECTED',
      'UPSTREAM_UNAVAILABLE', 'ABORTED',
    ]);
  });

  it('closes within closeTimeoutMs even with a stalled stream open, failing that stream', async () => {
    const synvo = createSynvoClient({ baseUrl: synvoEmu.url, apiKey: CANARY, options: { closeTimeoutMs: 100, streamIdleTimeoutMs: 30_000 } });
    synvoEmu.controls.addFault({ route: 'query', kind: 'stall', afterTokens: 1 });
    const iterator = synvo.askStream('default', QUESTION)[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ type: 'token' });
    const pending = iterator.next();
    await synvo.close();
    expect(await rejection(pending)).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', service: 'synvo', endpoint: 'askStream' });
    await vi.waitFor(() => expect(synvoEmu.controls.calls().openStreams).toBe(0));
  });

  it('reports every call to onCall with its attempts, status and error code', async () => {
    const synvo = h.synvo(synvoEmu.url, { maxAttempts: 2 });
    synvoEmu.controls.addFault({ route: 'profile', kind: 'status', status: 503, body: { error: 'x' }, times: 1 });
    await synvo.getProfile('default');
    await rejection(synvo.deleteFile('default', 'nope'));
    for await (const _ of synvo.askStream('default', QUESTION)) void _;
    expect(h.calls).toEqual([
      expect.objectContaining({ service: 'synvo', endpoint: 'profile', method: 'GET', status: 200, attempts: 2, durationMs: expect.any(Number) }),
      expect.objectContaining({ service: 'synvo', endpoint: 'fileDelete', method: 'DELETE', status: 404, errorCode: 'NOT_FOUND', attempts: 1 }),
      expect.objectContaining({ service: 'synvo', endpoint: 'askStream', method: 'POST', status: 200, attempts: 1 }),
    ]);
    expect(h.calls[0]).not.toHaveProperty('errorCode');
  });
});
