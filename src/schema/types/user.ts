/** `User` and the root fields that reach one: `viewer`, `user(name)`, `users(names)`. */
import { builder } from '../builder.js';
import { authorizeUser, viewerName } from '../access.js';
import { inputRules } from '../../memory/index.js';

/** A user is only a name; each field fetches what it needs through the request's domain object. */
export interface UserRef {
  name: string;
}

export const UserType = builder.objectRef<UserRef>('User').implement({
  description:
    'A person known to Synvo (memory built from their files) and MemSync (memory built from their conversations). ' +
    'Each field is fetched only when selected; a field whose upstream fails is null, with an error naming the service.',
  fields: (t) => ({
    name: t.exposeString('name', {
      description: "The user's name: Synvo's sub_user_name, and the name the user's own MemSync account is linked to (see memsync).",
    }),
  }),
});

builder.queryFields((t) => ({
  viewer: t.field({
    type: UserType,
    description: 'The signed-in user (the `sub` of the JWT). Not available to service keys: use `user(name:)`.',
    resolve: (_root, _args, ctx) => ({ name: viewerName(ctx) }),
  }),
  user: t.field({
    type: UserType,
    description: 'A user by name. Service keys may name any user; a JWT caller only itself (else FORBIDDEN).',
    args: {
      name: t.arg.string({
        required: true,
        description: `The user's name (${inputRules.USER_NAME.message}).`,
      }),
    },
    resolve: (_root, args, ctx) => ({ name: authorizeUser(ctx, args.name, 'name') }),
  }),
  users: t.field({
    type: [UserType],
    description:
      'Several users by name, in the order given, duplicates removed. Their upstream calls are batched and run with bounded concurrency.',
    args: {
      names: t.arg.stringList({
        required: true,
        description: `User names, at most 100 distinct; ${inputRules.USER_NAME.message}.`,
      }),
    },
    resolve: (_root, args, ctx) => {
      const names = inputRules.distinctUserNames('names', args.names, ctx.limits.maxUsers);
      return names.map((name) => ({ name: authorizeUser(ctx, name, 'names') }));
    },
  }),
}));
