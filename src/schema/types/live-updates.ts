/**
 * `Subscription.fileStatus` and `Subscription.events`: a file's processing and the user's new
 * events, live. Polling is shared (one poller per file, and one per user's events, across
 * subscribers and gateway instances) and lives in src/live; these fields only subscribe to it.
 */
import { resolveTargetUser } from '../access.js';
import { builder } from '../builder.js';
import type { FileStatusSnapshot } from '../../live/live-state.js';
import type { SynvoEvent } from '../../upstream/types.js';
import { EventObject } from './events.js';
import { UserFileType, fromFileEntry, type UserFileData } from './files.js';

function toUserFile(user: string, snapshot: FileStatusSnapshot, known: UserFileData | null): UserFileData {
  return known
    ? { ...known, status: snapshot.status }
    : { user, isDir: false, id: snapshot.fileId, name: '', path: '', mimeType: null, status: snapshot.status, size: null, createdAt: null };
}

builder.subscriptionFields((t) => ({
  fileStatus: t.field({
    type: UserFileType,
    description:
      'The file with each new processing status, the current one first, until COMPLETED or FAILED (UNKNOWN, for a ' +
      'file the user does not have, also ends it). However many subscribers, Synvo is polled once per file. Ends with ' +
      'FORBIDDEN, reason USER_FORGOTTEN, when the user is forgotten (forgetUser).',
    args: {
      id: t.arg.id({ required: true, description: "Synvo's file id (UploadedFile.id)." }),
      user: t.arg.string({ description: 'Whose file. Defaults to the JWT caller; required for service keys.' }),
    },
    subscribe: (_root, args, ctx) => ctx.memory.watchFile(resolveTargetUser(ctx, args.user), String(args.id)),
    resolve: async (snapshot, args, ctx) => {
      const user = resolveTargetUser(ctx, args.user);
      // Name, path and size from the (cached) file list; the status is the live one.
      const entry = await ctx.memory.file(user, snapshot.fileId).catch(() => null);
      return toUserFile(user, snapshot, entry ? fromFileEntry(user, entry) : null);
    },
  }),
  events: t.field({
    type: EventObject,
    description:
      "The user's new events, each once, as Synvo extracts them from files that finish processing, whoever uploaded " +
      'them (through the gateway or straight to Synvo). However many subscribers, Synvo is polled once per user while it has any. ' +
      'Ends with FORBIDDEN, reason USER_FORGOTTEN, when the user is forgotten (forgetUser).',
    args: {
      user: t.arg.string({ description: 'Whose events. Defaults to the JWT caller; required for service keys.' }),
    },
    subscribe: (_root, args, ctx) => ctx.memory.watchEvents(resolveTargetUser(ctx, args.user)),
    resolve: (event: SynvoEvent) => event,
  }),
}));
