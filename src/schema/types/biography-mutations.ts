/** `Mutation.refreshBiography`: asks MemSync to write the user's biography afresh. */
import { resolveTargetUser } from '../access.js';
import { builder } from '../builder.js';
import { BiographyResultType } from './biography.js';
import { BiographyFormatEnum, BiographyStyleEnum } from './enums.js';

builder.mutationField('refreshBiography', (t) =>
  t.field({
    type: BiographyResultType,
    description:
      "Regenerates the user's biography now instead of waiting for it to expire (BiographyNotReady while MemSync " +
      'has too few memories). MemSync allows this once every 10 minutes per user: inside that cooldown the error is ' +
      'RATE_LIMITED with `retryAfter` (seconds). A JWT caller refreshes its own; a service key names the user.',
    args: {
      format: t.arg({ type: BiographyFormatEnum, description: 'The format. Default FULL.' }),
      style: t.arg({ type: BiographyStyleEnum, description: 'The style. Default NARRATIVE.' }),
      user: t.arg.string({ description: 'Whose biography. Defaults to the JWT caller; required for service keys.' }),
    },
    resolve: (_root, args, ctx) => ctx.memory.refreshBiography(resolveTargetUser(ctx, args.user), args),
  }),
);
