/**
 * A multipart body streamed through busboy: each file part into a temporary file of the spool
 * directory (memory stays flat whatever the size), the other fields kept as text. Reading stops at
 * the first failure (a file past `maxFileSize`, too many parts, a malformed body), which is thrown
 * as a coded error naming what is wrong.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Busboy } from '@fastify/busboy';
import { GraphQLError } from 'graphql';
import { invalidMultipart } from './multipart-form.js';

/** An uploaded file as resolvers see it: the web `File` surface the upstream client needs. */
export interface SpooledUpload {
  readonly name: string;
  readonly type: string;
  readonly size: number;
  stream(): ReadableStream<Uint8Array>;
}

export interface SpoolLimits {
  maxFileSize: number;
  maxFiles: number;
  maxFieldSize: number;
}

export interface SpooledParts {
  fields: Map<string, string>;
  files: Map<string, SpooledUpload>;
}

type BusboyParser = ReturnType<typeof Busboy>;

function spooledUpload(path: string, name: string, type: string, size: number): SpooledUpload {
  return {
    name,
    type,
    size,
    stream: () => Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>,
  };
}

const malformed = (error: unknown) => invalidMultipart(`Malformed multipart request: ${error instanceof Error ? error.message : String(error)}`);

/** The first failure of a request: `failed` rejects with it; later ones are ignored. */
function failureLatch() {
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
  return { fail, failed, hasFailed: () => failure !== undefined };
}

type Latch = ReturnType<typeof failureLatch>;

function openBusboy(contentType: string, limits: SpoolLimits): BusboyParser {
  try {
    return Busboy({
      headers: { 'content-type': contentType },
      limits: { fileSize: limits.maxFileSize, files: limits.maxFiles, fieldSize: limits.maxFieldSize, fields: 16, parts: 16 + limits.maxFiles },
    });
  } catch {
    throw invalidMultipart('Malformed multipart request: the Content-Type must name a boundary (multipart/form-data; boundary=...)');
  }
}

/** Keeps the fields and spools the files as busboy parses them; every limit it hits is a failure. */
function collectParts(busboy: BusboyParser, dir: string, limits: SpoolLimits, fail: Latch['fail']) {
  const { maxFileSize, maxFiles, maxFieldSize } = limits;
  const mib = (maxFileSize / 1024 / 1024).toFixed(maxFileSize % 1_048_576 === 0 ? 0 : 1);
  const parts: SpooledParts = { fields: new Map(), files: new Map() };
  const writes: Promise<void>[] = [];
  busboy.on('field', (name, value, _nameTruncated, valueTruncated) => {
    if (valueTruncated) fail(invalidMultipart(`Multipart field "${name}" too large: at most ${maxFieldSize} bytes`, 413));
    else parts.fields.set(name, value);
  });
  busboy.on('file', (name, stream, filename, _encoding, mimeType) => {
    const path = join(dir, String(writes.length));
    stream.on('limit', () => fail(invalidMultipart(`File too large: the limit is ${mib} MiB (${maxFileSize} bytes)`, 413)));
    writes.push(
      pipeline(stream, createWriteStream(path)).then(
        () => {
          if (!stream.truncated) parts.files.set(name, spooledUpload(path, filename ?? '', mimeType ?? '', stream.bytesRead));
        },
        (error: unknown) => fail(malformed(error)),
      ),
    );
  });
  busboy.on('filesLimit', () => fail(invalidMultipart(`Too many files: at most ${maxFiles} per request`, 413)));
  busboy.on('fieldsLimit', () => fail(invalidMultipart('Too many multipart fields', 413)));
  busboy.on('partsLimit', () => fail(invalidMultipart('Too many multipart parts', 413)));
  busboy.on('error', (error: Error) => fail(malformed(error)));
  return { parts, writes };
}

/** Feeds the body to busboy, minding its backpressure, until the end or the first failure. */
async function feed(body: ReadableStream<Uint8Array>, busboy: BusboyParser, latch: Latch): Promise<void> {
  const reader = body.getReader();
  try {
    while (!latch.hasFailed()) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!busboy.write(value)) await Promise.race([once(busboy, 'drain'), latch.failed]);
    }
  } finally {
    // On a failure, stop reading: the rest of the body is not wanted.
    if (latch.hasFailed()) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
  if (!latch.hasFailed()) busboy.end();
}

/** Streams a multipart body into `dir`; the caller removes `dir` when this throws. */
export async function spoolMultipart(body: ReadableStream<Uint8Array>, contentType: string, dir: string, limits: SpoolLimits): Promise<SpooledParts> {
  const busboy = openBusboy(contentType, limits);
  const latch = failureLatch();
  const { parts, writes } = collectParts(busboy, dir, limits, latch.fail);
  const finished = once(busboy, 'finish');
  finished.catch(() => {});
  const fed = feed(body, busboy, latch);
  try {
    await Promise.race([fed.then(() => finished), latch.failed]);
    await Promise.race([Promise.all(writes), latch.failed]);
  } catch (error) {
    busboy.destroy();
    throw error instanceof GraphQLError ? error : malformed(error);
  }
  return parts;
}
