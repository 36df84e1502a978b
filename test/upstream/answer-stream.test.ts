import { describe, expect, it } from 'vitest';
import { ResponseShapeError } from '../../src/upstream/errors.js';
import { AnswerStreamDecoder, type AnswerFrame } from '../../src/upstream/synvo/answer-stream.js';

const encoder = new TextEncoder();

const done = { type: 'done', response: { role: 'assistant', content: [{ type: 'text', text: 'Le café naïve 🍵' }], cuid: 'msg_1', created_at: '2024-01-15T10:30:00Z' } };
const stream = [
  ': keep-alive\n\n',
  `data: ${JSON.stringify({ type: 'token', content: 'Le' })}\n\n`,
  `data: ${JSON.stringify({ type: 'token', content: ' café' })}\r\n\r\n`,
  ':another comment\r\n\r\n',
  `data: ${JSON.stringify({ type: 'token', content: ' naïve 🍵' })}\n\n`,
  `data: ${JSON.stringify(done)}\n\n`,
].join('');
const bytes = encoder.encode(stream);

/** Feeds `chunks` and collects every frame, with end() at the close. */
function decodeAll(chunks: Uint8Array[]): AnswerFrame[] {
  const decoder = new AnswerStreamDecoder();
  const frames: AnswerFrame[] = [];
  for (const chunk of chunks) frames.push(...decoder.push(chunk));
  frames.push(...decoder.end());
  return frames;
}

const expected: AnswerFrame[] = [
  { type: 'token', token: 'Le' },
  { type: 'token', token: ' café' },
  { type: 'token', token: ' naïve 🍵' },
  { type: 'done', data: done },
];

describe('AnswerStreamDecoder', () => {
  it('decodes a whole stream given in one chunk into tokens then done', () => {
    expect(decodeAll([bytes])).toEqual(expected);
  });

  it('gives the same frames however the bytes are split in two, even inside a UTF-8 character or a CRLF', () => {
    for (let at = 1; at < bytes.length; at++) {
      expect(decodeAll([bytes.subarray(0, at), bytes.subarray(at)])).toEqual(expected);
    }
  });

  it('gives the same frames when fed one byte at a time', () => {
    expect(decodeAll([...bytes].map((b) => Uint8Array.of(b)))).toEqual(expected);
  });

  it('gives the same frames when split into three at every pair of points of a short stream', () => {
    const short = encoder.encode(`: ka\r\ndata: {"type":"token","content":"é"}\r\n\r\ndata: {"type":"done","response":{}}\n\n`);
    const want = decodeAll([short]);
    for (let a = 1; a < short.length - 1; a++) {
      for (let b = a + 1; b < short.length; b++) {
        expect(decodeAll([short.subarray(0, a), short.subarray(a, b), short.subarray(b)])).toEqual(want);
      }
    }
  });

  it('yields no frame for keep-alive comments alone', () => {
    const decoder = new AnswerStreamDecoder();
    expect(decoder.push(encoder.encode(': keep-alive\n\n: keep-alive\r\n\r\n'))).toEqual([]);
  });

  it('returns a token only once its event is complete', () => {
    const decoder = new AnswerStreamDecoder();
    expect(decoder.push(encoder.encode('data: {"type":"token","content":"Hi"}\n'))).toEqual([]);
    expect(decoder.push(encoder.encode('\n'))).toEqual([{ type: 'token', token: 'Hi' }]);
  });

  it('turns an error event into an error frame with the upstream code', () => {
    const frames = decodeAll([encoder.encode('data: {"type":"error","error":"Context too long","code":"CONTEXT_TOO_LONG"}\n\n')]);
    expect(frames).toEqual([{ type: 'error', message: 'Context too long', code: 'CONTEXT_TOO_LONG' }]);
  });

  it('reads an SSE event named error whose data is plain text', () => {
    const frames = decodeAll([encoder.encode('event: error\ndata: model crashed\n\n')]);
    expect(frames).toEqual([{ type: 'error', message: 'model crashed' }]);
  });

  it('skips events of unknown types', () => {
    const frames = decodeAll([encoder.encode('data: {"type":"thinking","content":"..."}\n\ndata: {"type":"token","content":"a"}\n\n')]);
    expect(frames).toEqual([{ type: 'token', token: 'a' }]);
  });

  it('discards an event cut before its blank line when the body ends', () => {
    const frames = decodeAll([encoder.encode('data: {"type":"token","content":"a"}\n\ndata: {"type":"token","con')]);
    expect(frames).toEqual([{ type: 'token', token: 'a' }]);
  });

  it('refuses data that is not JSON, naming the event', () => {
    const decoder = new AnswerStreamDecoder();
    expect(() => decoder.push(encoder.encode('data: {"type":"token","content":"a"}\n\ndata: not json\n\n'))).toThrow(ResponseShapeError);
    expect(() => new AnswerStreamDecoder().push(encoder.encode('data: oops\n\n'))).toThrow('stream event 0: data is not valid JSON');
  });

  it('refuses a token whose content is not a string, naming the field', () => {
    expect(() => new AnswerStreamDecoder().push(encoder.encode('data: {"type":"token","content":3}\n\n'))).toThrow(
      'stream event 0.content: expected string, received number',
    );
  });

  it('joins multi-line data fields before parsing', () => {
    const frames = decodeAll([encoder.encode('data: {"type":"token",\ndata: "content":"x"}\n\n')]);
    expect(frames).toEqual([{ type: 'token', token: 'x' }]);
  });
});
