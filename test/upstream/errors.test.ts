import { inspect } from 'node:util';
import { BrokenCircuitError, BulkheadRejectedError } from 'cockatiel';
import { errors as undiciErrors } from 'undici';
import { describe, expect, it } from 'vitest';
import {
  HttpStatusFailure,
  ResponseShapeError,
  StreamErrorEvent,
  UpstreamError,
  coerceUpstreamError,
  isUpstreamError,
  parseRetryAfter,
  readErrorBody,
} from '../../src/upstream/errors.js';

const KEY = 'canary-key-5f1d2c9e';
const ctx = { service: 'synvo' as const, endpoint: 'profile', secrets: [KEY] };

/** Every way an error can be printed or shipped. */
function everyRendering(error: Error): string {
  const causes: string[] = [];
  for (let c: unknown = error.cause; c instanceof Error; c = c.cause) causes.push(c.message, c.stack ?? '', JSON.stringify(c), inspect(c, { depth: 10 }));
  return [error.message, error.stack ?? '', JSON.stringify(error), inspect(error, { depth: 10, showHidden: true }), String(error), ...causes].join('\n');
}

describe('readErrorBody', () => {
  it('reads {"error","code"} with extras as camel-cased details', () => {
    expect(readErrorBody({ error: 'Bio not yet generated', code: 'BIO_NOT_FOUND', suggestion: 'Store more', current_memory_count: 2 })).toEqual({
      message: 'Bio not yet generated',
      upstreamCode: 'BIO_NOT_FOUND',
      details: { suggestion: 'Store more', currentMemoryCount: 2 },
    });
  });

  it('reads {"error","detail"}', () => {
    expect(readErrorBody({ error: 'User not found', detail: 'no data' })).toMatchObject({ message: 'User not found', details: { detail: 'no data' } });
  });

  it('reads FastAPI {"detail","status_code","retry_after"}', () => {
    expect(readErrorBody({ detail: 'Rate limit exceeded', status_code: 429, retry_after: 7 })).toMatchObject({ message: 'Rate limit exceeded', retryAfter: 7 });
  });

  it('reads FastAPI validation details as a list of locations and messages', () => {
    expect(readErrorBody({ detail: [{ loc: ['query', 'limit'], msg: 'must be positive' }] }).message).toBe('query.limit: must be positive');
  });

  it('reads the nested {"error":{"code","message","details"},"status":"error"}', () => {
    expect(readErrorBody({ error: { code: 'VALIDATION_ERROR', message: 'query is required', details: { field: 'query' } }, status: 'error' })).toEqual({
      message: 'query is required',
      upstreamCode: 'VALIDATION_ERROR',
      details: { field: 'query' },
    });
  });

  it('gives nothing for a body that is not an object', () => {
    expect(readErrorBody('Bad gateway')).toEqual({});
    expect(readErrorBody(undefined)).toEqual({});
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds, rounding up', () => {
    expect(parseRetryAfter('3')).toBe(3);
    expect(parseRetryAfter('0.2')).toBe(1);
  });

  it('reads an HTTP date relative to now', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5);
  });

  it('ignores an absent or unreadable value', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('coerceUpstreamError', () => {
  const status = (code: number, body: unknown, headers: Record<string, string> = {}) => coerceUpstreamError(new HttpStatusFailure(code, headers, body), ctx);

  it('maps statuses to stable codes with the service, the endpoint and the status', () => {
    expect(status(503, { error: 'down' })).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', service: 'synvo', endpoint: 'profile', status: 503 });
    expect(status(500, 'oops').code).toBe('UPSTREAM_UNAVAILABLE');
    expect(status(404, { error: 'User not found' }).code).toBe('NOT_FOUND');
    expect(status(400, { error: 'Invalid bio format specified', code: 'INVALID_FORMAT' })).toMatchObject({ code: 'UPSTREAM_REJECTED', upstreamCode: 'INVALID_FORMAT' });
    expect(status(401, { error: 'Invalid or expired token', code: 'UNAUTHORIZED' }).code).toBe('UPSTREAM_REJECTED');
    expect(status(408, {}).code).toBe('UPSTREAM_TIMEOUT');
  });

  it('maps a 400 CONTEXT_TOO_LONG to its own code', () => {
    expect(status(400, { error: 'Too long', code: 'CONTEXT_TOO_LONG' })).toMatchObject({ code: 'CONTEXT_TOO_LONG', upstreamCode: 'CONTEXT_TOO_LONG' });
  });

  it('takes retryAfter from the Retry-After header, else from the body', () => {
    expect(status(429, { error: 'slow down' }, { 'retry-after': '4' })).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 4 });
    expect(status(429, { error: 'Too many', code: 'RATE_LIMIT_EXCEEDED', retry_after: 9 })).toMatchObject({ retryAfter: 9, upstreamCode: 'RATE_LIMIT_EXCEEDED' });
  });

  it('lets a call override the code of a status', () => {
    const error = coerceUpstreamError(new HttpStatusFailure(413, {}, { error: 'too large' }), { ...ctx, statusCodes: { 413: 'BAD_USER_INPUT' } });
    expect(error.code).toBe('BAD_USER_INPUT');
  });

  it('maps undici timeouts to UPSTREAM_TIMEOUT and socket failures to UPSTREAM_UNAVAILABLE', () => {
    expect(coerceUpstreamError(new undiciErrors.HeadersTimeoutError(), ctx).code).toBe('UPSTREAM_TIMEOUT');
    expect(coerceUpstreamError(new undiciErrors.BodyTimeoutError(), ctx).code).toBe('UPSTREAM_TIMEOUT');
    expect(coerceUpstreamError(new undiciErrors.ConnectTimeoutError(), ctx).code).toBe('UPSTREAM_TIMEOUT');
    expect(coerceUpstreamError(new undiciErrors.SocketError('other side closed'), ctx).code).toBe('UPSTREAM_UNAVAILABLE');
    expect(coerceUpstreamError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }), ctx).code).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('maps an open circuit and a full bulkhead to UPSTREAM_UNAVAILABLE', () => {
    expect(coerceUpstreamError(new BrokenCircuitError(), ctx).code).toBe('UPSTREAM_UNAVAILABLE');
    expect(coerceUpstreamError(new BulkheadRejectedError(1, 0), ctx).code).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('maps anything thrown after the signal aborted to ABORTED', () => {
    const controller = new AbortController();
    controller.abort();
    expect(coerceUpstreamError(new undiciErrors.SocketError('closed'), { ...ctx, signal: controller.signal }).code).toBe('ABORTED');
    expect(coerceUpstreamError(new undiciErrors.RequestAbortedError(), ctx).code).toBe('ABORTED');
  });

  it('maps a body that does not fit to UPSTREAM_BAD_RESPONSE naming the field', () => {
    const error = coerceUpstreamError(new ResponseShapeError('events[2].mention_time: expected string, received number'), { ...ctx, endpoint: 'events' });
    expect(error.code).toBe('UPSTREAM_BAD_RESPONSE');
    expect(error.message).toContain('events[2].mention_time: expected string');
  });

  it('maps a stream error event by its upstream code', () => {
    expect(coerceUpstreamError(new StreamErrorEvent('too long', 'CONTEXT_TOO_LONG'), ctx).code).toBe('CONTEXT_TOO_LONG');
    expect(coerceUpstreamError(new StreamErrorEvent('boom', 'STREAM_ERROR'), ctx)).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstreamCode: 'STREAM_ERROR' });
  });

  it('returns an UpstreamError as it is', () => {
    const error = new UpstreamError('x', { code: 'NOT_FOUND', service: 'memsync', endpoint: 'bio' });
    expect(coerceUpstreamError(error, ctx)).toBe(error);
  });

  it('keeps the API key out of error details echoed deep in a body, as a property name or as the upstream code', () => {
    let deep: unknown = { token: KEY };
    for (let i = 0; i < 8; i++) deep = { level: deep, list: [deep] };
    const error = status(400, { error: 'Bad request', code: 'INVALID', echo: deep, [KEY]: 'was your key', [`x-api-key=${KEY}`]: 1 });
    expect(error.code).toBe('UPSTREAM_REJECTED');
    expect(error.details).toHaveProperty('echo.level.level.level');
    expect(everyRendering(error)).not.toContain(KEY);
    expect(inspect(error.details, { depth: null })).not.toContain(KEY);
    const asCode = status(400, { error: 'Bad key', code: `KEY_${KEY}` });
    expect(asCode.upstreamCode).toBe('KEY_[redacted]');
    const inStream = coerceUpstreamError(new StreamErrorEvent('failed', KEY), ctx);
    expect(everyRendering(inStream)).not.toContain(KEY);
  });

  it('never lets the API key or URL credentials through, however the error is rendered', () => {
    // undici errors can carry request options; a body can echo the key.
    const raw = Object.assign(new undiciErrors.SocketError(`socket hang up calling https://user:${KEY}@api.synvo.ai`), {
      headers: { 'x-api-key': KEY },
      opts: { headers: { 'x-api-key': KEY } },
    });
    const fromTransport = coerceUpstreamError(raw, ctx);
    const fromBody = status(401, { error: `Invalid key ${KEY}`, code: 'UNAUTHORIZED', echo: { key: KEY } });
    const fromAggregate = coerceUpstreamError(new AggregateError([Object.assign(new Error(`connect ECONNREFUSED key=${KEY}`), { code: 'ECONNREFUSED' })], ''), ctx);
    for (const error of [fromTransport, fromBody, fromAggregate]) {
      const text = everyRendering(error);
      expect(text).not.toContain(KEY);
      expect(text).not.toMatch(/:\/\/user:/);
    }
    expect(fromTransport.cause).toMatchObject({ name: 'SocketError', code: 'UND_ERR_SOCKET' });
    expect(fromAggregate.message).toContain('ECONNREFUSED');
  });

  it('keeps nothing of the raw error but its name, code and message', () => {
    const raw = Object.assign(new undiciErrors.SocketError('closed'), { socket: { remoteAddress: '10.0.0.1' }, opts: { body: 'secret' } });
    const cause = coerceUpstreamError(raw, ctx).cause as Record<string, unknown>;
    expect(Object.keys(cause).sort()).toEqual(['code', 'name']);
    expect(cause).not.toHaveProperty('socket');
    expect(cause).not.toHaveProperty('opts');
  });
});

describe('UpstreamError', () => {
  it('serialises to JSON without a stack, with its code and service', () => {
    const error = new UpstreamError('synvo profile: upstream answered 503', { code: 'UPSTREAM_UNAVAILABLE', service: 'synvo', endpoint: 'profile', status: 503 });
    const json = JSON.parse(JSON.stringify(error)) as Record<string, unknown>;
    expect(json).toMatchObject({ name: 'UpstreamError', code: 'UPSTREAM_UNAVAILABLE', service: 'synvo', endpoint: 'profile', status: 503 });
    expect(json).not.toHaveProperty('stack');
  });

  it('is recognised by isUpstreamError, other errors are not', () => {
    expect(isUpstreamError(new UpstreamError('x', { code: 'ABORTED', service: 'synvo', endpoint: 'ask' }))).toBe(true);
    expect(isUpstreamError(new Error('x'))).toBe(false);
    expect(isUpstreamError({ code: 'ABORTED' })).toBe(false);
  });
});
