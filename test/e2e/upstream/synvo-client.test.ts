import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../emulators/core/types.js';
import type { SynvoClient, SynvoEvent } from '../../../src/upstream/types.js';
import { Harness, count, rejection } from './harness.js';

const QUESTION = 'What does the NTU annual report say about financial literacy?';

describe('Synvo client against the Synvo emulator', () => {
  const h = new Harness();
  let emu: RunningEmulator;
  let synvo: SynvoClient;

  beforeAll(async () => {
    emu = await h.synvoEmulator();
    synvo = h.synvo(emu.url);
  });
  afterAll(() => h.dispose());
  beforeEach(() => emu.controls.reset());

  it('reads a profile as lower-cased attributes', async () => {
    const profile = await synvo.getProfile('default');
    expect(profile?.attributes).toContainEqual({ category: 'education', subtopic: 'school', values: ['Nanyang Technological University (NTU)'] });
    for (const a of profile?.attributes ?? []) expect(a.category + a.subtopic).toBe((a.category + a.subtopic).toLowerCase());
  });

  it('reads the profile of a user with no data as null', async () => {
    expect(await synvo.getProfile('newcomer')).toBeNull();
  });

  it('reads events in chronological order with UTC dates', async () => {
    const events = await synvo.getEvents('default', { limit: 5 });
    expect(events.length).toBeGreaterThan(0);
    expect(events.length).toBeLessThanOrEqual(5);
    for (const e of events) expect(e.mentionTime).toBeInstanceOf(Date);
    const times = events.map((e) => (e.happenTime ?? e.mentionTime).getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('reads only the events inside a since/until window', async () => {
    const time = (e: SynvoEvent) => (e.happenTime ?? e.mentionTime).getTime();
    const all = await synvo.getEvents('default', { limit: 1000 });
    const latest = Math.max(...all.map(time));
    const recent = await synvo.getEvents('default', { limit: 1000, since: new Date(latest) });
    const older = await synvo.getEvents('default', { limit: 1000, until: new Date(latest - 1) });
    expect(recent.length).toBeGreaterThan(0);
    expect(older.length).toBeGreaterThan(0);
    expect(recent.length + older.length).toBe(all.length);
    for (const e of recent) expect(time(e)).toBeGreaterThanOrEqual(latest);
    for (const e of older) expect(time(e)).toBeLessThan(latest);
  });

  it("fails with UPSTREAM_BAD_RESPONSE, not 'no data', when a wrong base path answers 404 without Synvo's User not found", async () => {
    const misrouted = h.synvo(`${emu.url}/v2`);
    for (const call of [() => misrouted.getProfile('newcomer'), () => misrouted.getEvents('newcomer'), () => misrouted.getProfile('default')]) {
      const error = await rejection(call());
      expect(error).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', status: 404, service: 'synvo' });
      expect(error.message).toContain('is the base URL right?');
    }
    // The emulator saw none of them as a call of its endpoints.
    expect(emu.controls.calls().routes).toEqual({});
  });

  it("reads a 404 as no data only when its body says User not found, in any of the contract's error shapes", async () => {
    emu.controls.addFault({ route: 'profile', kind: 'status', status: 404, body: { error: { code: 'NOT_FOUND', message: 'User not found' }, status: 'error' }, times: 1 });
    expect(await synvo.getProfile('default')).toBeNull();
    emu.controls.addFault({ route: 'events', kind: 'status', status: 404, body: { detail: 'Not Found' }, times: 1 });
    expect(await rejection(synvo.getEvents('default'))).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', status: 404, endpoint: 'events' });
  });

  it('reads the events of a user with no data as an empty list', async () => {
    expect(await synvo.getEvents('newcomer')).toEqual([]);
  });

  it('normalises the alternate profile shape to the same attributes', async () => {
    const standard = await synvo.getProfile('default');
    emu.controls.addFault({ route: 'profile', kind: 'shape', variant: 'alternate', times: 1 });
    const alternate = await synvo.getProfile('default');
    expect(alternate).toEqual(standard);
  });

  it('normalises the alternate events shape to the same events', async () => {
    const standard = await synvo.getEvents('default', { limit: 20 });
    emu.controls.addFault({ route: 'events', kind: 'shape', variant: 'alternate', times: 1 });
    const alternate = await synvo.getEvents('default', { limit: 20 });
    expect(alternate).toEqual(standard);
  });

  it('names the wrong field of an events body that does not fit', async () => {
    const good = { event_type: 'personal', content: 'x', happen_time: null, mention_time: '2025-11-16T15:29:18.344000' };
    emu.controls.addFault({ route: 'events', kind: 'status', status: 200, body: [good, good, { ...good, mention_time: 12 }] });
    const error = await rejection(synvo.getEvents('default'));
    expect(error).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', service: 'synvo', endpoint: 'events' });
    expect(error.message).toContain('events[2].mention_time: expected string');
    expect(count(emu, 'events')).toBe(1);
  });

  it('answers a question from the user files', async () => {
    const answer = await synvo.ask('default', QUESTION);
    expect(answer.text.length).toBeGreaterThan(0);
    expect(answer.messageId).not.toBe('');
    expect(answer.sessionId).not.toBe('');
    expect(answer.createdAt).toBeInstanceOf(Date);
  });

  it('streams the answer as tokens whose text is the final answer', async () => {
    const tokens: string[] = [];
    let done: string | undefined;
    for await (const event of synvo.askStream('default', QUESTION)) {
      if (event.type === 'token') tokens.push(event.token);
      else done = event.answer.text;
    }
    expect(tokens.length).toBeGreaterThan(1);
    expect(tokens.join('')).toBe(done);
    expect(emu.controls.calls().openStreams).toBe(0);
  });

  it('streams an upstream plain JSON answer as one token then done', async () => {
    const answer = { success: true, response: { role: 'assistant', content: [{ type: 'text', text: 'Whole answer' }], cuid: 'msg_1', created_at: '2024-01-15T10:30:00Z' }, suid: 'sess_1', summary: null, timestamp: '2024-01-15T10:30:00Z' };
    emu.controls.addFault({ route: 'query', kind: 'status', status: 200, body: answer, times: 1 });
    const events = [];
    for await (const event of synvo.askStream('default', QUESTION)) events.push(event);
    expect(events).toEqual([
      { type: 'token', token: 'Whole answer' },
      { type: 'done', answer: expect.objectContaining({ text: 'Whole answer', sessionId: 'sess_1', messageId: 'msg_1' }) },
    ]);
  });

  it('maps a question over the context limit to CONTEXT_TOO_LONG', async () => {
    const error = await rejection(synvo.ask('default', 'why '.repeat(9_000)));
    expect(error).toMatchObject({ code: 'CONTEXT_TOO_LONG', upstreamCode: 'CONTEXT_TOO_LONG', status: 400 });
    const streamed = await rejection(synvo.askStream('default', 'why '.repeat(9_000))[Symbol.asyncIterator]().next());
    expect(streamed).toMatchObject({ code: 'CONTEXT_TOO_LONG', endpoint: 'askStream', status: 400 });
  });

  it('searches files, best first', async () => {
    const hits = await synvo.searchFiles('default', 'annual report');
    expect(hits[0]).toMatchObject({ id: expect.any(String), name: expect.any(String), mimeType: expect.any(String) });
    expect(hits[0]?.createdAt).toBeInstanceOf(Date);
  });

  it('uploads a file, follows its status, lists it and deletes it', async () => {
    const uploaded = await synvo.uploadFile('newcomer', new File(['my notes about sailing'], 'notes.txt', { type: 'text/plain' }), '/docs');
    expect(uploaded).toMatchObject({ filename: 'notes.txt', renamed: false });
    const status = await synvo.getFileStatus('newcomer', uploaded.fileId);
    expect(['PENDING', 'COMPLETED']).toContain(status.status);
    const listed = await synvo.listFiles('newcomer', { path: '/', recursive: true });
    expect(listed.find((f) => f.fileId === uploaded.fileId)).toMatchObject({ name: 'notes.txt', isDir: false, size: 22 });
    await synvo.deleteFile('newcomer', uploaded.fileId);
    expect((await synvo.getFileStatus('newcomer', uploaded.fileId)).status).toBe('UNKNOWN');
  });

  it('streams an upload given as any File-like object, whole', async () => {
    const content = 'line\n'.repeat(50_000);
    const source = new Blob([content]);
    const uploaded = await synvo.uploadFile('newcomer', { name: 'big.txt', type: 'text/plain', size: source.size, stream: () => source.stream() });
    const listed = await synvo.listFiles('newcomer');
    expect(listed.find((f) => f.fileId === uploaded.fileId)?.size).toBe(content.length);
  });

  it('throws NOT_FOUND when deleting an unknown file', async () => {
    const error = await rejection(synvo.deleteFile('newcomer', 'f_does_not_exist'));
    expect(error).toMatchObject({ code: 'NOT_FOUND', status: 404, endpoint: 'fileDelete' });
  });

  it('sends the user name as a parameter, counted under that user', async () => {
    await synvo.getProfile('Ana.Maria_01@example-co');
    expect(emu.controls.calls().routes.profile?.byUser).toEqual({ 'Ana.Maria_01@example-co': 1 });
  });

  it('refuses a bad user name or file id with BAD_USER_INPUT before calling the upstream', async () => {
    for (const call of [
      () => synvo.getProfile('../default'),
      () => synvo.getEvents('a b'),
      () => synvo.ask('', QUESTION),
      () => synvo.getFileStatus('default', '../../metadata'),
      () => synvo.deleteFile('default', '..'),
    ]) {
      expect(await rejection(call())).toMatchObject({ code: 'BAD_USER_INPUT', service: 'synvo' });
    }
    const first = synvo.askStream('x/y', QUESTION)[Symbol.asyncIterator]().next();
    expect(await rejection(first)).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(Object.keys(emu.controls.calls().routes)).toEqual([]);
  });
});
