/**
 * `Mutation.uploadFile`, `Mutation.deleteFile`, the `File` upload scalar and `UploadedFile`.
 * Uploads follow the GraphQL multipart request spec; the file is handed to Synvo as a stream and
 * followed until processed (see src/live), which refreshes the user's cached reads.
 */
import { GraphQLError } from 'graphql';
import type { UploadedFile } from '../../memory/index.js';
import type { UploadInput } from '../../upstream/types.js';
import { resolveTargetUser } from '../access.js';
import { builder } from '../builder.js';

function isUpload(value: unknown): value is UploadInput {
  const v = value as Partial<UploadInput> | null;
  return !!v && typeof v === 'object' && typeof v.name === 'string' && typeof v.size === 'number' && typeof v.stream === 'function';
}

builder.scalarType('File', {
  description:
    'A file sent with the GraphQL multipart request spec (https://github.com/jaydenseric/graphql-multipart-request-spec). Input only.',
  serialize: () => {
    throw new GraphQLError('File is an input-only scalar');
  },
  parseValue: (value) => {
    if (!isUpload(value)) {
      throw new GraphQLError('Expected a file sent as a GraphQL multipart request (fields "operations", "map" and the file)', {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    }
    return value as unknown as File;
  },
  parseLiteral: () => {
    throw new GraphQLError('A File cannot be written in the query: send it as a GraphQL multipart request', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  },
});

const UploadedFileType = builder.objectRef<UploadedFile>('UploadedFile').implement({
  description:
    'A file Synvo accepted. It is processed asynchronously: follow `Subscription.fileStatus(id)` until COMPLETED; ' +
    "the user's profile, events, searchFiles and ask reflect it from then on.",
  fields: (t) => ({
    id: t.exposeID('fileId', { description: "Synvo's file id." }),
    name: t.exposeString('filename', { description: 'The name it is stored under (a new one when `renamed`).' }),
    path: t.exposeString('path', { description: "Where it is in the user's Synvo file tree." }),
    renamed: t.exposeBoolean('renamed', {
      description: 'True when a file of that name already existed in that folder and this one got a new name.',
    }),
    size: t.exposeFloat('size', { description: 'Size in bytes.' }),
    mimeType: t.exposeString('mimeType', { nullable: true, description: 'The MIME type the client sent, if any.' }),
    uploadedAt: t.field({ type: 'DateTime', description: 'When Synvo received it.', resolve: (f) => f.timestamp }),
  }),
});

builder.mutationType({
  description: "Changes to a user's memory. Reads that a change affects are refreshed (cached reads are invalidated).",
});

builder.mutationFields((t) => ({
  uploadFile: t.field({
    type: UploadedFileType,
    description:
      'Uploads a file to Synvo for the user (GraphQL multipart request; at most 20 MiB; a type Synvo supports). ' +
      'Processing is asynchronous: follow `Subscription.fileStatus`. A JWT caller uploads for itself; a service key names the user.',
    args: {
      file: t.arg({ type: 'File', required: true, description: 'The file (multipart request).' }),
      path: t.arg.string({ description: 'The folder to put it in. Default "/".' }),
      user: t.arg.string({ description: 'Whose file it is. Defaults to the JWT caller; required for service keys.' }),
    },
    resolve: (_root, args, ctx) =>
      ctx.memory.uploadFile(resolveTargetUser(ctx, args.user), args.file as unknown as UploadInput, args.path),
  }),
  deleteFile: t.boolean({
    description:
      'Deletes one of the user\'s files from Synvo: true when it was deleted, false when the user has no such file.',
    args: {
      id: t.arg.id({ required: true, description: "Synvo's file id." }),
      user: t.arg.string({ description: 'Whose file it is. Defaults to the JWT caller; required for service keys.' }),
    },
    resolve: (_root, args, ctx) => ctx.memory.deleteFile(resolveTargetUser(ctx, args.user), String(args.id)),
  }),
}));
