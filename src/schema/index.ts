/** Imports every type family (registering it on the builder) and builds the schema. */
import type { GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import './types/date-time.js';
import './types/enums.js';
import './types/user.js';
import './types/profile.js';
import './types/events.js';
import './types/biography.js';
import './types/memories.js';
import './types/files.js';
import './types/answer.js';
import './types/file-mutations.js';
import './types/memory-mutations.js';
import './types/biography-mutations.js';
import './types/memsync-connection.js';
import './types/memory-management.js';
import './types/live-updates.js';
import './types/answer-stream.js';
import './types/context.js';

let built: GraphQLSchema | undefined;

/** The executable schema (built once). */
export function toSchema(): GraphQLSchema {
  built ??= builder.toSchema();
  return built;
}

export const schema = toSchema();
