/**
 * The one Pothos builder. No types here: each type family lives in its own file under ./types/
 * and is imported by ./index.ts. Fields are non-null unless they say otherwise; every field backed
 * by an upstream call says `nullable: true`, so a failing upstream nulls that field alone.
 *
 * Root types: `Query` and `Subscription` are declared here (several files add subscription fields
 * with `builder.subscriptionField(s)`; `types/answer-stream.ts` always adds `ask`, so it is never
 * empty). `Mutation` is declared by the file that adds its first fields (`builder.mutationType(...)`),
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

builder.subscriptionType({
  description: 'Live results, over graphql-ws (ws://HOST:PORT/graphql) or SSE on the same path.',
});
