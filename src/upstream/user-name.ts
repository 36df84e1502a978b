/**
 * Input rules checked before anything is sent upstream. A user name travels only as a parameter
 * (query string or body field), never in a path or a header; a file id goes in a path, encoded.
 */

/** api-design.md: a user name is 1 to 128 characters of `A-Z a-z 0-9 . _ @ -`. */
export const USER_NAME_PATTERN = /^[A-Za-z0-9._@-]{1,128}$/;

/** True when `name` is a valid memgate user name (api-design.md). */
export function isValidUserName(name: unknown): name is string {
  return typeof name === 'string' && USER_NAME_PATTERN.test(name);
}

/** Upstream file ids: 1 to 256 URL-safe characters, and not a dot segment (`.`, `..`). */
export const FILE_ID_PATTERN = /^[A-Za-z0-9._~:-]{1,256}$/;

/** True when `id` can safely be used as a file id in an upstream path. */
export function isValidFileId(id: unknown): id is string {
  return typeof id === 'string' && FILE_ID_PATTERN.test(id) && !/^\.+$/.test(id);
}
