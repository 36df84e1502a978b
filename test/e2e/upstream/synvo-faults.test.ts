import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunningEmulator } from '../../../emulators/core/types.js';
import type { AnswerStreamEvent, SynvoClient } from '../../../src/upstream/types.js';
import { Harness, count, rejection } from './harness.js';

const QUESTION = 'What does the NTU annual report say about financial literacy?';

/** Consumes a stream, keeping what came before any failure. */
async function drain(stream: AsyncIterable<AnswerStreamEvent>) {
  const tokens: string[] = [];
  try {
    for await (const event of stream) if (event.type === 'token') tokens.push(event.token);
    return { tokens, error: undefined };
  } catch (error) {
    return { tokens, error: error as Error & { code?: string } };
  }
}

describe('Synvo client under the emulator faults', () => {
  const h = new Harness();
  let emu: RunningEmulator;
  let synvo: SynvoClient;

  beforeAll(async () => {
    emu = await h.synvoEmulator({ tokenDelayMs: 2 });
    synvo = h.synvo(emu.url, { maxAttempts: 3, headersTimeoutMs: 300, answerHeadersTimeoutMs: 300, streamIdleTimeoutMs: 300, retryAfterBudgetMs: 1_500 });
  });
  afterAll(() => h.dispose());
  beforeEach(() => {
    emu.controls.reset();
    h.calls.length = 0;
  });

  it('retries a GET answered 500 up to maxAttempts, then fails with UPSTREAM_UNAVAILABLE', async () => {
    emu.controls.addFault({ route: 'profile', kind: 'status', status: 500, body: { error: 'boom' } });
    const error = await rejection(synvo.getProfile('default'));
    expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', status: 500, service: 'synvo', endpoint: 'profile' });
    expect(count(emu, 'profile')).toBe(3);
    expect(h.calls.at(-1)).toMatchObject({ endpoint: 'profile', method: 'GET', attempts: 3, status: 500, errorCode: 'UPSTREAM_UNAVAILABLE' });
  });

  it('recovers when a GET fails once and succeeds on the retry', async () => {
    emu.controls.addFault({ route: 'events', kind: 'status', status: 503, body: { detail: 'Service unavailable', status_code: 503 }, times: 1 });
    expect((await synvo.getEvents('default')).length).toBeGreaterThan(0);
    expect(count(emu, 'events')).toBe(2);
  });

  it('does not retry a POST answered 503', async () => {
    emu.controls.addFault({ route: 'query', kind: 'status', status: 503, body: { error: 'down' } });
    expect(await rejection(synvo.ask('default', QUESTION))).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', status: 503 });
    expect(count(emu, 'query')).toBe(1);
  });

  it('never retries an upload', async () => {
    emu.controls.addFault({ route: 'upload', kind: 'reset' });
    const file = new File(['hello'], 'a.txt', { type: 'text/plain' });
    expect(await rejection(synvo.uploadFile('newcomer', file))).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(count(emu, 'upload')).toBe(1);
  });

  // undici checks the headers timeout on a coarse timer (~0.5 s ticks): the latency is seconds past it.
  it('maps a latency past the headers timeout to UPSTREAM_TIMEOUT, retrying the GET', async () => {
    emu.controls.addFault({ route: 'profile', kind: 'latency', ms: 3_000 });
    expect(await rejection(synvo.getProfile('default'))).toMatchObject({ code: 'UPSTREAM_TIMEOUT', service: 'synvo' });
    expect(count(emu, 'profile')).toBe(3);
  });

  it('waits out a Retry-After within the budget (no retry before it, far past the backoff), then succeeds', async () => {
    emu.controls.addFault({ route: 'profile', kind: 'rateLimit', retryAfter: 1, times: 1 });
    const sent = performance.now();
    const pending = synvo.getProfile('default');
    await vi.waitFor(() => expect(count(emu, 'profile')).toBe(1));
    expect(await pending).not.toBeNull();
    expect(count(emu, 'profile')).toBe(2);
    // The backoff alone (5 to 20 ms here) would have retried at once; the retry waited out the 1 s
    // Retry-After (a lower bound: a loaded machine only makes it later).
    expect(performance.now() - sent).toBeGreaterThanOrEqual(950);
  });

  it('fails at once with RATE_LIMITED and retryAfter when the Retry-After is over the budget', async () => {
    emu.controls.addFault({ route: 'profile', kind: 'rateLimit', retryAfter: 30 });
    expect(await rejection(synvo.getProfile('default'))).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 30, status: 429 });
    expect(count(emu, 'profile')).toBe(1);
  });

  it('does not wait out a Retry-After for a POST', async () => {
    emu.controls.addFault({ route: 'query', kind: 'rateLimit', retryAfter: 1 });
    expect(await rejection(synvo.ask('default', QUESTION))).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 1, upstreamCode: 'RATE_LIMITED' });
    expect(count(emu, 'query')).toBe(1);
  });

  it('maps a malformed body to UPSTREAM_BAD_RESPONSE without retrying', async () => {
    emu.controls.addFault({ route: 'profile', kind: 'malformed' });
    const error = await rejection(synvo.getProfile('default'));
    expect(error).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE' });
    expect(error.message).toContain('not valid JSON');
    expect(count(emu, 'profile')).toBe(1);
  });

  it('maps a reset connection to UPSTREAM_UNAVAILABLE, retrying the GET', async () => {
    emu.controls.addFault({ route: 'fileList', kind: 'reset' });
    expect(await rejection(synvo.listFiles('default'))).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(count(emu, 'fileList')).toBe(3);
  });

  it('maps a truncated body to UPSTREAM_UNAVAILABLE and succeeds when the GET retry is whole', async () => {
    emu.controls.addFault({ route: 'fileList', kind: 'truncate' });
    expect(await rejection(synvo.listFiles('default'))).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    emu.controls.reset();
    emu.controls.addFault({ route: 'fileList', kind: 'truncate', times: 1 });
    expect((await synvo.listFiles('default')).length).toBeGreaterThan(0);
    expect(count(emu, 'fileList')).toBe(2);
  });

  it('does not replay a search POST that reached Synvo, even a read-only one', async () => {
    // A client of its own, so this failure does not count towards the shared client's breaker.
    const client = h.synvo(emu.url, { maxAttempts: 3 });
    emu.controls.addFault({ route: 'search', kind: 'truncate', times: 1 });
    expect(await rejection(client.searchFiles('default', 'report'))).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(count(emu, 'search')).toBe(1);
  });

  it('passes the body of a 4xx through as UPSTREAM_REJECTED with the upstream code, not retried', async () => {
    emu.controls.addFault({ route: 'fileStatus', kind: 'status', status: 422, body: { error: { code: 'VALIDATION_ERROR', message: 'bad id', details: { field: 'file_id' } }, status: 'error' } });
    expect(await rejection(synvo.getFileStatus('default', 'abc'))).toMatchObject({ code: 'UPSTREAM_REJECTED', upstreamCode: 'VALIDATION_ERROR', status: 422, details: { field: 'file_id' } });
    expect(count(emu, 'fileStatus')).toBe(1);
  });

  it('streams all tokens of a slow stream', async () => {
    emu.controls.addFault({ route: 'query', kind: 'slowStream', tokenDelayMs: 20, times: 1 });
    const { tokens, error } = await drain(synvo.askStream('default', QUESTION));
    expect(error).toBeUndefined();
    expect(tokens.length).toBeGreaterThan(1);
  });

  it('fails a stream cut before done with UPSTREAM_BAD_RESPONSE after the tokens it got', async () => {
    emu.controls.addFault({ route: 'query', kind: 'cutStream', afterTokens: 2 });
    const { tokens, error } = await drain(synvo.askStream('default', QUESTION));
    expect(tokens).toHaveLength(2);
    expect(error).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', service: 'synvo', endpoint: 'askStream' });
    expect(error?.message).toContain('ended before its done event');
  });

  it('fails a stalled stream with UPSTREAM_TIMEOUT and closes it', async () => {
    emu.controls.addFault({ route: 'query', kind: 'stall', afterTokens: 1 });
    const { tokens, error } = await drain(synvo.askStream('default', QUESTION));
    expect(tokens).toHaveLength(1);
    expect(error).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    await vi.waitFor(() => expect(emu.controls.calls().openStreams).toBe(0));
  });

  it('maps a stream error event to its code', async () => {
    emu.controls.addFault({ route: 'query', kind: 'streamError', afterTokens: 1, body: { error: 'Context too long', code: 'CONTEXT_TOO_LONG' }, times: 1 });
    const tooLong = await drain(synvo.askStream('default', QUESTION));
    expect(tooLong.error).toMatchObject({ code: 'CONTEXT_TOO_LONG', upstreamCode: 'CONTEXT_TOO_LONG' });
    emu.controls.addFault({ route: 'query', kind: 'streamError', afterTokens: 0, times: 1 });
    const other = await drain(synvo.askStream('default', QUESTION));
    expect(other.error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstreamCode: 'STREAM_ERROR' });
    expect(h.calls.filter((c) => c.endpoint === 'askStream').map((c) => c.errorCode)).toEqual(['CONTEXT_TOO_LONG', 'UPSTREAM_UNAVAILABLE']);
  });

  it('closes the upstream stream when the consumer leaves the loop early', async () => {
    emu.controls.addFault({ route: 'query', kind: 'slowStream', tokenDelayMs: 50, times: 1 });
    for await (const event of synvo.askStream('default', QUESTION)) {
      expect(event.type).toBe('token');
      expect(emu.controls.calls().openStreams).toBe(1);
      break;
    }
    await vi.waitFor(() => expect(emu.controls.calls().openStreams).toBe(0));
  });

  it('aborts a stream when its signal aborts, with ABORTED', async () => {
    emu.controls.addFault({ route: 'query', kind: 'slowStream', tokenDelayMs: 50, times: 1 });
    const controller = new AbortController();
    const seen: string[] = [];
    const error = await rejection(
      (async () => {
        for await (const event of synvo.askStream('default', QUESTION, { signal: controller.signal })) {
          if (event.type === 'token') seen.push(event.token);
          if (seen.length === 1) controller.abort();
        }
      })(),
    );
    expect(error).toMatchObject({ code: 'ABORTED', endpoint: 'askStream' });
    expect(seen).toHaveLength(1);
    await vi.waitFor(() => expect(emu.controls.calls().openStreams).toBe(0));
  });

  it('aborts a pending call when its signal aborts, with ABORTED and no retry', async () => {
    emu.controls.addFault({ route: 'events', kind: 'latency', ms: 250 });
    const controller = new AbortController();
    const pending = synvo.getEvents('default', {}, { signal: controller.signal });
    await vi.waitFor(() => expect(count(emu, 'events')).toBe(1));
    controller.abort();
    expect(await rejection(pending)).toMatchObject({ code: 'ABORTED', service: 'synvo', endpoint: 'events' });
    expect(count(emu, 'events')).toBe(1);
  });
});
