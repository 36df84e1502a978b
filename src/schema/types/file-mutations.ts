/**
 * `Mutation.uploadFile`, `Mutation.deleteFile`, the `File` upload scalar and `UploadedFile`.
 * Uploads follow the GraphQL multipart request spec; the file is handed to Synvo as a stream and
 * followed until processed (see src/live), which refreshes the user's cached reads.
 */
import { GraphQLError } from 'graphql';
import type { UploadInput, UploadResult } from '../../upstream/types.js';
import { resolveTargetUser } from '../access.js';
import { builder } from '../builder.js';
import { badUserInput } from '../errors.js';
import { fileId, hasControlCharacters } from '../validate.js';

/** Synvo's limit on one upload (upstream-api.md). */
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

/** File types Synvo accepts (upstream-api.md), by lower-cased extension. */
export const SUPPORTED_UPLOAD_EXTENSIONS: ReadonlySet<string> = new Set([
  'png', 'jpg', 'jpeg', 'gif', 'webp', 'mp4', 'mov', 'm4v', 'avi', 'mkv', 'mp3', 'wav', 'm4a', 'aac', 'flac',
  'pdf', 'docx', 'ppt', 'pptx', 'txt', 'md', 'json', 'jsonl', 'xlsx',
]);

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

interface UploadedFileData extends UploadResult {
  size: number;
  mimeType: string | null;
}

const UploadedFileType = builder.objectRef<UploadedFileData>('UploadedFile').implement({
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

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** A folder in the user's Synvo tree: absolute, no `..`, no control characters. */
function checkFolder(path: string | null | undefined): string | undefined {
  if (path === null || path === undefined) return undefined;
  const ok = path.startsWith('/') && path.length <= 1024 && !/[\u0000-\u001f]/.test(path) && !path.split('/').includes('..');
  if (!ok) throw badUserInput('path', 'must be a folder such as "/" or "/reports/2024" (absolute, at most 1024 characters, no "..")');
  return path;
}

function checkUpload(file: UploadInput): void {
  // The name becomes a form field of Synvo's upload: no NUL, CR or LF may reach it.
  if (hasControlCharacters(file.name)) throw badUserInput('file', 'the file name must not contain control characters');
  const name = file.name.split(/[\\/]/).pop()?.trim() ?? '';
  if (!name) throw badUserInput('file', 'the file has no name');
  const ext = extensionOf(name);
  if (!SUPPORTED_UPLOAD_EXTENSIONS.has(ext)) {
    throw badUserInput(
      'file',
      `unsupported file type ${ext ? `".${ext}"` : '(no extension)'}; Synvo accepts ${[...SUPPORTED_UPLOAD_EXTENSIONS].join(', ')}`,
    );
  }
  if (file.size === 0) throw badUserInput('file', `"${name}" is empty`);
  if (file.size > MAX_UPLOAD_BYTES) throw badUserInput('file', `"${name}" is ${file.size} bytes; the limit is ${MAX_UPLOAD_BYTES} bytes (20 MiB)`);
}

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
    resolve: async (_root, args, ctx) => {
      const user = resolveTargetUser(ctx, args.user);
      const file = args.file as unknown as UploadInput;
      checkUpload(file);
      const path = checkFolder(args.path);
      const result = await ctx.clients.synvo.uploadFile(user, file, path, { signal: ctx.signal });
      await ctx.live.trackUpload(user, result.fileId, result.timestamp);
      return { ...result, size: file.size, mimeType: file.type || null };
    },
  }),
  deleteFile: t.boolean({
    description:
      'Deletes one of the user\'s files from Synvo: true when it was deleted, false when the user has no such file.',
    args: {
      id: t.arg.id({ required: true, description: "Synvo's file id." }),
      user: t.arg.string({ description: 'Whose file it is. Defaults to the JWT caller; required for service keys.' }),
    },
    resolve: async (_root, args, ctx) => {
      const user = resolveTargetUser(ctx, args.user);
      const id = fileId(args.id);
      try {
        await ctx.clients.synvo.deleteFile(user, id, { signal: ctx.signal });
        return true;
      } catch (error) {
        if ((error as { code?: unknown }).code === 'NOT_FOUND') return false;
        throw error;
      }
    },
  }),
}));
