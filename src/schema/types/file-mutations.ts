/**
 * `Mutation.uploadFile`, `Mutation.deleteFile`, the `File` upload scalar and `UploadedFile`.
 * Uploads follow the GraphQL multipart request spec; the file is handed to Synvo as a stream and
 * followed until processed (see src/live), which refreshes the user's cached reads.
 */
import { GraphQLError } from 'graphql';
import { inputRules, type ForgetFailure, type ForgetReport, type UploadedFile } from '../../memory/index.js';
import type { UploadInput } from '../../upstream/types.js';
import { resolveTargetUser } from '../access.js';
import { builder } from '../builder.js';
import { UpstreamServiceEnum } from './context.js';
import { UserFileType, fromFileEntry } from './files.js';

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
    size: t.exposeFloat('size', { description: 'Size in bytes (0 for a web page until it is processed).' }),
    mimeType: t.exposeString('mimeType', { nullable: true, description: 'The MIME type the client sent, if any.' }),
    uploadedAt: t.field({ type: 'DateTime', description: 'When Synvo received it.', resolve: (f) => f.timestamp }),
  }),
});

const ForgetFailureType = builder.objectRef<ForgetFailure>('ForgetFailure').implement({
  description: 'Something `forgetUser` could not delete; run it again to finish.',
  fields: (t) => ({
    service: t.field({ type: UpstreamServiceEnum, description: 'The upstream that failed.', resolve: (f) => f.service }),
    target: t.exposeString('target', { nullable: true, description: 'The file path, or null when a whole step failed (e.g. the listing).' }),
    code: t.exposeString('code', { description: 'The error code (UPSTREAM_UNAVAILABLE, RATE_LIMITED, ...).' }),
    message: t.exposeString('message', { description: 'What failed, in words.' }),
  }),
});

const ForgetReportType = builder.objectRef<ForgetReport>('ForgetReport').implement({
  description: 'What `forgetUser` did.',
  fields: (t) => ({
    user: t.exposeString('user', { description: 'The user forgotten.' }),
    filesDeleted: t.exposeInt('filesDeleted', { description: 'Files deleted from Synvo by this run.' }),
    memoriesDeleted: t.exposeInt('memoriesDeleted', { description: 'Memories deleted from MemSync by this run.' }),
    memsyncDisconnected: t.exposeBoolean('memsyncDisconnected', { description: "True when this run disconnected the user's MemSync key." }),
    complete: t.boolean({ description: 'True when nothing failed: the user is forgotten.', resolve: (r) => r.failures.length === 0 }),
    failures: t.field({ type: [ForgetFailureType], description: 'What could not be deleted, with codes.', resolve: (r) => r.failures }),
  }),
});

builder.mutationType({
  description: "Changes to a user's memory. Reads that a change affects are refreshed (cached reads are invalidated).",
});

builder.mutationFields((t) => ({
  uploadFile: t.field({
    type: UploadedFileType,
    description:
      'Uploads a file to Synvo for the user (GraphQL multipart request; at most MEMGATE_MAX_UPLOAD_MB, 100 MiB unless set; a type Synvo supports). ' +
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
  createFolder: t.field({
    type: UserFileType,
    description: "Makes a folder (and its parents) in the user's Synvo tree; fine when it exists, CONFLICT where a file is.",
    args: {
      path: t.arg.string({ required: true, description: 'The folder, e.g. "/projects/2025".' }),
      user: t.arg.string({ description: 'Whose tree. Defaults to the JWT caller; required for service keys.' }),
    },
    resolve: async (_root, args, ctx) => {
      const user = resolveTargetUser(ctx, args.user);
      return fromFileEntry(user, await ctx.memory.createFolder(user, args.path));
    },
  }),
  moveFile: t.field({
    type: UserFileType,
    description:
      'Moves or renames a file or a folder (with everything in it) to the full path `to`, making its folders. ' +
      'An existing destination is CONFLICT; nothing at `from` is BAD_USER_INPUT. Returns the item where it now is.',
    args: {
      from: t.arg.string({ required: true, description: 'Where it is now, e.g. "/notes/a.txt".' }),
      to: t.arg.string({ required: true, description: 'Where it goes, full path, e.g. "/archive/a.txt".' }),
      user: t.arg.string({ description: 'Whose tree. Defaults to the JWT caller; required for service keys.' }),
    },
    resolve: async (_root, args, ctx) => {
      const user = resolveTargetUser(ctx, args.user);
      return fromFileEntry(user, await ctx.memory.moveFile(user, args.from, args.to));
    },
  }),
  addWebpage: t.field({
    type: UploadedFileType,
    description:
      'Adds a web page as a source: Synvo fetches it and processes it like an uploaded file (follow ' +
      '`Subscription.fileStatus(id)`; `events` and the reads reflect it when COMPLETED). A URL Synvo cannot fetch is BAD_USER_INPUT.',
    args: {
      url: t.arg.string({ required: true, description: 'The page, http or https.' }),
      path: t.arg.string({ description: 'The folder to put it in. Default Synvo\'s "/web".' }),
      name: t.arg.string({ description: 'The file name (".html" is added). Default: from the page title.' }),
      user: t.arg.string({ description: 'Whose source it is. Defaults to the JWT caller; required for service keys.' }),
    },
    resolve: (_root, args, ctx) => ctx.memory.addWebpage(resolveTargetUser(ctx, args.user), args),
  }),
  forgetUser: t.field({
    type: ForgetReportType,
    description:
      'Forgets a user: deletes every file in Synvo and every memory in MemSync, disconnects the MemSync key and drops everything ' +
      "the gateway holds of the user on every instance (cached reads; open subscriptions end with FORBIDDEN, reason USER_FORGOTTEN). " +
      'Needs `confirm: true`. A JWT caller may forget only itself. Running it again after a partial failure finishes the job; the report says what was deleted and what failed, with codes.',
    args: {
      confirm: t.arg.boolean({ required: true, description: 'Must be true: this cannot be undone.' }),
      user: t.arg.string({ description: 'Whom to forget. Defaults to the JWT caller; required for service keys.' }),
    },
    resolve: (_root, args, ctx) => {
      const user = resolveTargetUser(ctx, args.user);
      inputRules.forgetConfirmed('confirm', args.confirm);
      return ctx.memory.forgetUser(user);
    },
  }),
}));
