/**
 * The GraphQL errors the schema raises itself (api-design.md codes). Upstream failures are not
 * turned into GraphQL errors here: they travel as UpstreamErrors and are mapped in one place,
 * `src/server/upstream-errors.ts`.
 */
import { GraphQLError } from 'graphql';

/** `BAD_USER_INPUT`, naming the argument (`extensions.argument`). */
export function badUserInput(argument: string, message: string): GraphQLError {
  return new GraphQLError(`Invalid argument "${argument}": ${message}`, {
    extensions: { code: 'BAD_USER_INPUT', argument },
  });
}

/** `FORBIDDEN`: the caller is known but may not see this. */
export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
}
