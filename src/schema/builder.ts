/**
 * The one Pothos builder. No types here: each type family lives in its own file under ./types/
 * and is imported by ./index.ts. Fields are non-null unless they say otherwise; every field backed
 * by an upstream call says `nullable: true`, so a failing upstream nulls that field alone.
 *
 * Root types: `Query` is declared here. `Mutation` and `Subscription` are declared by the files
 * that add their first fields (`builder.mutationType(...)` / `builder.subscriptionType(...)`),
 * because an empty root type is not a valid schema.
 */
import SchemaBuilder from '@pothos/core';
import SimpleObjectsPlugin from '@pothos/plugin-simple-objects';
import type { GraphContext } from './context.js';

export interface BuilderTypes {
  Context: GraphContext;
  DefaultFieldNullability: false;
  Scalars: {
    /** ISO 8601 date-time in UTC. */
    DateTime: { Input: Date; Output: Date | string };
    /** The GraphQL multipart upload scalar (a web `File`). */
    File: { Input: File; Output: never };
  };
}

export const builder = new SchemaBuilder<BuilderTypes>({
  plugins: [SimpleObjectsPlugin],
  defaultFieldNullability: false,
});

builder.queryType({
  description: 'Everything memgate knows about users, from Synvo and MemSync, in one request.',
});
