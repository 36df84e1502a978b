/** `User.searchFiles`, `User.file` and `UserFile`: the files a user gave Synvo. */
import type { FileStatus, SynvoFileEntry, SynvoFileHit } from '../../upstream/types.js';
import { builder } from '../builder.js';
import { FileStatusEnum } from './enums.js';
import { UserType } from './user.js';

/** What the graph knows about a file; Synvo's endpoints each tell part of it. */
export interface UserFileData {
  id: string;
  name: string;
  path: string;
  mimeType: string | null;
  status: FileStatus | null;
  size: number | null;
  createdAt: Date | null;
}

export function fromFileHit(hit: SynvoFileHit): UserFileData {
  return { id: hit.id, name: hit.name, path: hit.path, mimeType: hit.mimeType || null, status: null, size: null, createdAt: hit.createdAt };
}

export function fromFileEntry(entry: SynvoFileEntry): UserFileData {
  return {
    id: entry.fileId ?? '',
    name: entry.name,
    path: entry.path,
    mimeType: null,
    status: entry.status,
    size: entry.size,
    createdAt: entry.createdAt,
  };
}

export const UserFileType = builder.objectRef<UserFileData>('UserFile').implement({
  description: 'A file the user gave Synvo. Fields Synvo did not report for this lookup are null.',
  fields: (t) => ({
    id: t.exposeID('id', { description: "Synvo's file id." }),
    name: t.exposeString('name', { description: 'File name.' }),
    path: t.exposeString('path', { description: "Path in the user's Synvo file tree." }),
    mimeType: t.exposeString('mimeType', { nullable: true, description: 'MIME type, when known (search results).' }),
    status: t.field({
      type: FileStatusEnum,
      nullable: true,
      description: 'Processing status, when known (file lookups).',
      resolve: (f) => f.status,
    }),
    size: t.exposeFloat('size', { nullable: true, description: 'Size in bytes, when known (file lookups).' }),
    createdAt: t.field({ type: 'DateTime', nullable: true, description: 'When it was uploaded.', resolve: (f) => f.createdAt }),
  }),
});

builder.objectFields(UserType, (t) => ({
  searchFiles: t.field({
    type: [UserFileType],
    nullable: true,
    description: "The user's files ranked by relevance to a query, best first.",
    args: { query: t.arg.string({ required: true, description: 'What to look for, in words (not empty).' }) },
    resolve: async (user, args, ctx) => (await ctx.memory.searchFiles(user.name, args.query)).map(fromFileHit),
  }),
  file: t.field({
    type: UserFileType,
    nullable: true,
    description: "One of the user's files by id, with its status and size; null when the user has no such file.",
    args: { id: t.arg.id({ required: true, description: "Synvo's file id." }) },
    resolve: async (user, args, ctx) => {
      const entry = await ctx.memory.file(user.name, String(args.id));
      return entry ? fromFileEntry(entry) : null;
    },
  }),
}));
