import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEMSYNC_KEY, SERVICE_KEY, SYNVO_KEY, asService, startGateway, type Gateway } from './harness.js';

const FULL = `query Full($name: String!) {
  user(name: $name) {
    name
    profile { attributes { category subtopic values } }
    events(limit: 5) { type content }
    biography { __typename ... on Biography { text } ... on BiographyNotReady { suggestion } }
    memories(query: "study work", limit: 5) { id text }
    searchFiles(query: "neural networks") { id name }
    ask(question: "Where do I study?") { text }
  }
}`;
const MEMORY_TEXT = 'I secretly practise kitesurfing at Praia do Guincho every Sunday';
const FILE_TEXT = 'canary file body: the combination to my locker is 4815';

/** Every string in a JSON value of 12 characters or more: the personal data a response carried. */
function contentStrings(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string' && value.length >= 12) out.add(value);
  else if (Array.isArray(value)) for (const v of value) contentStrings(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) contentStrings(v, out);
  return out;
}

/** The value of one sample of the exposition text, 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? '').split(',');
    if (wanted.every((w) => have.includes(w))) sum += Number(match[3]);
  }
  return sum;
}

describe('logs and metrics of a full run through every feature', () => {
  let gw: Gateway;
  const personal = new Set<string>();
  const tokens: string[] = [];
  const statuses: number[] = [];

  beforeAll(async () => {
    gw = await startGateway({
      // The user's sixth operation is over its budget.
      env: { MEMGATE_CACHE_TTL_SECONDS: '0', MEMGATE_RATE_LIMIT_USER_PER_MINUTE: '5' },
      app: { production: { tracing: { enabled: true, exporter: new InMemorySpanExporter() } } },
    });
    const post = async (body: unknown, headers: Record<string, string>) => {
      const res = await gw.post(body, headers);
      statuses.push(res.status);
      contentStrings(res.json?.data, personal);
      return res;
    };
    const jwt = await gw.jwt('default');
    tokens.push(jwt);
    const asUser = { authorization: `Bearer ${jwt}` };

    // Reads as a service and as a user, a write, an upload, errors of every kind.
    await post({ query: FULL, variables: { name: 'default' } }, asService);
    await post({ query: FULL, variables: { name: 'alex' } }, { ...asService, 'x-request-id': 'full-alex' });
    await post({ query: '{ viewer { name profile { attributes { values } } } }' }, asUser);
    const stored = await post(
      { query: 'mutation($m: [MessageInput!]!) { storeMemories(messages: $m) { count memories { text } } }', variables: { m: [{ role: 'USER', content: MEMORY_TEXT }] } },
      asUser,
    );
    expect(stored.json.data.storeMemories.count).toBeGreaterThan(0);
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: 'mutation($f: File!) { uploadFile(file: $f) { id } }', variables: { f: null } }));
    form.set('map', JSON.stringify({ 0: ['variables.f'] }));
    form.set('0', new File([FILE_TEXT], 'locker.txt', { type: 'text/plain' }));
    const upload = await fetch(gw.url, { method: 'POST', headers: asUser, body: form });
    statuses.push(upload.status);
    expect(((await upload.json()) as { data: { uploadFile: { id: string } } }).data.uploadFile.id).toBeTruthy();
    gw.memsync.controls.addFault({ route: 'bio', kind: 'status', status: 500, times: 3 });
    await post({ query: '{ user(name: "default") { name biography { __typename } } }' }, { ...asService, 'x-request-id': 'bio-fails' });
    await post({ query: '{ viewer { name } }' }, { authorization: `Bearer ${jwt.slice(0, -4)}abcd` });
    await post({ query: `{ user(name: "default") { ${'name '.repeat(2100)} } }` }, asService);
    await post({ query: '{ user(name: "bob") { name } }' }, asUser);

    // A subscription over graphql-ws and one over SSE, each to its end.
    const ws = createClient({ url: gw.url.replace('http', 'ws'), webSocketImpl: WebSocket, connectionParams: { apiKey: SERVICE_KEY }, retryAttempts: 0 });
    await new Promise<void>((resolve, reject) => {
      ws.subscribe(
        { query: 'subscription { ask(question: "Where do I study?", user: "default") { token answer { text } } }' },
        { next: (r) => contentStrings(r.data, personal), error: reject, complete: resolve },
      );
    });
    await ws.dispose();
    const sse = await fetch(gw.url, {
      method: 'POST',
      headers: { ...asUser, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { ask(question: "What did I upload?") { token } }' }),
    });
    statuses.push(sse.status);
    await sse.text();
    const limited = await post({ query: '{ viewer { name } }' }, asUser);
    expect(limited.status).toBe(429);
  });
  afterAll(() => gw.stop());

  it('writes a line per request with its id, caller, operation and status', () => {
    const line = gw.logLines().find((l) => l['reqId'] === 'full-alex');
    expect(line).toMatchObject({ caller: expect.stringMatching(/^service:/), operation: 'Full', type: 'query', status: 200 });
    const lines = gw.logLines().filter((l) => l['msg'] === 'request');
    expect(lines.length).toBe(statuses.length);
    expect(lines.some((l) => l['caller'] === 'user:default')).toBe(true);
    expect(gw.logLines().some((l) => l['msg'] === 'subscription ended' && l['transport'] === 'ws')).toBe(true);
  });

  it('names the request and caller on the line of the upstream failure it caused', () => {
    const failure = gw.logLines().find((l) => l['msg'] === 'upstream call failed' && l['endpoint'] === 'bio');
    expect(failure).toMatchObject({ reqId: 'bio-fails', caller: expect.stringMatching(/^service:/), service: 'memsync', status: 500 });
  });

  it('holds no upstream API key, service key, token, or profile, memory, file or answer text', () => {
    const logs = gw.logs();
    for (const secret of [SYNVO_KEY, MEMSYNC_KEY, SERVICE_KEY, ...tokens]) expect(logs).not.toContain(secret);
    expect(logs).not.toContain(MEMORY_TEXT);
    expect(logs).not.toContain(FILE_TEXT);
    expect(personal.size).toBeGreaterThan(10);
    for (const text of personal) expect(logs, text).not.toContain(text);
  });

  it('counts every request by status and every error by code, as the run made them', async () => {
    const text = (await gw.get('/metrics')).text;
    const byStatus = new Map<number, number>();
    for (const s of statuses) byStatus.set(s, (byStatus.get(s) ?? 0) + 1);
    for (const [status, count] of byStatus) {
      expect(sample(text, 'memgate_http_requests_total', { status: String(status) }), `status ${status}`).toBe(count);
    }
    expect(sample(text, 'memgate_graphql_errors_total', { code: 'UNAUTHENTICATED' })).toBe(1);
    expect(sample(text, 'memgate_graphql_errors_total', { code: 'TOKEN_LIMIT_EXCEEDED' })).toBe(1);
    expect(sample(text, 'memgate_graphql_errors_total', { code: 'FORBIDDEN' })).toBe(1);
    expect(sample(text, 'memgate_graphql_errors_total', { code: 'UPSTREAM_UNAVAILABLE' })).toBe(1);
    expect(sample(text, 'memgate_graphql_errors_total', { code: 'RATE_LIMITED' })).toBe(1);
    expect(sample(text, 'memgate_rate_limited_total', { kind: 'user' })).toBe(1);
    expect(sample(text, 'memgate_graphql_operations_total', { type: 'subscription' })).toBe(2);
    expect(sample(text, 'memgate_subscriptions_open')).toBe(0);
  });

  it('times every upstream call, one observation per call the emulators counted', async () => {
    const text = (await gw.get('/metrics')).text;
    const calls = (routes: Record<string, { total: number }>) => Object.values(routes).reduce((n, r) => n + r.total, 0);
    // The failing bio call was tried 3 times upstream and observed once, as UPSTREAM_UNAVAILABLE.
    expect(sample(text, 'memgate_upstream_request_duration_seconds_count', { service: 'memsync', outcome: 'UPSTREAM_UNAVAILABLE' })).toBe(1);
    expect(sample(text, 'memgate_upstream_request_duration_seconds_count', { service: 'memsync' })).toBe(calls(gw.memsync.controls.calls().routes) - 2);
    expect(sample(text, 'memgate_upstream_request_duration_seconds_count', { service: 'synvo' })).toBe(calls(gw.synvo.controls.calls().routes));
    expect(sample(text, 'memgate_upstream_request_duration_seconds_count', { service: 'synvo', endpoint: 'profile', outcome: 'ok' })).toBe(
      gw.synvo.controls.calls().routes['profile']!.total,
    );
    expect(text).toMatch(/memgate_upstream_breaker_state\{service="synvo"\} 0/);
  });

  it('answers /healthz and /readyz while both upstreams are up', async () => {
    expect((await gw.get('/healthz')).status).toBe(200);
    const ready = await gw.get('/readyz');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toEqual({ status: 'ready', checks: { synvo: 'ok', memsync: 'ok' } });
  });
});
