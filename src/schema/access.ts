/**
 * Who may name which user. A JWT caller sees only itself; a service key may name anyone. Every
 * field or argument that names a user goes through `authorizeUser` (queries) or
 * `resolveTargetUser` (mutations and subscriptions with an optional `user` argument).
 */
import type { GraphContext } from './context.js';
import { badUserInput, forbidden } from './errors.js';
import { isValidUserName } from './user-name.js';

/** Throws `BAD_USER_INPUT` naming `argument` when `name` breaks the user-name rule. */
export function assertUserName(name: string, argument: string): void {
  if (!isValidUserName(name)) {
    throw badUserInput(argument, 'a user name is 1 to 128 characters of A-Z a-z 0-9 . _ @ -');
  }
}

/** Validates `name` and checks the caller may see that user; returns the name. */
export function authorizeUser(ctx: GraphContext, name: string, argument: string): string {
  assertUserName(name, argument);
  if (ctx.caller.kind === 'user' && ctx.caller.name !== name) {
    throw forbidden(`A signed-in user may only see their own data; "${argument}" names another user`);
  }
  return name;
}

/**
 * The user an operation with an optional `user` argument acts for: the JWT caller by default
 * (naming another user is FORBIDDEN); a service key must name one.
 */
export function resolveTargetUser(ctx: GraphContext, user: string | null | undefined, argument = 'user'): string {
  if (user !== null && user !== undefined) return authorizeUser(ctx, user, argument);
  if (ctx.caller.kind === 'user') return ctx.caller.name;
  throw badUserInput(argument, 'a service key must name the user this operation is for');
}

/** The signed-in user's name, for `viewer`. */
export function viewerName(ctx: GraphContext): string {
  if (ctx.caller.kind === 'user') return ctx.caller.name;
  throw forbidden('"viewer" is the user of a JWT; a service key has no user: ask for user(name: "...") instead');
}
