/** The user-name rule of api-design.md: 1 to 128 characters of `A-Z a-z 0-9 . _ @ -`. */
export const USER_NAME_PATTERN = /^[A-Za-z0-9._@-]{1,128}$/;

export function isValidUserName(name: string): boolean {
  return USER_NAME_PATTERN.test(name);
}
