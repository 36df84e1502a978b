/** `User.searchFiles`, `User.file` and `UserFile`: the files a user gave Synvo. */
import type { FileStatus, SynvoFileEntry, SynvoFileHit } from '../../upstream/types.js';
import { builder } from '../builder.js';
import { FileStatusEnum } from './enums.js';
import { UserType } from './user.js';

/** What the graph knows about a file or folder; Synvo's endpoints each tell part of it. */
export interface UserFileData {
  /** Whose file it is (for its download URL and thumbnail). */
  user: string;
  isDir: boolean;
  id: string;
  name: string;
  path: string;
  mimeType: string | null;
  status: FileStatus | null;
  size: number | null;
  createdAt: Date | null;
}

export function fromFileHit(user: string, hit: SynvoFileHit): UserFileData {
  return { user, isDir: false, id: hit.id, name: hit.name, path: hit.path, mimeType: hit.mimeType || null, status: null, size: null, createdAt: hit.createdAt };
}

export function fromFileEntry(user: string, entry: SynvoFileEntry & { mimeType?: string | null }): UserFileData {
  return {
    user,
    isDir: entry.isDir,
    // A folder has no Synvo id: its path is its id (unique within the user's tree).
    id: entry.fileId ?? entry.path,
    name: entry.name,
    path: entry.path,
    mimeType: entry.mimeType ?? null,
    status: entry.status,
    size: entry.size,
    createdAt: entry.createdAt,
  };
}

export const UserFileType = builder.objectRef<UserFileData>('UserFile').implement({
  description: 'A file the user gave Synvo, or a folder of their tree (`isDir`). Fields Synvo did not report for this lookup are null.',
  fields: (t) => ({
    id: t.exposeID('id', { description: "Synvo's file id; for a folder, its path." }),
    isDir: t.exposeBoolean('isDir', { description: 'True for a folder.' }),
    name: t.exposeString('name', { description: 'File name.' }),
    path: t.exposeString('path', { description: "Path in the user's Synvo file tree." }),
    mimeType: t.exposeString('mimeType', { nullable: true, description: 'MIME type, when known (search results).' }),
    status: t.field({
      type: FileStatusEnum,
      nullable: true,
      description: 'Processing status, when known (file lookups).',
      resolve: (f) => f.status,
    }),
    size: t.exposeInt('size', { nullable: true, description: 'Size in bytes, when known (file lookups; null for folders).' }),
    downloadUrl: t.string({
      nullable: true,
      description:
        "A signed URL of the file, from Synvo: it needs no credentials and works for a short while (Synvo's), so fetch it " +
        'when the user is about to download. Cached no longer than it works. Null for a folder or a file the user no longer has.',
      resolve: async (f, _args, ctx) => (f.isDir ? null : ((await ctx.memory.downloadUrl(f.user, f.id))?.url ?? null)),
    }),
    thumbnail: t.string({
      nullable: true,
      description:
        "A small picture of the file as a `data:` URL (PNG or JPEG, at most `maxSize` pixels on its longer side, at most 1 MiB): " +
        'for images, PDFs and videos; null for other files and folders.',
      args: { maxSize: t.arg.int({ defaultValue: 200, description: 'Longest side in pixels: 16 to 1024.' }) },
      resolve: (f, args, ctx) => (f.isDir ? null : ctx.memory.thumbnail(f.user, f.id, args.maxSize)),
    }),
    createdAt: t.field({ type: 'DateTime', nullable: true, description: 'When it was uploaded.', resolve: (f) => f.createdAt }),
  }),
});

builder.objectFields(UserType, (t) => ({
  searchFiles: t.field({
    type: [UserFileType],
    nullable: true,
    description: "The user's files ranked by relevance to a query, best first.",
    args: { query: t.arg.string({ required: true, description: 'What to look for, in words (not empty).' }) },
    resolve: async (user, args, ctx) => (await ctx.memory.searchFiles(user.name, args.query)).map((hit) => fromFileHit(user.name, hit)),
  }),
  file: t.field({
    type: UserFileType,
    nullable: true,
    description: "One of the user's files by id, with its status and size; null when the user has no such file.",
    args: { id: t.arg.id({ required: true, description: "Synvo's file id." }) },
    resolve: async (user, args, ctx) => {
      const entry = await ctx.memory.file(user.name, String(args.id));
      return entry ? fromFileEntry(user.name, entry) : null;
    },
  }),
  files: t.field({
    type: [UserFileType],
    nullable: true,
    description:
      "The user's folders and files under `path` (Synvo's file list), folders first, each by path. Empty for a user with " +
      'no files yet; a folder that does not exist is BAD_USER_INPUT (and null).',
    args: {
      path: t.arg.string({ defaultValue: '/', description: 'The folder to list, e.g. "/" or "/reports".' }),
      recursive: t.arg.boolean({ defaultValue: true, description: 'Everything below `path` (true) or only its direct children.' }),
    },
    resolve: async (user, args, ctx) => (await ctx.memory.files(user.name, args)).map((entry) => fromFileEntry(user.name, entry)),
  }),
}));
