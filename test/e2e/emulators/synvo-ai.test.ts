import { createParser } from 'eventsource-parser';
import { FormData, request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../emulators/core/types.js';
import { startSynvoEmulator } from '../../../emulators/synvo/index.js';
import { apiKey, call, eventually, queryForm, readStream, uploadAndWait } from './synvo-client.js';

const ask = (base: string, question: string, fields: Record<string, string> = {}) =>
  call(base, 'POST', '/ai/query', { body: queryForm(question, fields) });
const answerText = (body: any): string => body.response.content[0].text;
const search = (base: string, fields: Record<string, string>) =>
  call(base, 'POST', '/ai/search', { body: new URLSearchParams(fields) });

/** Opens an answer stream and hands out its events one by one as they arrive. */
async function openStream(base: string, form: FormData, signal: AbortSignal) {
  const res = await request(`${base}/ai/query`, { method: 'POST', headers: { 'x-api-key': apiKey }, body: form, signal });
  const events: Array<Record<string, any>> = [];
  const comments: string[] = [];
  const parser = createParser({ onEvent: (e) => events.push(JSON.parse(e.data)), onComment: (c) => comments.push(c) });
  let ended = false;
  const pump = (async () => {
    try {
      for await (const chunk of res.body) parser.feed(chunk.toString());
    } catch {
      // aborted by the test
    } finally {
      ended = true;
    }
  })();
  return { status: res.statusCode, events, comments, ended: () => ended, pump };
}

describe('Synvo emulator: answers and search', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startSynvoEmulator({ processingDelayMs: 10, tokenDelayMs: 1 });
  });
  afterAll(() => emu.stop());
  beforeEach(() => emu.controls.reset());

  describe('POST /ai/query', () => {
    it("answers from the asking sub-user's files in the contract's shape", async () => {
      const res = await ask(emu.url, 'What is operating profit margin?');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        success: true,
        response: {
          role: 'assistant',
          content: [{ type: 'text', text: expect.stringContaining('Operating profit margin is operating profit divided by revenue') }],
          cuid: expect.stringMatching(/^msg_/),
          created_at: expect.stringMatching(/Z$/),
          searched_files: [{ file_id: 'f_default_operating_margin', file_name: 'operating-profit-margin-notes.txt', file_path: '/lectures/operating-profit-margin-notes.txt' }],
        },
        suid: expect.stringMatching(/^sess_/),
        summary: expect.any(String),
        timestamp: expect.stringMatching(/Z$/),
      });
    });

    it('gives the same text for the same question over the same files', async () => {
      const a = await ask(emu.url, 'How does backpropagation train a neural network?');
      const b = await ask(emu.url, 'How does backpropagation train a neural network?');
      expect(answerText(a.body)).toContain('Backpropagation');
      expect(answerText(b.body)).toBe(answerText(a.body));
    });

    it('answers with empty text for a sub-user without files', async () => {
      const res = await ask(emu.url, 'What is operating profit margin?', { sub_user_name: 'newcomer' });
      expect(res.status).toBe(200);
      expect(res.body.success).toBe(true);
      expect(answerText(res.body)).toBe('');
    });

    it('answers with empty text when nothing in the files is relevant', async () => {
      const res = await ask(emu.url, 'What is the capital of France?');
      expect(answerText(res.body)).toBe('');
    });

    it("answers only from the sub-user's own files", async () => {
      await uploadAndWait(emu.url, 'vault.txt', 'The vault combination is kept in the blue zebra notebook.', { sub_user_name: 'kim' });
      expect(answerText((await ask(emu.url, 'Where is the vault combination?', { sub_user_name: 'kim' })).body)).toContain('blue zebra');
      for (const other of ['default', 'alex', 'newcomer']) {
        expect(answerText((await ask(emu.url, 'Where is the vault combination?', { sub_user_name: other })).body)).not.toContain('zebra');
      }
    });

    it('limits the answer to the files named in the message', async () => {
      const form = new FormData();
      form.append('payload', JSON.stringify({
        messages: [{ role: 'user', content: [
          { type: 'text', text: 'operating profit and neural network' },
          { type: 'file', file_id: 'f_default_neural_networks', path: '/lectures/neural-networks-lecture-notes.md' },
        ] }],
      }));
      const res = await call(emu.url, 'POST', '/ai/query', { body: form });
      expect(answerText(res.body)).toMatch(/neural network/i);
      expect(answerText(res.body)).not.toMatch(/operating profit/i);
    });

    it("answers nothing from a file part naming another sub-user's file", async () => {
      const form = new FormData();
      form.append('payload', JSON.stringify({
        messages: [{ role: 'user', content: [
          { type: 'text', text: 'operating profit margin' },
          { type: 'file', file_id: 'f_default_operating_margin' },
        ] }],
      }));
      form.append('sub_user_name', 'alex');
      const res = await call(emu.url, 'POST', '/ai/query', { body: form });
      expect(res.status).toBe(200);
      expect(answerText(res.body)).toBe('');
      expect(answerText((await ask(emu.url, 'operating profit margin')).body)).toMatch(/operating profit margin/i);
    });

    it('accepts the trailing-slash path, model=synvo and final_answer', async () => {
      const res = await call(emu.url, 'POST', '/ai/query/', { body: queryForm('operating profit margin', { model: 'synvo', final_answer: 'true' }) });
      expect(res.status).toBe(200);
      expect(answerText(res.body)).toContain('Operating profit margin');
    });

    it.each([
      ['a missing payload', () => { const f = new FormData(); f.append('model', 'synvo'); return f; }],
      ['a payload that is not JSON', () => { const f = new FormData(); f.append('payload', '{"messages":'); return f; }],
      ['a payload without messages', () => { const f = new FormData(); f.append('payload', '{"question":"hi"}'); return f; }],
      ['a message with a bad content part', () => {
        const f = new FormData();
        f.append('payload', JSON.stringify({ messages: [{ role: 'user', content: [{ type: 'text' }] }] }));
        return f;
      }],
    ])('rejects %s with 400 INVALID_PAYLOAD', async (_name, makeForm) => {
      const res = await call(emu.url, 'POST', '/ai/query', { body: makeForm() });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: expect.any(String), code: 'INVALID_PAYLOAD' });
    });

    it('rejects a body that is not multipart with 400 INVALID_PAYLOAD', async () => {
      const res = await call(emu.url, 'POST', '/ai/query', { body: undefined, headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('INVALID_PAYLOAD');
    });

    it('rejects an unknown model with 400 MODEL_UNAVAILABLE', async () => {
      const res = await ask(emu.url, 'hello', { model: 'gpt-4' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: expect.any(String), code: 'MODEL_UNAVAILABLE' });
    });

    it.each([['streaming'], ['final_answer']])('rejects %s=maybe with 400', async (field) => {
      const res = await ask(emu.url, 'hello', { [field]: 'maybe' });
      expect(res.status).toBe(400);
      expect(res.body.error).toContain(field);
    });

    it('rejects messages over 32,000 characters with 400 CONTEXT_TOO_LONG', async () => {
      const res = await ask(emu.url, 'x'.repeat(32_001));
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: expect.any(String), code: 'CONTEXT_TOO_LONG' });
      expect((await ask(emu.url, 'y'.repeat(32_000))).status).toBe(200);
    });
  });

  describe('POST /ai/query with streaming=true', () => {
    it('streams tokens that join to the non-streaming text, then done with the same response', async () => {
      const question = 'What does the NTU annual report say about financial literacy?';
      const plain = await ask(emu.url, question);
      const streamed = await readStream(emu.url, queryForm(question, { streaming: 'true' }));
      expect(streamed.status).toBe(200);
      expect(streamed.contentType).toMatch(/^text\/event-stream/);
      const tokens = streamed.events.filter((e) => e.type === 'token');
      expect(tokens.length).toBeGreaterThan(3);
      expect(tokens.map((t) => t.content).join('')).toBe(answerText(plain.body));
      const done = streamed.events.at(-1)!;
      expect(done.type).toBe('done');
      expect(done.response).toEqual({ ...plain.body.response, cuid: expect.stringMatching(/^msg_/), created_at: expect.any(String) });
      expect(emu.controls.calls().openStreams).toBe(0);
    });

    it('streams only done, with empty text, for a sub-user without files', async () => {
      const streamed = await readStream(emu.url, queryForm('anything at all', { streaming: 'true', sub_user_name: 'newcomer' }));
      expect(streamed.events).toEqual([{ type: 'done', response: expect.objectContaining({ content: [{ type: 'text', text: '' }] }) }]);
    });

    it('still streams the whole answer under a slowStream fault', async () => {
      emu.controls.addFault({ route: 'query', kind: 'slowStream', tokenDelayMs: 2, times: 1 });
      const plain = await ask(emu.url, 'neural network layers');
      const streamed = await readStream(emu.url, queryForm('neural network layers', { streaming: 'true' }));
      expect(streamed.events.filter((e) => e.type === 'token').map((e) => e.content).join('')).toBe(answerText(plain.body));
      expect(streamed.events.at(-1)!.type).toBe('done');
    });

    it('closes the stream after N tokens without done under a cutStream fault', async () => {
      emu.controls.addFault({ route: 'query', kind: 'cutStream', afterTokens: 3, times: 1 });
      const streamed = await readStream(emu.url, queryForm('operating profit margin', { streaming: 'true' }));
      expect(streamed.events.map((e) => e.type)).toEqual(['token', 'token', 'token']);
      expect(emu.controls.calls().openStreams).toBe(0);
    });

    it('sends an error event after N tokens under a streamError fault', async () => {
      emu.controls.addFault({ route: 'query', kind: 'streamError', afterTokens: 2, body: { error: 'Model crashed', code: 'MODEL_ERROR' }, times: 1 });
      const streamed = await readStream(emu.url, queryForm('operating profit margin', { streaming: 'true' }));
      expect(streamed.events).toEqual([
        { type: 'token', content: expect.any(String) },
        { type: 'token', content: expect.any(String) },
        { type: 'error', error: 'Model crashed', code: 'MODEL_ERROR' },
      ]);
    });

    it('answers a wrapper fault on a streaming request with that status, not a stream', async () => {
      emu.controls.addFault({ route: 'query', kind: 'status', status: 503, body: { error: 'Busy', code: 'UNAVAILABLE' }, times: 1 });
      const streamed = await readStream(emu.url, queryForm('operating profit margin', { streaming: 'true' }));
      expect(streamed.status).toBe(503);
      expect(streamed.contentType).toMatch(/json/);
      expect(emu.controls.calls().openStreams).toBe(0);
    });

    it('counts an open stream and closes it as soon as the client aborts', async () => {
      emu.controls.addFault({ route: 'query', kind: 'slowStream', tokenDelayMs: 200, times: 1 });
      const abort = new AbortController();
      const stream = await openStream(emu.url, queryForm('operating profit margin', { streaming: 'true' }), abort.signal);
      await eventually(() => stream.events.length >= 1, 'first token');
      expect(emu.controls.calls().openStreams).toBe(1);
      abort.abort();
      await stream.pump;
      await eventually(() => emu.controls.calls().openStreams === 0, 'stream closed after abort');
      expect(stream.events.every((e) => e.type === 'token')).toBe(true);
    });
  });

  describe('POST /ai/search', () => {
    it("ranks the sub-user's files by relevance, best first, in the contract's shape", async () => {
      const res = await search(emu.url, { message: 'neural networks lecture' });
      expect(res.status).toBe(200);
      expect(res.body[0]).toEqual({
        file_id: 'f_default_neural_networks',
        file_path: '/lectures/neural-networks-lecture-notes.md',
        file_name: 'neural-networks-lecture-notes.md',
        file_type: 'text/markdown',
        created_at: '2025-11-16T15:31:00.890Z',
      });
      const profit = await search(emu.url, { message: 'operating profit revenue' });
      expect(profit.body[0].file_id).toBe('f_default_operating_margin');
    });

    it('finds files of types without text by their name', async () => {
      const { upload } = await uploadAndWait(emu.url, 'holiday-photo.png', 'not really a png', { sub_user_name: 'pat' });
      const res = await search(emu.url, { message: 'holiday', sub_user_name: 'pat' });
      expect(res.body.map((f: { file_id: string }) => f.file_id)).toEqual([upload.file_id]);
      expect(res.body[0].file_type).toBe('image/png');
    });

    it('returns [] for a sub-user without files and for an irrelevant message', async () => {
      expect((await search(emu.url, { message: 'neural networks', sub_user_name: 'newcomer' })).body).toEqual([]);
      expect((await search(emu.url, { message: 'submarine volcano' })).body).toEqual([]);
    });

    it("never returns another sub-user's files", async () => {
      await uploadAndWait(emu.url, 'neural-secret.txt', 'Private neural network experiments.', { sub_user_name: 'lee' });
      const lee = await search(emu.url, { message: 'neural network', sub_user_name: 'lee' });
      expect(lee.body.map((f: { file_name: string }) => f.file_name)).toEqual(['neural-secret.txt']);
      const mine = await search(emu.url, { message: 'neural network' });
      expect(mine.body.map((f: { file_name: string }) => f.file_name)).not.toContain('neural-secret.txt');
    });

    it('rejects a missing message with 400 INVALID_PAYLOAD', async () => {
      const res = await search(emu.url, { sub_user_name: 'default' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: expect.any(String), code: 'INVALID_PAYLOAD' });
    });
  });
});

describe('Synvo emulator: stream pacing', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startSynvoEmulator({ firstTokenDelayMs: 80, tokenDelayMs: 1, keepAliveMs: 10 });
  });
  afterAll(() => emu.stop());

  it('sends keep-alive comments while it waits for the first token', async () => {
    const streamed = await readStream(emu.url, queryForm('operating profit margin', { streaming: 'true' }));
    expect(streamed.comments.length).toBeGreaterThan(0);
    expect(streamed.events.at(-1)!.type).toBe('done');
  });

  it('goes silent after N tokens under a stall fault, and closes when the client goes', async () => {
    emu.controls.addFault({ route: 'query', kind: 'stall', afterTokens: 2, times: 1 });
    const abort = new AbortController();
    const stream = await openStream(emu.url, queryForm('operating profit margin', { streaming: 'true' }), abort.signal);
    await eventually(() => stream.events.length >= 2, 'two tokens');
    const comments = stream.comments.length;
    // A second answer (the fault was for one call) streams to its end meanwhile; the first stays silent.
    const other = await openStream(emu.url, queryForm('operating profit margin', { streaming: 'true' }), new AbortController().signal);
    await other.pump;
    expect(other.events.at(-1)!.type).toBe('done');
    expect(stream.events).toHaveLength(2);
    expect(stream.comments).toHaveLength(comments);
    expect(stream.ended()).toBe(false);
    expect(emu.controls.calls().openStreams).toBe(1);
    abort.abort();
    await stream.pump;
    await eventually(() => emu.controls.calls().openStreams === 0, 'stalled stream closed');
  });

  it('keeps counting an open stream through DELETE /calls, and ends it at a full reset', async () => {
    emu.controls.addFault({ route: 'query', kind: 'stall', afterTokens: 2, times: 1 });
    const abort = new AbortController();
    const stream = await openStream(emu.url, queryForm('operating profit margin', { streaming: 'true' }), abort.signal);
    await eventually(() => stream.events.length >= 2, 'two tokens');
    emu.controls.resetCalls();
    expect(emu.controls.calls()).toEqual({ routes: {}, openStreams: 1 });
    emu.controls.reset();
    expect(emu.controls.calls()).toEqual({ routes: {}, openStreams: 0 });
    await stream.pump;
    expect(stream.ended()).toBe(true);
    expect(stream.events.map((e) => e.type)).toEqual(['token', 'token']);
    expect(abort.signal.aborted).toBe(false);
  });
});
