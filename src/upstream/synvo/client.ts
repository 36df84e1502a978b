/**
 * The Synvo client: one method per endpoint of the contract (shared/upstream-api.md), on its own
 * transport (pool, bulkhead, breaker). The user name travels as `sub_user_name` (query or form
 * field), never in a path or a header.
 */
import { File } from 'node:buffer';
import { FormData } from 'undici';
import { InputRejected, ResponseShapeError, StreamErrorEvent, StreamIdleTimeout, type ErrorBodyInfo, type UpstreamError } from '../errors.js';
import { createUpstreamTransport, type UpstreamRequest } from '../transport.js';
import type {
  AnswerStreamEvent,
  CallOptions,
  EventsQuery,
  FileStatusResult,
  SynvoAnswer,
  SynvoClient,
  SynvoEvent,
  SynvoFileEntry,
  SynvoFileHit,
  SynvoProfile,
  UploadInput,
  UploadResult,
  UpstreamClientConfig,
} from '../types.js';
import { FILE_ID, USER_NAME, isValidFileId, isValidUserName } from '../vocabulary.js';
import { AnswerStreamDecoder } from './answer-stream.js';
import { readAnswer, readEvents, readFileList, readFileStatus, readProfile, readSearch, readUpload } from './schemas.js';

/**
 * A `File` whose bytes come from the caller's stream: undici's FormData keeps a real `File` as
 * is and streams it with `stream()`, so the upload is never buffered whole here.
 */
class StreamedFile extends File {
  readonly #source: UploadInput;
  constructor(source: UploadInput) {
    super([], source.name, { type: source.type });
    this.#source = source;
    Object.defineProperty(this, 'size', { value: source.size, enumerable: true });
  }
  override stream(): ReturnType<File['stream']> {
    return this.#source.stream() as unknown as ReturnType<File['stream']>;
  }
}

/** Synvo's own 404 for a sub-user without data: `{"error":"User not found","detail":...}`. */
const userNotFound = (body: ErrorBodyInfo) => /\buser not found\b/i.test(body.message ?? '');

function questionPayload(question: string): string {
  return JSON.stringify({ messages: [{ role: 'user', content: [{ type: 'text', text: question }] }] });
}

export function createSynvoClient(config: UpstreamClientConfig): SynvoClient {
  const transport = createUpstreamTransport('synvo', config.baseUrl, config.apiKey, config.options);
  const { options } = transport;

  const rejectInput = (endpoint: string, message: string): UpstreamError => transport.coerce(new InputRejected(message), endpoint);
  const checkUser = (endpoint: string, user: string) => {
    if (!isValidUserName(user)) throw rejectInput(endpoint, USER_NAME.message);
  };
  const checkFileId = (endpoint: string, fileId: string) => {
    if (!isValidFileId(fileId)) throw rejectInput(endpoint, `file id ${FILE_ID.message}`);
  };
  const checkQuestion = (endpoint: string, question: string) => {
    if (typeof question !== 'string' || question.trim() === '') throw rejectInput(endpoint, 'question must not be empty');
  };

  const answerForm = (user: string, question: string, streaming: boolean) => {
    const form = new FormData();
    form.append('payload', questionPayload(question));
    form.append('sub_user_name', user);
    form.append('model', 'synvo');
    form.append('streaming', streaming ? 'true' : 'false');
    return form;
  };

  async function* askStream(user: string, question: string, opts?: CallOptions): AsyncGenerator<AnswerStreamEvent, void, undefined> {
    checkUser('askStream', user);
    checkQuestion('askStream', question);
    const signal = opts?.signal;
    const idleMs = options.streamIdleTimeoutMs;
    const stream = await transport.openStream({
      endpoint: 'askStream',
      method: 'POST',
      path: '/ai/query',
      multipart: answerForm(user, question, true),
      retry: 'unsent',
      accept: 'text/event-stream, application/json',
      headersTimeoutMs: options.answerHeadersTimeoutMs,
      // Our idle timer (below) is the stream's real limit; undici's only backs it up.
      bodyTimeoutMs: idleMs + 1_000,
      signal,
    });
    const { body } = stream;
    let errorCode: UpstreamError['code'] | undefined;
    let idleTimer: NodeJS.Timeout | undefined;
    try {
      if (/application\/json/i.test(stream.contentType)) {
        // An upstream without streaming answers with the whole JSON answer: one token, then done.
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
        return;
      }
      if (!/text\/event-stream/i.test(stream.contentType)) {
        throw new ResponseShapeError(`content-type: expected text/event-stream, received ${JSON.stringify(stream.contentType || 'none')}`);
      }

      const decoder = new AnswerStreamDecoder();
      const iterator = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      const tokens: string[] = [];
      // Idle = no frame (token, done, error) for idleMs. Keep-alive comments do NOT count: they are
      // usually sent by a timer independent of the generation, so they prove the socket alive,
      // not the answer progressing.
      let deadline = performance.now() + idleMs;
      for (;;) {
        const wait = Math.max(0, deadline - performance.now());
        const next = iterator.next();
        const idle = new Promise<never>((_, reject) => {
          idleTimer = setTimeout(() => reject(new StreamIdleTimeout(`answer stream idle for ${idleMs} ms`)), wait);
        });
        let step: IteratorResult<Buffer>;
        try {
          step = await Promise.race([next, idle]);
        } catch (error) {
          next.catch(() => undefined);
          throw error;
        } finally {
          clearTimeout(idleTimer);
        }
        const frames = step.done ? decoder.end() : decoder.push(step.value);
        if (frames.length > 0) deadline = performance.now() + idleMs;
        for (const frame of frames) {
          if (frame.type === 'token') {
            tokens.push(frame.token);
            yield { type: 'token', token: frame.token };
          } else if (frame.type === 'error') {
            throw new StreamErrorEvent(frame.message, frame.code);
          } else {
            const answer = readAnswer(frame.data, 'done');
            yield { type: 'done', answer: answer.text ? answer : { ...answer, text: tokens.join('') } };
            return;
          }
        }
        if (step.done) throw new ResponseShapeError('stream: ended before its done event');
      }
    } catch (error) {
      const coerced = transport.coerce(error, 'askStream', signal);
      errorCode = coerced.code;
      throw coerced;
    } finally {
      clearTimeout(idleTimer);
      // Closes the upstream connection at once when the consumer leaves early or anything failed.
      if (!body.destroyed) body.destroy();
      stream.release();
      transport.report({
        endpoint: 'askStream',
        method: 'POST',
        durationMs: performance.now() - stream.startedAt,
        status: stream.status,
        attempts: stream.attempts,
        ...(errorCode ? { errorCode } : {}),
      });
    }
  }

  return {
    service: 'synvo',

    async getProfile(user, opts): Promise<SynvoProfile | null> {
      checkUser('profile', user);
      const req: UpstreamRequest = {
        endpoint: 'profile',
        method: 'GET',
        path: '/metadata/get_user_profile/',
        query: { sub_user_name: user },
        retry: 'safe',
        acceptStatuses: [404],
        ownNotFound: userNotFound,
        signal: opts?.signal,
      };
      return transport.requestJson(req, (res) => (res.status === 404 ? null : readProfile(res.body)));
    },

    async getEvents(user, query: EventsQuery = {}, opts): Promise<SynvoEvent[]> {
      checkUser('events', user);
      const limit = query.limit ?? 10;
      if (!Number.isInteger(limit) || limit < 1) throw rejectInput('events', 'limit must be a positive integer');
      for (const [name, date] of [['since', query.since], ['until', query.until]] as const) {
        if (date !== undefined && Number.isNaN(date.getTime())) throw rejectInput('events', `${name} must be a valid date`);
      }
      const req: UpstreamRequest = {
        endpoint: 'events',
        method: 'GET',
        path: '/metadata/get_user_event/',
        query: { sub_user_name: user, limit, start_time: query.since?.toISOString(), end_time: query.until?.toISOString() },
        retry: 'safe',
        acceptStatuses: [404],
        ownNotFound: userNotFound,
        signal: opts?.signal,
      };
      return transport.requestJson(req, (res) => (res.status === 404 ? [] : readEvents(res.body)));
    },

    async ask(user, question, opts): Promise<SynvoAnswer> {
      checkUser('ask', user);
      checkQuestion('ask', question);
      const req: UpstreamRequest = {
        endpoint: 'ask',
        method: 'POST',
        path: '/ai/query',
        multipart: answerForm(user, question, false),
        retry: 'unsent',
        headersTimeoutMs: options.answerHeadersTimeoutMs,
        signal: opts?.signal,
      };
      return transport.requestJson(req, (res) => readAnswer(res.body));
    },

    askStream,

    async searchFiles(user, query, opts): Promise<SynvoFileHit[]> {
      checkUser('search', user);
      if (typeof query !== 'string' || query.trim() === '') throw rejectInput('search', 'query must not be empty');
      // A POST is replayed only when it provably never reached Synvo (issue 4's rule), even a read-only one.
      const req: UpstreamRequest = {
        endpoint: 'search',
        method: 'POST',
        path: '/ai/search',
        form: new URLSearchParams({ message: query, sub_user_name: user }),
        retry: 'unsent',
        signal: opts?.signal,
      };
      return transport.requestJson(req, (res) => readSearch(res.body));
    },

    async uploadFile(user, file, path = '/', opts): Promise<UploadResult> {
      checkUser('upload', user);
      if (!file || typeof file.stream !== 'function' || typeof file.name !== 'string' || !file.name) {
        throw rejectInput('upload', 'file must be a named File or Blob');
      }
      const form = new FormData();
      form.append('path', path);
      form.append('sub_user_name', user);
      // A real File is sent as is; anything else File-like is streamed through a StreamedFile.
      form.append('file', file instanceof File ? file : new StreamedFile(file));
      const req: UpstreamRequest = {
        endpoint: 'upload',
        method: 'POST',
        path: '/file/upload',
        multipart: form,
        // The body is a one-shot stream: never replayed.
        retry: 'never',
        statusCodes: { 400: 'BAD_USER_INPUT', 413: 'BAD_USER_INPUT', 415: 'BAD_USER_INPUT' },
        signal: opts?.signal,
      };
      return transport.requestJson(req, (res) => readUpload(res.body));
    },

    async getFileStatus(user, fileId, opts): Promise<FileStatusResult> {
      checkUser('fileStatus', user);
      checkFileId('fileStatus', fileId);
      const req: UpstreamRequest = {
        endpoint: 'fileStatus',
        method: 'GET',
        path: `/file/status/${encodeURIComponent(fileId)}`,
        query: { sub_user_name: user },
        retry: 'safe',
        signal: opts?.signal,
      };
      return transport.requestJson(req, (res) => readFileStatus(res.body));
    },

    async listFiles(user, query = {}, opts): Promise<SynvoFileEntry[]> {
      checkUser('fileList', user);
      const req: UpstreamRequest = {
        endpoint: 'fileList',
        method: 'GET',
        path: '/file/list',
        query: { sub_user_name: user, path: query.path ?? '/', recursive: query.recursive ?? true },
        retry: 'safe',
        signal: opts?.signal,
      };
      return transport.requestJson(req, (res) => readFileList(res.body));
    },

    async deleteFile(user, fileId, opts): Promise<void> {
      checkUser('fileDelete', user);
      checkFileId('fileDelete', fileId);
      await transport.requestJson({
        endpoint: 'fileDelete',
        method: 'DELETE',
        path: `/file/delete/${encodeURIComponent(fileId)}`,
        query: { sub_user_name: user },
        // A replayed delete of a deleted file would answer 404: only an unsent one is retried.
        retry: 'unsent',
        signal: opts?.signal,
      }, () => undefined);
    },

    close: () => transport.close(),
  };
}
