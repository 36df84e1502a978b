import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema, parse, validate } from 'graphql';
import { runRate } from '../../bench/lib/load.js';
import { fieldSelection } from '../../bench/lib/selection.js';
import { quantile, summarize } from '../../bench/lib/stats.js';

describe('bench statistics', () => {
  it('interpolates quantiles between the two nearest samples', () => {
    expect(quantile([10, 20, 30, 40], 0.5)).toBe(25);
    expect(quantile([5], 0.99)).toBe(5);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('summarises runs as their median with the min..max spread', () => {
    expect(summarize([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, runs: [3, 1, 2] });
  });
});

describe('bench selections', () => {
  it('builds a selection of every field that validates even when union members share a field name with different types', () => {
    const schema = buildSchema(`
      type Ok { code: Int! text: String! }
      type Failed { code: String! detail: String }
      union Result = Ok | Failed
      type User { result: Result search(query: String!): String }
      type Query { user: User }
    `);
    const selection = fieldSelection(schema, 'Query', 'user');
    expect(selection).not.toContain('search');
    expect(validate(schema, parse(`{ user ${selection} }`))).toEqual([]);
  });
});

describe('bench open-loop load', () => {
  let server: Server;
  let url: string;
  const users: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const user = new URL(req.url ?? '/', 'http://x').searchParams.get('user') ?? '';
      users.push(user);
      res.writeHead(200, { 'content-type': 'application/json' });
      // Every third answer carries a GraphQL error with a 200, as a gateway would send it.
      res.end(users.length % 3 === 0 ? '{"errors":[{"message":"boom"}],"data":null}' : '{"data":{"ok":true}}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends rate x duration requests, each built fresh, and counts 200 answers that carry GraphQL errors', async () => {
    const result = await runRate({ url, rate: 60, durationSec: 0.5, build: (i) => ({ method: 'GET', path: `/?user=u${i}` }) });
    expect(result.sent).toBe(30);
    expect(result.ok).toBe(30);
    expect(new Set(users).size).toBe(30);
    expect(result.withErrors).toBe(10);
    expect(result.errorSamples[0]).toContain('boom');
    expect(result.p50).toBeGreaterThan(0);
  });
});
