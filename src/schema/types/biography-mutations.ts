/** `Mutation.refreshBiography`: asks MemSync to write the user's biography afresh. */
import { GraphQLError } from 'graphql';
import { resolveTargetUser } from '../access.js';
import { builder } from '../builder.js';
import { BiographyResultType, toBiographyResult } from './biography.js';
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
    resolve: async (_root, args, ctx) => {
      const user = resolveTargetUser(ctx, args.user);
      const format = args.format ?? 'full';
      const style = args.style ?? 'narrative';
      try {
        return await toBiographyResult(() => ctx.clients.memsync.getBio(user, { format, style, refresh: true }, { signal: ctx.signal }), {
          format,
          style,
        });
      } catch (error) {
        const e = error as { code?: unknown; retryAfter?: number; status?: number };
        if (e.code !== 'RATE_LIMITED') throw error;
        const wait = e.retryAfter !== undefined ? `; retry after ${e.retryAfter} s` : '';
        throw new GraphQLError(`MemSync regenerates a biography at most once every 10 minutes per user (or its rate limit was reached)${wait}`, {
          extensions: {
            code: 'RATE_LIMITED',
            service: 'memsync',
            ...(e.status !== undefined ? { upstreamStatus: e.status } : {}),
            ...(e.retryAfter !== undefined ? { retryAfter: e.retryAfter } : {}),
          },
        });
      }
    },
  }),
);
