/** Imports every type family (registering it on the builder) and builds the schema. */
import type { GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import './types/user.js';

let built: GraphQLSchema | undefined;

/** The executable schema (built once). */
export function toSchema(): GraphQLSchema {
  built ??= builder.toSchema();
  return built;
}

export const schema = toSchema();
