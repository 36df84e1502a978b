/**
 * GraphQL multipart requests (https://github.com/jaydenseric/graphql-multipart-request-spec),
 * streamed. yoga's own parser holds every file in memory, accepts any size and a request without
 * `map`; this one streams each file part through busboy into a temporary file (memory stays flat
 * whatever the size), stops reading as soon as a file passes `maxFileSize`, names what is wrong in
 * every error, and hands resolvers a File-like object whose `stream()` reads the spooled bytes, so
 * the upstream client streams them on. The temporary files go when the response is sent.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Plugin } from 'graphql-yoga';
import { DEFAULT_MAX_UPLOAD_BYTES } from '../memory/input-rules.js';
import { assembleOperations, invalidMultipart } from './multipart-form.js';
import { spoolMultipart, type SpooledParts } from './multipart-spool.js';

export interface MultipartUploadsOptions {
  /** Largest file accepted, in bytes (the config's `maxUploadBytes`). @default DEFAULT_MAX_UPLOAD_BYTES (100 MiB) */
  maxFileSize?: number;
  /** Most files in one request. @default 1 */
  maxFiles?: number;
  /** Largest non-file field (`operations`, `map`), in bytes. @default 1048576 */
  maxFieldSize?: number;
  /** Where files are spooled while a request runs. @default os.tmpdir() */
  spoolDirectory?: string;
  /** Spooled files left behind by a request that never completed are removed after this long. @default 600000 */
  spoolTtlMs?: number;
}

const isMultipart = (request: Request) =>
  request.method === 'POST' && (request.headers.get('content-type') ?? '').toLowerCase().startsWith('multipart/form-data');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- yoga's own context constraint
export function useMultipartUploads<TContext extends Record<string, any> = Record<string, unknown>>(
  options: MultipartUploadsOptions = {},
): Plugin<TContext> {
  const maxFileSize = options.maxFileSize ?? DEFAULT_MAX_UPLOAD_BYTES;
  const maxFiles = options.maxFiles ?? 1;
  const maxFieldSize = options.maxFieldSize ?? 1_048_576;
  const spoolRoot = options.spoolDirectory ?? tmpdir();
  const spoolTtl = options.spoolTtlMs ?? 600_000;
  /** The spool directory of each request still running. */
  const spools = new WeakMap<Request, string>();

  const removeSpool = (dir: string) => void rm(dir, { recursive: true, force: true }).catch(() => {});

  async function parse(request: Request, original: Request): Promise<Record<string, unknown>> {
    const body = request.body;
    if (!body) throw invalidMultipart('Multipart request without a body');
    const dir = await mkdtemp(join(spoolRoot, 'memgate-upload-'));
    spools.set(original, dir);
    setTimeout(() => removeSpool(dir), spoolTtl).unref();
    let parts: SpooledParts;
    try {
      parts = await spoolMultipart(body, request.headers.get('content-type') ?? '', dir, { maxFileSize, maxFiles, maxFieldSize });
    } catch (error) {
      removeSpool(dir);
      throw error;
    }
    return assembleOperations(parts.fields, parts.files);
  }

  return {
    onRequestParse({ request, setRequestParser }) {
      if (isMultipart(request)) setRequestParser((req) => parse(req, request) as never);
    },
    onResponse({ request }) {
      const dir = spools.get(request);
      if (dir) {
        spools.delete(request);
        removeSpool(dir);
      }
    },
  };
}
