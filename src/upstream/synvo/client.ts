/**
 * The Synvo client: one method per endpoint of the contract (shared/upstream-api.md), on its own
 * transport (pool, bulkhead, breaker). The user name travels as `sub_user_name` (query or form
 * field), never in a path or a header.
 */
import { File } from 'node:buffer';
import { FormData } from 'undici';
import {
  HttpStatusFailure,
  InputRejected,
  ResponseShapeError,
  StreamErrorEvent,
  StreamIdleTimeout,
  readErrorBody,
  type ErrorBodyInfo,
  type UpstreamError,
} from '../errors.js';
import { createUpstreamTransport, type UpstreamRequest } from '../transport.js';
import type {
  AnswerStreamEvent,
  AskInput,
  CallOptions,
  DownloadLink,
  EventsQuery,
  FileStatusResult,
  MoveResult,
  SynvoAnswer,
  SynvoClient,
  SynvoEvent,
  SynvoFileEntry,
  SynvoFileHit,
  SynvoProfile,
  Thumbnail,
  UploadInput,
  UploadResult,
  UpstreamClientConfig,
  WebpageResult,
} from '../types.js';
import { FILE_ID, USER_NAME, isValidFileId, isValidUserName } from '../vocabulary.js';
import { AnswerStreamDecoder } from './answer-stream.js';
import {
  readAnswer,
  readCreateDir,
  readDownload,
  readEvents,
  readFileList,
  readFileStatus,
  readMove,
  readProfile,
  readSearch,
  readUpload,
  readWebpage,
} from './schemas.js';

/** The largest thumbnail the client reads; a bigger body is UPSTREAM_BAD_RESPONSE. */
export const MAX_THUMBNAIL_BYTES = 1024 * 1024;
/** Synvo's own `max_size` bounds (the emulator's; the reference gives only the default). */
const THUMBNAIL_SIZES = { min: 16, max: 1024, default: 200 };
/** Earlier turns one question may carry. */
export const MAX_HISTORY_TURNS = 50;

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
/** Synvo's own 404s of the file endpoints: an unknown file, folder or source. */
const fileNotFound = (body: ErrorBodyInfo) => /\b(file|directory|source|thumbnail)\b.*\bnot (found|available)\b/i.test(body.message ?? '');

const asInput = (question: string | AskInput): AskInput => (typeof question === 'string' ? { question } : question);

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
  const checkQuestion = (endpoint: string, input: AskInput) => {
    if (typeof input?.question !== 'string' || input.question.trim() === '') throw rejectInput(endpoint, 'question must not be empty');
    const history = input.history ?? [];
    if (history.length > MAX_HISTORY_TURNS) throw rejectInput(endpoint, `history may hold at most ${MAX_HISTORY_TURNS} messages`);
    history.forEach((turn, i) => {
      if (!turn || !['user', 'assistant', 'system'].includes(turn.role) || typeof turn.content !== 'string') {
        throw rejectInput(endpoint, `history[${i}] must have a role (user, assistant, system) and a string content`);
      }
    });
    for (const id of input.fileIds ?? []) if (!isValidFileId(id)) throw rejectInput(endpoint, 'file ids must be 1 to 256 characters of A-Z a-z 0-9 . _ ~ : -');
    if (input.parentId !== undefined && !isValidFileId(input.parentId)) throw rejectInput(endpoint, 'parent id must be 1 to 256 characters of A-Z a-z 0-9 . _ ~ : -');
  };
  const checkPath = (endpoint: string, name: string, path: string) => {
    if (typeof path !== 'string' || !path.startsWith('/') || path.length > 1024 || /[\u0000-\u001f]/.test(path) || path.split('/').includes('..')) {
      throw rejectInput(endpoint, `${name} must be an absolute path of at most 1024 characters, without ".."`);
    }
  };

  const answerForm = (user: string, input: AskInput, streaming: boolean) => {
    const form = new FormData();
    form.append('payload', questionPayload(input));
    form.append('sub_user_name', user);
    form.append('model', 'synvo');
    form.append('streaming', streaming ? 'true' : 'false');
    if (input.parentId) form.append('parent_cuid', input.parentId);
    if (input.forceSearch) form.append('force_search', 'true');
    return form;
  };

  async function* askStream(user: string, question: string | AskInput, opts?: CallOptions): AsyncGenerator<AnswerStreamEvent, void, undefined> {
    const input = asInput(question);
    checkUser('askStream', user);
    checkQuestion('askStream', input);
    const signal = opts?.signal;
    const idleMs = options.streamIdleTimeoutMs;
    const stream = await transport.openStream({
      endpoint: 'askStream',
      method: 'POST',
      path: '/ai/query',
      multipart: answerForm(user, input, true),
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
      const input = asInput(question);
      checkUser('ask', user);
      checkQuestion('ask', input);
      const req: UpstreamRequest = {
        endpoint: 'ask',
        method: 'POST',
        path: '/ai/query',
        multipart: answerForm(user, input, false),
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
      const path = query.path ?? '/';
      checkPath('fileList', 'path', path);
      const root = path.replace(/\/+$/, '') === '';
      const req: UpstreamRequest = {
        endpoint: 'fileList',
        method: 'GET',
        path: '/file/list',
        query: { sub_user_name: user, path, recursive: query.recursive ?? true },
        retry: 'safe',
        // `/` of a user with no files yet is an empty listing; any other missing folder is NOT_FOUND.
        acceptStatuses: root ? [404] : [],
        ownNotFound: fileNotFound,
        signal: opts?.signal,
      };
      return transport.requestJson(req, (res) => (res.status === 404 ? [] : readFileList(res.body)));
    },

    async createFolder(user, path, opts): Promise<{ message: string }> {
      checkUser('createDir', user);
      checkPath('createDir', 'path', path);
      return transport.requestJson(
        {
          endpoint: 'createDir',
          method: 'POST',
          path: '/file/create_dir',
          form: new URLSearchParams({ path, sub_user_name: user }),
          // A write: replayed only when it provably never reached Synvo.
          retry: 'unsent',
          statusCodes: { 400: 'BAD_USER_INPUT' },
          signal: opts?.signal,
        },
        (res) => readCreateDir(res.body),
      );
    },

    async moveFile(user, from, to, opts): Promise<MoveResult> {
      checkUser('fileMove', user);
      checkPath('fileMove', 'from', from);
      checkPath('fileMove', 'to', to);
      return transport.requestJson(
        {
          endpoint: 'fileMove',
          method: 'POST',
          path: '/file/move',
          form: new URLSearchParams({ src: from, dest: to, sub_user_name: user }),
          // A replayed move would find its source gone (404): only an unsent one is retried.
          retry: 'unsent',
          ownNotFound: fileNotFound,
          statusCodes: { 400: 'BAD_USER_INPUT' },
          signal: opts?.signal,
        },
        (res) => readMove(res.body),
      );
    },

    async getDownloadUrl(user, fileId, opts): Promise<DownloadLink> {
      checkUser('download', user);
      checkFileId('download', fileId);
      return transport.requestJson(
        {
          endpoint: 'download',
          method: 'GET',
          path: '/file/download',
          query: { file_id: fileId, sub_user_name: user },
          retry: 'safe',
          ownNotFound: fileNotFound,
          signal: opts?.signal,
        },
        (res) => readDownload(res.body),
      );
    },

    async getThumbnail(user, fileId, maxSize = THUMBNAIL_SIZES.default, opts): Promise<Thumbnail | null> {
      checkUser('thumbnail', user);
      checkFileId('thumbnail', fileId);
      if (!Number.isInteger(maxSize) || maxSize < THUMBNAIL_SIZES.min || maxSize > THUMBNAIL_SIZES.max) {
        throw rejectInput('thumbnail', `max size must be an integer from ${THUMBNAIL_SIZES.min} to ${THUMBNAIL_SIZES.max}`);
      }
      const signal = opts?.signal;
      // Image bytes, not JSON: read from the stream, bounded.
      const stream = await transport.openStream({
        endpoint: 'thumbnail',
        method: 'GET',
        path: '/file/thumbnail',
        query: { file_id: fileId, max_size: maxSize, sub_user_name: user },
        retry: 'safe',
        accept: 'image/png, image/jpeg, application/json',
        acceptStatuses: [404],
        signal,
      });
      let errorCode: UpstreamError['code'] | undefined;
      try {
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of stream.body) {
          size += (chunk as Buffer).length;
          if (size > MAX_THUMBNAIL_BYTES) throw new ResponseShapeError(`body: a thumbnail larger than ${MAX_THUMBNAIL_BYTES} bytes`);
          chunks.push(chunk as Buffer);
        }
        const bytes = Buffer.concat(chunks);
        if (stream.status === 404) {
          let body: unknown;
          try {
            body = JSON.parse(bytes.toString('utf8'));
          } catch {
            body = bytes.toString('utf8').slice(0, 200);
          }
          // Synvo's own 404 (no such file, or a type without thumbnails) is "no thumbnail"; any other is a wrong URL.
          if (!fileNotFound(readErrorBody(body))) throw new HttpStatusFailure(404, {}, body, true);
          return null;
        }
        const mimeType = stream.contentType.split(';')[0]!.trim().toLowerCase();
        if (!/^image\/(png|jpeg|gif|webp)$/.test(mimeType)) {
          throw new ResponseShapeError(`content-type: expected an image, received ${JSON.stringify(stream.contentType || 'none')}`);
        }
        if (bytes.length === 0) throw new ResponseShapeError('body: an empty thumbnail');
        return { mimeType, bytes: new Uint8Array(bytes) };
      } catch (error) {
        const coerced = transport.coerce(error, 'thumbnail', signal);
        errorCode = coerced.code;
        throw coerced;
      } finally {
        if (!stream.body.destroyed) stream.body.destroy();
        stream.release();
        transport.report({
          endpoint: 'thumbnail',
          method: 'GET',
          durationMs: performance.now() - stream.startedAt,
          status: stream.status,
          attempts: stream.attempts,
          ...(errorCode ? { errorCode } : {}),
        });
      }
    },

    async addWebpage(user, input, opts): Promise<WebpageResult> {
      checkUser('webpage', user);
      let url: URL | undefined;
      try {
        url = new URL(input?.url);
      } catch {
        url = undefined;
      }
      if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw rejectInput('webpage', 'url must be an http or https URL');
      if (input.path !== undefined) checkPath('webpage', 'path', input.path);
      if (input.name !== undefined && (typeof input.name !== 'string' || !input.name.trim() || input.name.length > 255 || /[\\/\u0000-\u001f]/.test(input.name))) {
        throw rejectInput('webpage', 'name must be 1 to 255 characters, without slashes');
      }
      const form = new URLSearchParams({ url: url.toString(), sub_user_name: user });
      if (input.path !== undefined) form.append('path', input.path);
      if (input.name !== undefined) form.append('name', input.name);
      return transport.requestJson(
        {
          endpoint: 'webpage',
          method: 'POST',
          path: '/webpage/add',
          form,
          // Synvo fetches the page and stores a file: never replayed once sent.
          retry: 'unsent',
          // 422: Synvo could not fetch the URL; 400: it refused an argument. Both are the caller's input.
          statusCodes: { 400: 'BAD_USER_INPUT', 422: 'BAD_USER_INPUT' },
          signal: opts?.signal,
        },
        (res) => readWebpage(res.body),
      );
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
