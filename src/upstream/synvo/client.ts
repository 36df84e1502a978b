/**
 * The Synvo client: one method per endpoint of Synvo as emulators/README.md describes it, on its own
 * transport (pool, bulkhead, breaker). The user name travels as `sub_user_name` (query or form
 * field), never in a path or a header; a file id goes in a path, encoded.
 */
import { File } from 'node:buffer';
import { FormData } from 'undici';
import type { ErrorBodyInfo } from '../errors.js';
import { inputChecks, type InputChecks } from '../input-checks.js';
import { createUpstreamTransport } from '../transport/index.js';
import type { AskInput, EventsQuery, SynvoClient, UploadInput, UpstreamClientConfig } from '../types.js';
import { FILE_ID, HISTORY, MESSAGE_ID, MESSAGE_ROLES, isValidFileId } from '../vocabulary.js';
import { answerForm, askStream } from './ask-stream.js';
import { fileMethods, fileNotFound } from './files.js';
import { readAnswer } from './schemas/answer.js';
import { readEvents } from './schemas/events.js';
import { readFileList, readFileStatus, readSearch, readUpload } from './schemas/files.js';
import { readProfile } from './schemas/profile.js';

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

/** The multipart form of an upload: a real File is sent as is; anything else File-like is streamed. */
function uploadForm(user: string, file: UploadInput, path: string): FormData {
  const form = new FormData();
  form.append('path', path);
  form.append('sub_user_name', user);
  form.append('file', file instanceof File ? file : new StreamedFile(file));
  return form;
}

/** Synvo's own 404 for a sub-user without data (`{"error":"User not found","detail":...}`): an empty answer. */
const userNotFound = (body: ErrorBodyInfo) => /\buser not found\b/i.test(body.message ?? '');

const asInput = (question: string | AskInput): AskInput => (typeof question === 'string' ? { question } : question);

/** Synvo's own checks besides the shared ones: a question with its history, an events window, an upload. */
function synvoChecks(check: InputChecks) {
  return {
    question(endpoint: string, input: AskInput) {
      check.text(endpoint, 'question', input?.question);
      const history = input.history ?? [];
      if (history.length > HISTORY.max) throw check.reject(endpoint, `history ${HISTORY.message}`);
      const roles: readonly string[] = MESSAGE_ROLES;
      history.forEach((turn, i) => {
        if (!turn || !roles.includes(turn.role) || typeof turn.content !== 'string') {
          throw check.reject(endpoint, `history[${i}] must have a role (${roles.join(', ')}) and a string content`);
        }
      });
      (input.fileIds ?? []).forEach((id, i) => {
        if (!isValidFileId(id)) throw check.reject(endpoint, `fileIds[${i}] ${FILE_ID.message}`);
      });
      if (input.parentId !== undefined && !MESSAGE_ID.pattern.test(input.parentId)) throw check.reject(endpoint, `parent id ${MESSAGE_ID.message}`);
    },
    eventsQuery(query: EventsQuery) {
      const limit = query.limit ?? 10;
      if (!Number.isInteger(limit) || limit < 1) throw check.reject('events', 'limit must be a positive integer');
      for (const [name, date] of [['since', query.since], ['until', query.until]] as const) {
        if (date !== undefined && Number.isNaN(date.getTime())) throw check.reject('events', `${name} must be a valid date`);
      }
      return limit;
    },
    upload(file: UploadInput) {
      if (!file || typeof file.stream !== 'function' || typeof file.name !== 'string' || !file.name) {
        throw check.reject('upload', 'file must be a named File or Blob');
      }
    },
  };
}

export function createSynvoClient(config: UpstreamClientConfig): SynvoClient {
  const transport = createUpstreamTransport('synvo', config.baseUrl, config.apiKey, config.options);
  const shared = inputChecks(transport);
  const check = { ...shared, ...synvoChecks(shared) };
  const { answerHeadersTimeoutMs } = transport.options;
  const noDataYet = { acceptStatuses: [404], ownNotFound: userNotFound } as const;
  return {
    service: 'synvo',
    async getProfile(user, opts) {
      check.user('profile', user);
      const req = { endpoint: 'profile', method: 'GET', path: '/metadata/get_user_profile/', query: { sub_user_name: user }, retry: 'safe', ...noDataYet, signal: opts?.signal } as const;
      return transport.requestJson(req, (res) => (res.status === 404 ? null : readProfile(res.body)));
    },
    async getEvents(user, query: EventsQuery = {}, opts) {
      check.user('events', user);
      const limit = check.eventsQuery(query);
      const params = { sub_user_name: user, limit, start_time: query.since?.toISOString(), end_time: query.until?.toISOString() };
      const req = { endpoint: 'events', method: 'GET', path: '/metadata/get_user_event/', query: params, retry: 'safe', ...noDataYet, signal: opts?.signal } as const;
      return transport.requestJson(req, (res) => (res.status === 404 ? [] : readEvents(res.body)));
    },
    async ask(user, question, opts) {
      const input = asInput(question);
      check.user('ask', user);
      check.question('ask', input);
      const multipart = answerForm(user, input, false);
      const req = { endpoint: 'ask', method: 'POST', path: '/ai/query', multipart, retry: 'unsent', headersTimeoutMs: answerHeadersTimeoutMs, signal: opts?.signal } as const;
      return transport.requestJson(req, (res) => readAnswer(res.body));
    },
    async *askStream(user, question, opts) {
      const input = asInput(question);
      check.user('askStream', user);
      check.question('askStream', input);
      yield* askStream(transport, user, input, opts);
    },
    async searchFiles(user, query, opts) {
      check.user('search', user);
      check.text('search', 'query', query);
      // A POST is replayed only when it provably never reached Synvo, even a read-only one.
      const form = new URLSearchParams({ message: query, sub_user_name: user });
      const req = { endpoint: 'search', method: 'POST', path: '/ai/search', form, retry: 'unsent', signal: opts?.signal } as const;
      return transport.requestJson(req, (res) => readSearch(res.body));
    },
    async uploadFile(user, file, path = '/', opts) {
      check.user('upload', user);
      check.upload(file);
      const statusCodes = { 400: 'BAD_USER_INPUT', 413: 'BAD_USER_INPUT', 415: 'BAD_USER_INPUT' } as const;
      // The body is a one-shot stream: never replayed.
      const req = { endpoint: 'upload', method: 'POST', path: '/file/upload', multipart: uploadForm(user, file, path), retry: 'never', statusCodes, signal: opts?.signal } as const;
      return transport.requestJson(req, (res) => readUpload(res.body));
    },
    async getFileStatus(user, fileId, opts) {
      check.user('fileStatus', user);
      check.fileId('fileStatus', fileId);
      const path = `/file/status/${encodeURIComponent(fileId)}`;
      const req = { endpoint: 'fileStatus', method: 'GET', path, query: { sub_user_name: user }, retry: 'safe', signal: opts?.signal } as const;
      return transport.requestJson(req, (res) => readFileStatus(res.body));
    },
    async listFiles(user, query = {}, opts) {
      check.user('fileList', user);
      const path = query.path ?? '/';
      check.path('fileList', 'path', path);
      // `/` of a user with no files yet is an empty listing; any other missing folder is NOT_FOUND.
      const acceptStatuses = path.replace(/\/+$/, '') === '' ? [404] : [];
      const params = { sub_user_name: user, path, recursive: query.recursive ?? true };
      const req = { endpoint: 'fileList', method: 'GET', path: '/file/list', query: params, retry: 'safe', acceptStatuses, ownNotFound: fileNotFound, signal: opts?.signal } as const;
      return transport.requestJson(req, (res) => (res.status === 404 ? [] : readFileList(res.body)));
    },
    ...fileMethods(transport, shared),
    async deleteFile(user, fileId, opts) {
      check.user('fileDelete', user);
      check.fileId('fileDelete', fileId);
      const path = `/file/delete/${encodeURIComponent(fileId)}`;
      // A replayed delete of a deleted file would answer 404: only an unsent one is retried.
      const req = { endpoint: 'fileDelete', method: 'DELETE', path, query: { sub_user_name: user }, retry: 'unsent', signal: opts?.signal } as const;
      await transport.requestJson(req, () => undefined);
    },
    close: () => transport.close(),
  };
}
