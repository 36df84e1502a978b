import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createScrubber, toYogaLogger } from '../../src/observability/logger.js';
import { useRequestLogging } from '../../src/server/use-request-logging.js';
import { post, startPluginServer, type PluginServer } from './plugin-server.js';

const CANARY_KEY = 'canary-upstream-key-7f3a9c';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGV4In0.c2lnbmF0dXJlLWxvb2tz';

describe('useRequestLogging', () => {
  const stream = new PassThrough();
  const lines: Array<Record<string, unknown>> = [];
  let raw = '';
  stream.on('data', (chunk: Buffer) => {
    raw += chunk.toString();
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
  });
  const logger = createLogger({ level: 'info', secrets: [CANARY_KEY], production: true, destination: stream });
  let server: PluginServer;

  beforeAll(async () => {
    server = await startPluginServer({
      plugins: [
        useRequestLogging({ logger }),
        {
          // Work a request starts that outlives it, like a shared poll.
          onExecute({ args }) {
            if ((args.contextValue as { request: Request }).request.headers.get('x-test-background')) {
              setTimeout(() => logger.info('background work'), 20);
            }
          },
        },
      ],
      yoga: { logging: toYogaLogger(logger), maskedErrors: { isDev: false } },
    });
  });
  afterAll(() => server.stop());

  const lineFor = (reqId: string) => lines.find((l) => l['reqId'] === reqId && l['msg'] === 'request');

  it('honours and returns the caller x-request-id and logs the user, operation and status', async () => {
    const res = await post(server.url, { query: 'query Greet { echo(text: "hello") }' }, { 'x-request-id': 'req-123', 'x-test-user': 'alex' });
    expect(res.headers.get('x-request-id')).toBe('req-123');
    await expect.poll(() => lineFor('req-123')).toBeDefined();
    expect(lineFor('req-123')).toMatchObject({ caller: 'user:alex', operation: 'Greet', type: 'query', status: 200, level: 'info' });
  });

  it('makes up a request id when the caller sends none or a malformed one', async () => {
    const res = await post(server.url, { query: '{ echo(text: "x") }' }, { 'x-request-id': 'bad id with spaces; and "quotes"' });
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await expect.poll(() => lineFor(id!)).toBeDefined();
  });

  it('logs error codes, never messages, variables, results or credentials', async () => {
    await post(
      server.url,
      { query: 'query Leak($t: String!) { echo(text: $t) secret boom }', variables: { t: 'my diary: I love sailing' } },
      { authorization: `Bearer ${JWT}`, 'x-api-key': CANARY_KEY, 'x-test-user': 'alex', 'x-request-id': 'leak-1' },
    );
    await expect.poll(() => lineFor('leak-1')).toBeDefined();
    expect(lineFor('leak-1')).toMatchObject({ errors: ['INTERNAL_SERVER_ERROR'] });
    expect(raw).not.toContain('sailing');
    expect(raw).not.toContain(CANARY_KEY);
    expect(raw).not.toContain(JWT);
    // The masked error's original reaches the log through yoga's logger, scrubbed and without a stack.
    expect(raw).toContain('hunter2hunter2');
    expect(raw).not.toMatch(/"stack"/);
  });

  it('puts the request id and caller on every other line written while the request is handled', async () => {
    await post(server.url, { query: '{ boom }' }, { 'x-test-user': 'alex', 'x-request-id': 'boom-1' });
    await expect.poll(() => lineFor('boom-1')).toBeDefined();
    const own = lines.filter((l) => l['reqId'] === 'boom-1');
    // The masked error's line (from yoga's logger, deep in execution) and the request line.
    expect(own.map((l) => l['msg']).sort()).toEqual(['request', 'unexpected error (masked in the response)']);
    expect(own.every((l) => l['caller'] === 'user:alex')).toBe(true);
    logger.info('between requests');
    expect(lines.at(-1)).toEqual(expect.not.objectContaining({ reqId: expect.anything() }));
  });

  it('leaves the request id off lines of work that outlives the request', async () => {
    await post(server.url, { query: '{ echo(text: "x") }' }, { 'x-test-user': 'alex', 'x-request-id': 'bg-1', 'x-test-background': '1' });
    await expect.poll(() => lines.find((l) => l['msg'] === 'background work')).toBeDefined();
    expect(lines.find((l) => l['msg'] === 'background work')).not.toHaveProperty('reqId');
    expect(lineFor('bg-1')).toMatchObject({ caller: 'user:alex', status: 200 });
  });
});

describe('the logger', () => {
  it('redacts credentials and content fields and scrubs known secrets and tokens from any line', () => {
    const stream = new PassThrough();
    let out = '';
    stream.on('data', (c: Buffer) => (out += c.toString()));
    const logger = createLogger({ secrets: [CANARY_KEY], destination: stream });
    logger.info(
      { headers: { authorization: 'Bearer abc', 'x-api-key': 'k' }, variables: { q: 'diary' }, memory: { text: 'sailing' }, note: `key=${CANARY_KEY}` },
      `token ${JWT}`,
    );
    expect(out).not.toContain('Bearer abc');
    expect(out).not.toContain('diary');
    expect(out).not.toContain('sailing');
    expect(out).not.toContain(CANARY_KEY);
    expect(out).not.toContain(JWT);
    expect(out).toContain('[REDACTED]');
  });

  it('scrubs secrets at any position and leaves other text alone', () => {
    const scrub = createScrubber(['s3cr3t-value']);
    expect(scrub('a s3cr3t-value b s3cr3t-value')).toBe('a [REDACTED] b [REDACTED]');
    expect(scrub('nothing to hide')).toBe('nothing to hide');
  });
});
