/**
 * `askStream`: Synvo's `/ai/query` with `streaming=true`, as tokens then one `done`. The stream is
 * idle when no frame (token, done, error) arrives for `streamIdleTimeoutMs`; keep-alive comments do
 * not count (they are usually sent by a timer independent of the generation: they prove the socket
 * alive, not the answer progressing). Leaving the loop early closes the upstream connection.
 */
import { FormData } from 'undici';
import { ResponseShapeError, StreamErrorEvent, StreamIdleTimeout, type UpstreamError } from '../errors.js';
import type { OpenStream, UpstreamTransport } from '../transport/index.js';
import type { AnswerStreamEvent, AskInput, CallOptions, SynvoAnswer } from '../types.js';
import { AnswerStreamDecoder } from './answer-stream.js';
import { readAnswer } from './schemas/answer.js';

/** The `payload` of `/ai/query`: earlier turns as earlier messages, then the question with its file parts. */
function questionPayload(input: AskInput): string {
  const text = (t: string) => ({ type: 'text', text: t });
  return JSON.stringify({
    messages: [
      ...(input.history ?? []).map((turn) => ({ role: turn.role, content: [text(turn.content)] })),
      { role: 'user', content: [text(input.question), ...(input.fileIds ?? []).map((id) => ({ type: 'file', file_id: id }))] },
    ],
  });
}

/** The multipart form of `/ai/query` for one question. */
export function answerForm(user: string, input: AskInput, streaming: boolean): FormData {
  const form = new FormData();
  form.append('payload', questionPayload(input));
  form.append('sub_user_name', user);
  form.append('model', 'synvo');
  form.append('streaming', streaming ? 'true' : 'false');
  if (input.parentId) form.append('parent_cuid', input.parentId);
  if (input.forceSearch) form.append('force_search', 'true');
  return form;
}

type Body = OpenStream['body'];

/** An upstream without streaming answers with the whole JSON answer: one token, then done. */
async function* wholeAnswer(body: Body): AsyncGenerator<AnswerStreamEvent, void, undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  let json: unknown;
  try {
    json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new ResponseShapeError('body: not valid JSON');
  }
  const answer = readAnswer(json);
  if (answer.text) yield { type: 'token', token: answer.text };
  yield { type: 'done', answer };
}

/** The next chunk of `iterator`, or a StreamIdleTimeout once `waitMs` pass without one. */
async function nextWithin(iterator: AsyncIterator<Buffer>, waitMs: number, idleMs: number): Promise<IteratorResult<Buffer>> {
  let timer: NodeJS.Timeout | undefined;
  const next = iterator.next();
  const idle = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StreamIdleTimeout(`answer stream idle for ${idleMs} ms`)), waitMs);
  });
  try {
    return await Promise.race([next, idle]);
  } catch (error) {
    next.catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** The SSE answer: a token per frame, then the `done` answer (its text the tokens joined when empty). */
async function* eventStream(body: Body, idleMs: number): AsyncGenerator<AnswerStreamEvent, void, undefined> {
  const decoder = new AnswerStreamDecoder();
  const iterator = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const tokens: string[] = [];
  let deadline = performance.now() + idleMs;
  for (;;) {
    const step = await nextWithin(iterator, Math.max(0, deadline - performance.now()), idleMs);
    const frames = step.done ? decoder.end() : decoder.push(step.value);
    if (frames.length > 0) deadline = performance.now() + idleMs;
    for (const frame of frames) {
      if (frame.type === 'token') {
        tokens.push(frame.token);
        yield { type: 'token', token: frame.token };
      } else if (frame.type === 'error') {
        throw new StreamErrorEvent(frame.message, frame.code);
      } else {
        const answer: SynvoAnswer = readAnswer(frame.data, 'done');
        yield { type: 'done', answer: answer.text ? answer : { ...answer, text: tokens.join('') } };
        return;
      }
    }
    if (step.done) throw new ResponseShapeError('stream: ended before its done event');
  }
}

/** Tokens as they come, then exactly one `done`; every failure is thrown as an UpstreamError. */
export async function* askStream(
  transport: UpstreamTransport,
  user: string,
  input: AskInput,
  opts?: CallOptions,
): AsyncGenerator<AnswerStreamEvent, void, undefined> {
  const signal = opts?.signal;
  const idleMs = transport.options.streamIdleTimeoutMs;
  const stream = await transport.openStream({
    endpoint: 'askStream',
    method: 'POST',
    path: '/ai/query',
    multipart: answerForm(user, input, true),
    retry: 'unsent',
    accept: 'text/event-stream, application/json',
    headersTimeoutMs: transport.options.answerHeadersTimeoutMs,
    // Our idle timer is the stream's real limit; undici's only backs it up.
    bodyTimeoutMs: idleMs + 1_000,
    signal,
  });
  let errorCode: UpstreamError['code'] | undefined;
  try {
    if (/application\/json/i.test(stream.contentType)) yield* wholeAnswer(stream.body);
    else if (/text\/event-stream/i.test(stream.contentType)) yield* eventStream(stream.body, idleMs);
    else throw new ResponseShapeError(`content-type: expected text/event-stream, received ${JSON.stringify(stream.contentType || 'none')}`);
  } catch (error) {
    const coerced = transport.coerce(error, 'askStream', signal);
    errorCode = coerced.code;
    throw coerced;
  } finally {
    // Closes the upstream connection at once when the consumer leaves early or anything failed.
    transport.finishStream(stream, { endpoint: 'askStream', method: 'POST' }, errorCode);
  }
}
