/** `User.ask` and `Answer`: Synvo's AI answer from the user's processed files. */
import type { SynvoAnswer } from '../../upstream/types.js';
import { builder } from '../builder.js';
import { UserType } from './user.js';

export const AnswerType = builder.objectRef<SynvoAnswer>('Answer').implement({
  description: "Synvo's answer to a question, drawn from the user's processed files (empty text when they have none).",
  fields: (t) => ({
    text: t.exposeString('text', { description: 'The answer.' }),
    messageId: t.exposeID('messageId', { description: "Synvo's id of the answer message." }),
    sessionId: t.exposeID('sessionId', { description: "Synvo's id of the conversation session." }),
    summary: t.exposeString('summary', { nullable: true, description: "Synvo's summary of the conversation, if any." }),
    createdAt: t.field({ type: 'DateTime', description: 'When the answer was written.', resolve: (a) => a.createdAt }),
    timestamp: t.field({ type: 'DateTime', description: 'When Synvo sent the response.', resolve: (a) => a.timestamp }),
  }),
});

builder.objectField(UserType, 'ask', (t) =>
  t.field({
    type: AnswerType,
    nullable: true,
    description: "Ask Synvo a question about the user's files; the whole answer at once (subscribe to `ask` for tokens as they come).",
    args: { question: t.arg.string({ required: true, description: 'The question (not empty).' }) },
    resolve: (user, args, ctx) => ctx.memory.ask(user.name, args.question),
  }),
);
