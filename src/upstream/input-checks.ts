/**
 * The checks a client makes before anything is sent upstream, on the shared vocabulary: a failure
 * is an UpstreamError BAD_USER_INPUT of that client's service and endpoint.
 */
import { InputRejected, type UpstreamError } from './errors.js';
import type { UpstreamTransport } from './transport/index.js';
import { ABSOLUTE_PATH, FILE_ID, USER_NAME, isValidFileId, isValidUserName } from './vocabulary.js';

export interface InputChecks {
  reject(endpoint: string, message: string): UpstreamError;
  user(endpoint: string, user: string): void;
  fileId(endpoint: string, fileId: string): void;
  /** A string argument that must not be blank, named `name` in the message. */
  text(endpoint: string, name: string, value: string): void;
  /** An absolute path in the user's tree: at most 1024 characters, no `..`, no control characters. */
  path(endpoint: string, name: string, path: string): void;
  /** One of `allowed`, when given. */
  oneOf(endpoint: string, name: string, value: string | undefined, allowed: readonly string[]): void;
}

export function inputChecks(transport: Pick<UpstreamTransport, 'coerce'>): InputChecks {
  const reject = (endpoint: string, message: string): UpstreamError => transport.coerce(new InputRejected(message), endpoint);
  return {
    reject,
    user(endpoint, user) {
      if (!isValidUserName(user)) throw reject(endpoint, USER_NAME.message);
    },
    fileId(endpoint, fileId) {
      if (!isValidFileId(fileId)) throw reject(endpoint, `file id ${FILE_ID.message}`);
    },
    text(endpoint, name, value) {
      if (typeof value !== 'string' || value.trim() === '') throw reject(endpoint, `${name} must not be empty`);
    },
    path(endpoint, name, path) {
      if (!ABSOLUTE_PATH.test(path)) throw reject(endpoint, `${name} ${ABSOLUTE_PATH.message}`);
    },
    oneOf(endpoint, name, value, allowed) {
      if (value !== undefined && !allowed.includes(value)) throw reject(endpoint, `${name} must be one of ${allowed.join(', ')}`);
    },
  };
}
