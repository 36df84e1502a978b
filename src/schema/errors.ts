/**
 * The one GraphQL error the schema raises itself: `FORBIDDEN`, a caller concern. Bad input is the
 * domain's `InputError` (src/memory/input-rules.ts) and upstream failures are UpstreamErrors; both
 * become GraphQL errors in one place, `src/server/upstream-errors.ts`.
 */
import { GraphQLError } from 'graphql';

/** `FORBIDDEN`: the caller is known but may not see this. */
export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
}
