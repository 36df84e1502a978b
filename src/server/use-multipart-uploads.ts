/**
 * GraphQL multipart requests (https://github.com/jaydenseric/graphql-multipart-request-spec),
 * streamed. yoga's own parser holds every file in memory, accepts any size and a request without
 * `map`; this one streams each file part through busboy into a temporary file (memory stays flat
 * whatever the size), stops reading as soon as a file passes `maxFileSize`, names what is wrong in
 * every error, and hands resolvers a File-like object whose `stream()` reads the spooled bytes, so
 * the upstream client streams them on. The temporary files go when the response is sent.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Busboy } from '@fastify/busboy';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export interface MultipartUploadsOptions {
  /** Largest file accepted, in bytes (Synvo's limit). @default 20971520 (20 MiB) */
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

/** An uploaded file as resolvers see it: the web `File` surface the upstream client needs. */
export interface SpooledUpload {
  readonly name: string;
  readonly type: string;
  readonly size: number;
  stream(): ReadableStream<Uint8Array>;
}

function invalid(message: string, status = 400): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', http: { status } } });
}

function setPath(target: unknown, path: string, value: unknown): boolean {
  const keys = path.split('.');
  let node = target as Record<string, unknown>;
  for (const [i, key] of keys.entries()) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype' || node === null || typeof node !== 'object') return false;
    if (i === keys.length - 1) {
      if (!(key in node)) return false;
      node[key] = value;
      return true;
    }
    node = node[key] as Record<string, unknown>;
  }
  return false;
}

const isMultipart = (request: Request) =>
  request.method === 'POST' && (request.headers.get('content-type') ?? '').toLowerCase().startsWith('multipart/form-data');

function spooledUpload(path: string, name: string, type: string, size: number): SpooledUpload {
  return {
    name,
    type,
    size,
    stream: () => Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>,
  };
}

/** Builds the operations object from the fields and files, by the spec's `map`. */
function assemble(fields: Map<string, string>, files: Map<string, SpooledUpload>): Record<string, unknown> {
  const operationsField = fields.get('operations');
  if (operationsField === undefined) {
    throw invalid('Multipart request without an "operations" field (GraphQL multipart request spec: operations, map, then the files)');
  }
  let operations: unknown;
  try {
    operations = JSON.parse(operationsField);
  } catch {
    throw invalid('Multipart field "operations" is not valid JSON');
  }
  if (operations === null || typeof operations !== 'object') throw invalid('Multipart field "operations" must be a JSON object or array');
  const mapField = fields.get('map');
  if (mapField === undefined) {
    throw invalid('Multipart request without a "map" field: it must say which variable each file part fills, e.g. {"0":["variables.file"]}');
  }
  let map: unknown;
  try {
    map = JSON.parse(mapField);
  } catch {
    throw invalid('Multipart field "map" is not valid JSON');
  }
  if (map === null || typeof map !== 'object' || Array.isArray(map)) {
    throw invalid('Multipart field "map" must be a JSON object of file part name to variable paths');
  }
  for (const [part, paths] of Object.entries(map as Record<string, unknown>)) {
    const file = files.get(part);
    if (!file) throw invalid(`Multipart "map" names the file part "${part}", which the request does not contain`);
    if (!Array.isArray(paths) || paths.length === 0) throw invalid(`Multipart "map" entry "${part}" must be a non-empty array of paths`);
    for (const path of paths) {
      if (typeof path !== 'string' || !setPath(operations, path, file)) {
        throw invalid(`Multipart "map" path ${JSON.stringify(path)} of part "${part}" does not lead to a variable in "operations"`);
      }
    }
  }
  return operations as Record<string, unknown>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- yoga's own context constraint
export function useMultipartUploads<TContext extends Record<string, any> = Record<string, unknown>>(
  options: MultipartUploadsOptions = {},
): Plugin<TContext> {
  const maxFileSize = options.maxFileSize ?? 20 * 1024 * 1024;
  const maxFiles = options.maxFiles ?? 1;
  const maxFieldSize = options.maxFieldSize ?? 1_048_576;
  const spoolRoot = options.spoolDirectory ?? tmpdir();
  const spoolTtl = options.spoolTtlMs ?? 600_000;
  const mib = (maxFileSize / 1024 / 1024).toFixed(maxFileSize % 1_048_576 === 0 ? 0 : 1);
  /** The spool directory of each request still running. */
  const spools = new WeakMap<Request, string>();

  const removeSpool = (dir: string) => void rm(dir, { recursive: true, force: true }).catch(() => {});

  async function parse(request: Request, original: Request): Promise<Record<string, unknown>> {
    const body = request.body;
    if (!body) throw invalid('Multipart request without a body');
    const dir = await mkdtemp(join(spoolRoot, 'memgate-upload-'));
    spools.set(original, dir);
    setTimeout(() => removeSpool(dir), spoolTtl).unref();

    const fields = new Map<string, string>();
    const files = new Map<string, SpooledUpload>();
    const writes: Promise<void>[] = [];
    let busboy: ReturnType<typeof Busboy>;
    try {
      busboy = Busboy({
        headers: { 'content-type': request.headers.get('content-type') ?? '' },
        limits: { fileSize: maxFileSize, files: maxFiles, fieldSize: maxFieldSize, fields: 16, parts: 16 + maxFiles },
      });
    } catch {
      removeSpool(dir);
      throw invalid('Malformed multipart request: the Content-Type must name a boundary (multipart/form-data; boundary=...)');
    }
    let failure: GraphQLError | undefined;
    let fail!: (error: GraphQLError) => void;
    const failed = new Promise<never>((_resolve, reject) => {
      fail = (error) => {
        if (failure) return;
        failure = error;
        reject(error);
      };
    });
    failed.catch(() => {});

    busboy.on('field', (name, value, _nameTruncated, valueTruncated) => {
      if (valueTruncated) fail(invalid(`Multipart field "${name}" too large: at most ${maxFieldSize} bytes`, 413));
      else fields.set(name, value);
    });
    busboy.on('file', (name, stream, filename, _encoding, mimeType) => {
      const path = join(dir, String(writes.length));
      stream.on('limit', () => fail(invalid(`File too large: the limit is ${mib} MiB (${maxFileSize} bytes)`, 413)));
      writes.push(
        pipeline(stream, createWriteStream(path)).then(
          () => {
            if (!stream.truncated) files.set(name, spooledUpload(path, filename ?? '', mimeType ?? '', stream.bytesRead));
          },
          (error: unknown) => fail(invalid(`Malformed multipart request: ${error instanceof Error ? error.message : String(error)}`)),
        ),
      );
    });
    busboy.on('filesLimit', () => fail(invalid(`Too many files: at most ${maxFiles} per request`, 413)));
    busboy.on('fieldsLimit', () => fail(invalid('Too many multipart fields', 413)));
    busboy.on('partsLimit', () => fail(invalid('Too many multipart parts', 413)));
    busboy.on('error', (error: Error) => fail(invalid(`Malformed multipart request: ${error.message}`)));
    const finished = once(busboy, 'finish');
    finished.catch(() => {});

    const feed = (async () => {
      const reader = body.getReader();
      try {
        while (!failure) {
          const { done, value } = await reader.read();
          if (done) break;
          if (!busboy.write(value)) await Promise.race([once(busboy, 'drain'), failed]);
        }
      } finally {
        // On a failure, stop reading: the rest of the body is not wanted.
        if (failure) await reader.cancel().catch(() => {});
        reader.releaseLock();
      }
      if (!failure) busboy.end();
    })();

    try {
      await Promise.race([feed.then(() => finished), failed]);
      await Promise.race([Promise.all(writes), failed]);
    } catch (error) {
      busboy.destroy();
      removeSpool(dir);
      if (error instanceof GraphQLError) throw error;
      throw invalid(`Malformed multipart request: ${error instanceof Error ? error.message : String(error)}`);
    }
    return assemble(fields, files);
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
