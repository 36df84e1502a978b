/** `Subscription.ask` over graphql-ws: tokens, the final answer, ends on errors, aborts on leave. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ASK_SUBSCRIPTION, eventually, SERVICE_KEY, startHarness, type AskChunk, type Harness } from './harness.js';

const QUESTION = 'What is a neural network?';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ upstream: { streamIdleTimeoutMs: 1000 } });
});
afterAll(async () => {
  await h?.stop();
});
beforeEach(() => {
  h.synvo.controls.reset();
});

async function wholeAnswer(user: string, question: string): Promise<string> {
  const result = await h.post(
    { query: 'query($name: String!, $q: String!) { user(name: $name) { ask(question: $q) { text } } }', variables: { name: user, q: question } },
    { 'x-api-key': SERVICE_KEY },
  );
  expect(result.errors).toBeUndefined();
  return (result.data as { user: { ask: { text: string } } }).user.ask.text;
}

async function collect(iterator: AsyncIterable<{ data?: unknown; errors?: readonly unknown[] }>) {
  const chunks: AskChunk[] = [];
  const errors: unknown[] = [];
  for await (const result of iterator) {
    if (result.errors) errors.push(...result.errors);
    const data = result.data as { ask: AskChunk } | null | undefined;
    if (data?.ask) chunks.push(data.ask);
  }
  return { chunks, errors };
}

describe('Subscription.ask over graphql-ws', () => {
  it('streams tokens that join into the non-streaming answer, and ends with the whole answer', async () => {
    const expected = await wholeAnswer('default', QUESTION);
    expect(expected.length).toBeGreaterThan(0);
    const client = h.wsClient({ authorization: `Bearer ${await h.token('default')}` });

    const { chunks, errors } = await collect(client.iterate({ query: ASK_SUBSCRIPTION, variables: { question: QUESTION } }));

    expect(errors).toEqual([]);
    expect(chunks.length).toBeGreaterThan(2);
    const last = chunks.at(-1)!;
    expect(chunks.slice(0, -1).every((c) => c.answer === null)).toBe(true);
    expect(last.token).toBe('');
    expect(chunks.map((c) => c.token).join('')).toBe(expected);
    expect(last.answer?.text).toBe(expected);
    expect(last.answer?.messageId).toMatch(/\S/);
  });

  it('lets a service key stream the answers of the user it names', async () => {
    const expected = await wholeAnswer('alex', 'Where does the user work?');
    const client = h.wsClient({ apiKey: SERVICE_KEY });

    const { chunks, errors } = await collect(
      client.iterate({ query: ASK_SUBSCRIPTION, variables: { question: 'Where does the user work?', user: 'alex' } }),
    );

    expect(errors).toEqual([]);
    expect(chunks.at(-1)?.answer?.text).toBe(expected);
    expect(h.synvo.controls.calls().routes['query']?.byUser).toEqual({ alex: 2 });
  });

  it("refuses a JWT caller's subscription to another user's answers with FORBIDDEN", async () => {
    const client = h.wsClient({ authorization: `Bearer ${await h.token('default')}` });

    const { chunks, errors } = await collect(client.iterate({ query: ASK_SUBSCRIPTION, variables: { question: QUESTION, user: 'alex' } }));

    expect(chunks).toEqual([]);
    expect(errors).toMatchObject([{ extensions: { code: 'FORBIDDEN' } }]);
    expect(h.synvo.controls.calls().routes['query']).toBeUndefined();
  });

  it('requires a service key to name the user it streams for', async () => {
    const client = h.wsClient({ apiKey: SERVICE_KEY });

    const { errors } = await collect(client.iterate({ query: ASK_SUBSCRIPTION, variables: { question: QUESTION } }));

    expect(errors).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT', argument: 'user' } }]);
  });

  it('ends with a typed upstream error and completes when Synvo sends an error event mid-stream', async () => {
    h.synvo.controls.addFault({ route: 'query', kind: 'streamError', afterTokens: 2, body: { error: 'Model crashed', code: 'MODEL_ERROR' } });
    const client = h.wsClient({ authorization: `Bearer ${await h.token('default')}` });

    const { chunks, errors } = await collect(client.iterate({ query: ASK_SUBSCRIPTION, variables: { question: QUESTION } }));

    expect(chunks.map((c) => c.answer)).toEqual([null, null]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ extensions: { service: 'synvo' } });
    expect((errors[0] as { extensions: { code: string } }).extensions.code).toMatch(/^UPSTREAM_/);
    expect(JSON.stringify(errors)).not.toContain('synvo-dev-key');
  });

  it('ends with UPSTREAM_UNAVAILABLE or UPSTREAM_BAD_RESPONSE when Synvo cuts the stream before done', async () => {
    h.synvo.controls.addFault({ route: 'query', kind: 'cutStream', afterTokens: 3 });
    const client = h.wsClient({ authorization: `Bearer ${await h.token('default')}` });

    const { chunks, errors } = await collect(client.iterate({ query: ASK_SUBSCRIPTION, variables: { question: QUESTION } }));

    expect(chunks).toHaveLength(3);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ extensions: { service: 'synvo' } });
    expect(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_BAD_RESPONSE']).toContain((errors[0] as { extensions: { code: string } }).extensions.code);
  });

  it('ends with UPSTREAM_TIMEOUT when Synvo stalls past the idle timeout, and closes the upstream stream', async () => {
    h.synvo.controls.addFault({ route: 'query', kind: 'stall', afterTokens: 2 });
    const client = h.wsClient({ authorization: `Bearer ${await h.token('default')}` });

    const { chunks, errors } = await collect(client.iterate({ query: ASK_SUBSCRIPTION, variables: { question: QUESTION } }));

    expect(chunks).toHaveLength(2);
    expect(errors).toMatchObject([{ extensions: { code: 'UPSTREAM_TIMEOUT', service: 'synvo' } }]);
    await eventually(() => h.synvo.controls.calls().openStreams === 0);
  });

  it('aborts the upstream stream as soon as the client unsubscribes', async () => {
    h.synvo.controls.addFault({ route: 'query', kind: 'slowStream', tokenDelayMs: 60_000 });
    const client = h.wsClient({ authorization: `Bearer ${await h.token('default')}` });
    const iterator = client.iterate({ query: ASK_SUBSCRIPTION, variables: { question: QUESTION } });

    const first = await iterator.next();
    expect((first.value?.data as { ask: AskChunk }).ask.token).not.toBe('');
    expect(h.synvo.controls.calls().openStreams).toBe(1);
    await iterator.return?.();

    await eventually(() => h.synvo.controls.calls().openStreams === 0);
  });

  it('aborts the upstream stream as soon as the client disconnects', async () => {
    h.synvo.controls.addFault({ route: 'query', kind: 'slowStream', tokenDelayMs: 60_000 });
    const socket = await h.rawSocket();
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${await h.token('default')}` } }));
    await new Promise((resolve) => socket.once('message', resolve));
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: ASK_SUBSCRIPTION, variables: { question: QUESTION } } }));
    await new Promise((resolve) => socket.once('message', resolve));
    expect(h.synvo.controls.calls().openStreams).toBe(1);

    socket.terminate();

    await eventually(() => h.synvo.controls.calls().openStreams === 0);
  });

  it('never mixes tokens between 50 concurrent streams of different users', async () => {
    const users = Array.from({ length: 50 }, (_, i) => `reader-${i}`);
    const question = 'Which fruit and which city?';
    const fruits = ['apples', 'bananas', 'cherries', 'dates', 'figs', 'grapes', 'kiwis', 'lemons', 'mangoes', 'oranges'];
    const synvoHeaders = { 'x-api-key': 'synvo-dev-key' };
    const fileIds = await Promise.all(
      users.map(async (user, i) => {
        const form = new FormData();
        form.set('sub_user_name', user);
        const text = `${user} eats ${fruits[i % 10]} every morning.\n${user} lives in city number ${i} near the river.\n`;
        form.set('file', new File([text], `${user}.txt`, { type: 'text/plain' }));
        const res = await fetch(`${h.synvo.url}/file/upload`, { method: 'POST', headers: synvoHeaders, body: form });
        expect(res.status).toBe(200);
        return ((await res.json()) as { file_id: string }).file_id;
      }),
    );
    await eventually(async () => {
      const statuses = await Promise.all(
        users.map(async (user, i) => {
          const res = await fetch(`${h.synvo.url}/file/status/${fileIds[i]}?sub_user_name=${user}`, { headers: synvoHeaders });
          return ((await res.json()) as { status: string }).status;
        }),
      );
      return statuses.every((s) => s === 'COMPLETED');
    }, 'every upload COMPLETED', { intervalMs: 20 });
    const answers = await Promise.all(users.map((user) => wholeAnswer(user, question)));
    const expected = new Map(users.map((user, i) => [user, answers[i]!]));
    users.forEach((user, i) => expect(expected.get(user)).toContain(`city number ${i} `));
    const client = h.wsClient({ apiKey: SERVICE_KEY });

    const streams = await Promise.all(
      users.map((user) => collect(client.iterate({ query: ASK_SUBSCRIPTION, variables: { question, user } }))),
    );

    users.forEach((user, i) => {
      const { chunks, errors } = streams[i]!;
      expect(errors).toEqual([]);
      expect(chunks.map((c) => c.token).join('')).toBe(expected.get(user));
      expect(chunks.at(-1)?.answer?.text).toBe(expected.get(user));
    });
  });
});
