/**
 * The GraphQL multipart request spec's own part (https://github.com/jaydenseric/graphql-multipart-request-spec):
 * the `operations` and `map` fields, and the files put where `map` says. Every error names what is
 * wrong.
 */
import { GraphQLError } from 'graphql';

/** A multipart request the gateway refuses: BAD_USER_INPUT, with the HTTP status to answer. */
export function invalidMultipart(message: string, status = 400): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', http: { status } } });
}

/** Puts `value` at a dotted path of `target` that already exists; false when there is none. */
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

/** Builds the operations object from the fields and files, by the spec's `map`. */
export function assembleOperations(fields: ReadonlyMap<string, string>, files: ReadonlyMap<string, unknown>): Record<string, unknown> {
  const operationsField = fields.get('operations');
  if (operationsField === undefined) {
    throw invalidMultipart('Multipart request without an "operations" field (GraphQL multipart request spec: operations, map, then the files)');
  }
  let operations: unknown;
  try {
    operations = JSON.parse(operationsField);
  } catch {
    throw invalidMultipart('Multipart field "operations" is not valid JSON');
  }
  if (operations === null || typeof operations !== 'object') throw invalidMultipart('Multipart field "operations" must be a JSON object or array');
  const mapField = fields.get('map');
  if (mapField === undefined) {
    throw invalidMultipart('Multipart request without a "map" field: it must say which variable each file part fills, e.g. {"0":["variables.file"]}');
  }
  let map: unknown;
  try {
    map = JSON.parse(mapField);
  } catch {
    throw invalidMultipart('Multipart field "map" is not valid JSON');
  }
  if (map === null || typeof map !== 'object' || Array.isArray(map)) {
    throw invalidMultipart('Multipart field "map" must be a JSON object of file part name to variable paths');
  }
  for (const [part, paths] of Object.entries(map as Record<string, unknown>)) {
    const file = files.get(part);
    if (!file) throw invalidMultipart(`Multipart "map" names the file part "${part}", which the request does not contain`);
    if (!Array.isArray(paths) || paths.length === 0) throw invalidMultipart(`Multipart "map" entry "${part}" must be a non-empty array of paths`);
    for (const path of paths) {
      if (typeof path !== 'string' || !setPath(operations, path, file)) {
        throw invalidMultipart(`Multipart "map" path ${JSON.stringify(path)} of part "${part}" does not lead to a variable in "operations"`);
      }
    }
  }
  return operations as Record<string, unknown>;
}
