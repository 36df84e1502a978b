/** Synvo's file management: folders, moves, download links, thumbnails and web pages as sources. */
import type { ErrorBodyInfo } from '../errors.js';
import type { InputChecks } from '../input-checks.js';
import type { UpstreamTransport } from '../transport/index.js';
import type { SynvoClient, WebpageInput } from '../types.js';
import { FILE_NAME } from '../vocabulary.js';
import { readCreateDir, readDownload, readMove, readWebpage } from './schemas/files.js';
import { getThumbnail } from './thumbnail.js';

/** Synvo's own 404s of the file endpoints: an unknown file, folder or source. */
export const fileNotFound = (body: ErrorBodyInfo) => /\b(file|directory|source|thumbnail)\b.*\bnot (found|available)\b/i.test(body.message ?? '');
/** Synvo's own `max_size` bounds (the emulator's; the reference gives only the default). */
const THUMBNAIL_SIZES = { min: 16, max: 1024, default: 200 };

function checkWebpage(check: InputChecks, input: WebpageInput): URL {
  let url: URL | undefined;
  try {
    url = new URL(input?.url);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw check.reject('webpage', 'url must be an http or https URL');
  if (input.path !== undefined) check.path('webpage', 'path', input.path);
  if (input.name !== undefined && !FILE_NAME.test(input.name)) throw check.reject('webpage', `name ${FILE_NAME.message}`);
  return url;
}

type FileMethods = Pick<SynvoClient, 'createFolder' | 'moveFile' | 'getDownloadUrl' | 'getThumbnail' | 'addWebpage'>;

export function fileMethods(transport: UpstreamTransport, check: InputChecks): FileMethods {
  return {
    async createFolder(user, path, opts) {
      check.user('createDir', user);
      check.path('createDir', 'path', path);
      const form = new URLSearchParams({ path, sub_user_name: user });
      // A write: replayed only when it provably never reached Synvo.
      const req = { endpoint: 'createDir', method: 'POST', path: '/file/create_dir', form, retry: 'unsent', statusCodes: { 400: 'BAD_USER_INPUT' }, signal: opts?.signal } as const;
      return transport.requestJson(req, (res) => readCreateDir(res.body));
    },
    async moveFile(user, from, to, opts) {
      check.user('fileMove', user);
      check.path('fileMove', 'from', from);
      check.path('fileMove', 'to', to);
      const form = new URLSearchParams({ src: from, dest: to, sub_user_name: user });
      // A replayed move would find its source gone (404): only an unsent one is retried.
      const req = { endpoint: 'fileMove', method: 'POST', path: '/file/move', form, retry: 'unsent', ownNotFound: fileNotFound, statusCodes: { 400: 'BAD_USER_INPUT' }, signal: opts?.signal } as const;
      return transport.requestJson(req, (res) => readMove(res.body));
    },
    async getDownloadUrl(user, fileId, opts) {
      check.user('download', user);
      check.fileId('download', fileId);
      const query = { file_id: fileId, sub_user_name: user };
      const req = { endpoint: 'download', method: 'GET', path: '/file/download', query, retry: 'safe', ownNotFound: fileNotFound, signal: opts?.signal } as const;
      return transport.requestJson(req, (res) => readDownload(res.body));
    },
    async getThumbnail(user, fileId, maxSize = THUMBNAIL_SIZES.default, opts) {
      check.user('thumbnail', user);
      check.fileId('thumbnail', fileId);
      if (!Number.isInteger(maxSize) || maxSize < THUMBNAIL_SIZES.min || maxSize > THUMBNAIL_SIZES.max) {
        throw check.reject('thumbnail', `max size must be an integer from ${THUMBNAIL_SIZES.min} to ${THUMBNAIL_SIZES.max}`);
      }
      return getThumbnail(transport, { user, fileId, maxSize }, fileNotFound, opts);
    },
    async addWebpage(user, input, opts) {
      check.user('webpage', user);
      const url = checkWebpage(check, input);
      const form = new URLSearchParams({ url: url.toString(), sub_user_name: user });
      if (input.path !== undefined) form.append('path', input.path);
      if (input.name !== undefined) form.append('name', input.name);
      // Synvo fetches the page and stores a file: never replayed once sent. 422: it could not fetch
      // the URL; 400: it refused an argument. Both are the caller's input.
      const statusCodes = { 400: 'BAD_USER_INPUT', 422: 'BAD_USER_INPUT' } as const;
      const req = { endpoint: 'webpage', method: 'POST', path: '/webpage/add', form, retry: 'unsent', statusCodes, signal: opts?.signal } as const;
      return transport.requestJson(req, (res) => readWebpage(res.body));
    },
  };
}
