/**
 * Who may name which user. A JWT caller sees only itself; a service key may name anyone. Every
 * field or argument that names a user goes through `authorizeUser` (queries) or
 * `resolveTargetUser` (mutations and subscriptions with an optional `user` argument).
 */
import { InputError, inputRules } from '../memory/index.js';
import type { GraphContext } from './context.js';
import { forbidden } from './errors.js';

/** Validates `name` (the user-name rule) and checks the caller may see that user; returns the name. */
export function authorizeUser(ctx: GraphContext, name: string, argument: string): string {
  inputRules.userName(argument, name);
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
  throw new InputError(argument, 'a service key must name the user this operation is for');
}

/** The signed-in user's name, for `viewer`. */
export function viewerName(ctx: GraphContext): string {
  if (ctx.caller.kind === 'user') return ctx.caller.name;
  throw forbidden('"viewer" is the user of a JWT; a service key has no user: ask for user(name: "...") instead');
}
