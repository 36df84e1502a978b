/**
 * GraphQL multipart requests (https://github.com/jaydenseric/graphql-multipart-request-spec) with
 * limits: yoga's own parser accepts files of any size and a request without `map`. This one stops
 * reading as soon as a file passes `maxFileSize` and names what is wrong in every error.
 */
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export interface MultipartUploadsOptions {
  /** Largest file accepted, in bytes (Synvo's limit). @default 20971520 (20 MiB) */
  maxFileSize?: number;
  /** Most files in one request. @default 1 */
  maxFiles?: number;
  /** Largest non-file field (`operations`, `map`), in bytes. @default 1048576 */
  maxFieldSize?: number;
}

type FormDataLimits = { fileSize: number; files: number; fieldSize: number; fields: number };

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

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- yoga's own context constraint
export function useMultipartUploads<TContext extends Record<string, any> = Record<string, unknown>>(options: MultipartUploadsOptions = {}): Plugin<TContext> {
  const maxFileSize = options.maxFileSize ?? 20 * 1024 * 1024;
  const limits: FormDataLimits = { fileSize: maxFileSize, files: options.maxFiles ?? 1, fieldSize: options.maxFieldSize ?? 1_048_576, fields: 16 };
  const mib = (maxFileSize / 1024 / 1024).toFixed(maxFileSize % 1_048_576 === 0 ? 0 : 1);

  const parse = async (request: Request) => {
    let form: FormData;
    try {
      // The whatwg-node Request yoga hands over applies busboy limits while it reads the body.
      form = await (request as unknown as { formData(opts: { formDataLimits: FormDataLimits }): Promise<FormData> }).formData({ formDataLimits: limits });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof GraphQLError) throw error;
      if (message.startsWith('File size limit exceeded')) throw invalid(`File too large: the limit is ${mib} MiB (${maxFileSize} bytes)`, 413);
      if (message.startsWith('Files limit exceeded')) throw invalid(`Too many files: at most ${limits.files} per request`, 413);
      if (message.startsWith('Field value size exceeded')) throw invalid(`Multipart field too large: at most ${limits.fieldSize} bytes`, 413);
      throw invalid(`Malformed multipart request: ${message}`);
    }
    const operationsField = form.get('operations');
    if (typeof operationsField !== 'string') {
      throw invalid('Multipart request without an "operations" field (GraphQL multipart request spec: operations, map, then the files)');
    }
    let operations: unknown;
    try {
      operations = JSON.parse(operationsField);
    } catch {
      throw invalid('Multipart field "operations" is not valid JSON');
    }
    if (operations === null || typeof operations !== 'object') throw invalid('Multipart field "operations" must be a JSON object or array');
    const mapField = form.get('map');
    if (typeof mapField !== 'string') {
      throw invalid('Multipart request without a "map" field: it must say which variable each file part fills, e.g. {"0":["variables.file"]}');
    }
    let map: unknown;
    try {
      map = JSON.parse(mapField);
    } catch {
      throw invalid('Multipart field "map" is not valid JSON');
    }
    if (map === null || typeof map !== 'object' || Array.isArray(map)) throw invalid('Multipart field "map" must be a JSON object of file part name to variable paths');
    for (const [part, paths] of Object.entries(map as Record<string, unknown>)) {
      const file = form.get(part);
      if (file === null || typeof file === 'string') throw invalid(`Multipart "map" names the file part "${part}", which the request does not contain`);
      if (!Array.isArray(paths) || paths.length === 0) throw invalid(`Multipart "map" entry "${part}" must be a non-empty array of paths`);
      for (const path of paths) {
        if (typeof path !== 'string' || !setPath(operations, path, file)) {
          throw invalid(`Multipart "map" path ${JSON.stringify(path)} of part "${part}" does not lead to a variable in "operations"`);
        }
      }
    }
    return operations as Record<string, unknown>;
  };

  return {
    onRequestParse({ request, setRequestParser }) {
      if (isMultipart(request)) setRequestParser(parse as never);
    },
  };
}
