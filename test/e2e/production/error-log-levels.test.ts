/**
 * The level of the line each mapped or masked error leaves in the log: the caller's own mistakes
 * (an argument the domain refuses, a variable that does not fit its type) at info, since the
 * gateway did nothing wrong; an upstream failure at warn, when its call ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asService, startGateway, type Gateway } from './harness.js';

describe('the log level of an error', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw.stop());

  /** The lines of one request, once its own `request` line is written. */
  async function linesOf(reqId: string) {
    await expect.poll(() => gw.logLines().some((l) => l['reqId'] === reqId && l['msg'] === 'request')).toBe(true);
    return gw.logLines().filter((l) => l['reqId'] === reqId);
  }

  it('is info for an argument the domain refuses, answered as BAD_USER_INPUT naming it', async () => {
    const res = await gw.post({ query: '{ user(name: "default") { memories(query: "   ", limit: 5) { id } } }' }, { ...asService, 'x-request-id': 'bad-argument' });
    expect(res.json.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argument: 'query' }) })]);
    const lines = await linesOf('bad-argument');
    expect(lines.filter((l) => l['level'] === 'error')).toEqual([]);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'info', msg: 'caller error mapped' }));
  });

  it('is info for a variable that does not fit its type, answered as BAD_USER_INPUT naming it', async () => {
    const res = await gw.post({ query: 'query($n: String!) { user(name: $n) { name } }', variables: { n: 7 } }, { ...asService, 'x-request-id': 'bad-variable' });
    expect(res.json.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', variable: 'n' }) })]);
    const lines = await linesOf('bad-variable');
    expect(lines.filter((l) => l['level'] === 'error')).toEqual([]);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'info', msg: 'caller error mapped' }));
  });

  it('is warn for an upstream failure, with nothing at error for the caller to act on', async () => {
    gw.memsync.controls.addFault({ route: 'bio', kind: 'status', status: 500, times: 3 });
    const res = await gw.post({ query: '{ user(name: "default") { biography { __typename } } }' }, { ...asService, 'x-request-id': 'upstream-down' });
    expect(res.json.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE' }) })]);
    const lines = await linesOf('upstream-down');
    expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'upstream call failed', service: 'memsync' }));
    expect(lines.filter((l) => l['level'] === 'error')).toEqual([]);
  });
});
