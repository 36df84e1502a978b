/**
 * A user's MemSync key never reaches a log line, a response or /metrics: not when MemSync fails
 * with bodies that echo it, not when it is refused at connection, not when a log call carries it
 * by mistake. The scrubber learns each key from the keyring and from connectMemSync.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWritesHarness, type Instance, type WritesHarness } from '../writes/harness.js';

const USER = 'keeper';
const lines: string[] = [];
let h: WritesHarness;
let gw: Instance;

beforeAll(async () => {
  h = await startWritesHarness({
    // Development: errors carry the upstream's own text as `detail`, stack traces are logged.
    env: { LOG_LEVEL: 'debug', NODE_ENV: 'development' },
    logDestination: () => ({ write: (line: string) => void lines.push(line) }),
  });
  gw = h.instances[0]!;
});
afterAll(async () => {
  await h?.stop();
});

const FAILING_READS = `query($user: String!) {
  user(name: $user) {
    memories(query: "my dog") { text }
    biography { __typename }
    memoryList { total }
    memoryProfile { stats { totalMemories } }
  }
}`;

describe("a user's MemSync key", () => {
  it('appears in no log line, response or metric, even when MemSync echoes it back in its errors', async () => {
    const key = await h.connectMemSync(USER);
    const echo = { error: `Key ${key} is not valid here`, code: 'KEY_ERROR', api_key: key, details: { 'X-API-Key': key } };
    h.memsync.controls.addFault({ route: 'memoriesSearch', kind: 'status', status: 500, body: echo });
    h.memsync.controls.addFault({ route: 'bio', kind: 'status', status: 401, body: echo });
    h.memsync.controls.addFault({ route: 'memoriesList', kind: 'status', status: 403, body: { ...echo, error: `forbidden for ${key}` } });
    h.memsync.controls.addFault({ route: 'profile', kind: 'status', status: 422, body: { detail: `bad key=${key}` } });
    const failed = await gw.post(FAILING_READS, { user: USER });
    expect(failed.json.errors.map((e: { extensions: { code: string } }) => e.extensions.code).sort()).toEqual([
      'UPSTREAM_REJECTED',
      'UPSTREAM_REJECTED',
      'UPSTREAM_REJECTED',
      'UPSTREAM_UNAVAILABLE',
    ]);
    h.memsync.controls.clearFaults();

    // A key MemSync refuses, written into the query itself.
    const refusedKey = 'refused-key-0c5d9e7a41b2';
    const refused = await gw.post(`mutation { connectMemSync(apiKey: "${refusedKey}", user: "${USER}x") { connected } }`);
    expect(refused.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');

    // A careless log line that carries the key in fields and in its text.
    gw.app.observability.logger.warn({ request: { headers: { 'X-API-Key': key }, note: `sent ${key}` }, memsyncKey: key }, `called MemSync with ${key}`);

    const metrics = await (await request(gw.url.replace(/\/graphql$/, '/metrics'))).body.text();
    const logged = lines.join('');
    expect(logged).toContain('upstream call failed');
    expect(logged).toContain('called MemSync with [REDACTED]');
    for (const secret of [key, refusedKey]) {
      expect(logged).not.toContain(secret);
      expect(failed.text + refused.text).not.toContain(secret);
      expect(metrics).not.toContain(secret);
    }
  });
});
