/**
 * `User.memsync`, `connectMemSync` and `disconnectMemSync`: each user's link to their own MemSync
 * account. A MemSync API key belongs to one MemSync account, so every MemSync-backed field is
 * answered with the key of the user it is about; the key itself is never shown, only its last 4
 * characters.
 */
import type { MemSyncConnectionState } from '../../memory/index.js';
import { resolveTargetUser } from '../access.js';
import { builder } from '../builder.js';
import { UserType } from './user.js';

export const MemSyncConnectionType = builder.objectRef<MemSyncConnectionState>('MemSyncConnection').implement({
  description: "The user's link to their MemSync account (memory built from their conversations).",
  fields: (t) => ({
    connected: t.exposeBoolean('connected', { description: 'True when MemSync-backed fields are answered for this user.' }),
    connectedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the current key was connected.',
      resolve: (c) => c.connectedAt,
    }),
    keyHint: t.exposeString('keyHint', { nullable: true, description: 'The last 4 characters of the connected key (the key itself is never shown).' }),
  }),
});

builder.objectField(UserType, 'memsync', (t) =>
  t.field({
    type: MemSyncConnectionType,
    description: 'Whether the user has connected a MemSync account (see connectMemSync).',
    resolve: (user, _args, ctx) => ctx.memory.memsyncConnection(user.name),
  }),
);

builder.mutationFields((t) => ({
  connectMemSync: t.field({
    type: MemSyncConnectionType,
    description:
      "Links the user to their MemSync account with that account's API key. MemSync is asked once whether it accepts the key " +
      '(a key it refuses is BAD_USER_INPUT and nothing is stored); the key is then kept encrypted, replacing any earlier one. ' +
      'A JWT caller connects itself; a service key names the user.',
    args: {
      apiKey: t.arg.string({ required: true, description: "The user's MemSync API key (X-API-Key of https://api.memsync.ai/v1)." }),
      user: t.arg.string({ description: 'Whose account it is. Defaults to the JWT caller; required for service keys.' }),
    },
    resolve: (_root, args, ctx) => ctx.memory.connectMemSync(resolveTargetUser(ctx, args.user), args.apiKey),
  }),
  disconnectMemSync: t.field({
    type: MemSyncConnectionType,
    description:
      "Forgets the user's MemSync API key (MemSync keeps the account and its memories). MemSync-backed fields then answer " +
      'as not connected. A JWT caller disconnects itself; a service key names the user.',
    args: {
      user: t.arg.string({ description: 'Whose account to unlink. Defaults to the JWT caller; required for service keys.' }),
    },
    resolve: (_root, args, ctx) => ctx.memory.disconnectMemSync(resolveTargetUser(ctx, args.user)),
  }),
}));
