/** `User.ask` and `Answer`: Synvo's AI answer from the user's processed files. */
import type { AnswerSource, SynvoAnswer } from '../../upstream/types.js';
import { builder } from '../builder.js';
import { MessageInput } from './memory-mutations.js';
import { UserType } from './user.js';

export const AnswerSourceType = builder.objectRef<AnswerSource>('AnswerSource').implement({
  description: 'A file an answer drew on.',
  fields: (t) => ({
    fileId: t.exposeID('fileId', { description: "Synvo's file id (User.file(id) has the rest)." }),
    name: t.exposeString('name', { description: 'The file name (empty when Synvo named only the id).' }),
    path: t.exposeString('path', { description: "Its path in the user's tree (empty when Synvo named only the id)." }),
  }),
});

/** The conversation arguments of `User.ask` and `Subscription.ask`. */
export const conversationArgs = builder.args((t) => ({
  history: t.field({ type: [MessageInput], description: 'Earlier messages of the conversation, oldest first (at most 50).' }),
  parentId: t.id({ description: 'The messageId of the answer this question follows: Synvo threads the conversation.' }),
  fileIds: t.idList({ description: "Answer only from these files; each must be one of the user's own (else FORBIDDEN)." }),
  forceSearch: t.boolean({ description: 'Always search the files before answering.' }),
}));

export const AnswerType = builder.objectRef<SynvoAnswer>('Answer').implement({
  description: "Synvo's answer to a question, drawn from the user's processed files (empty text when they have none).",
  fields: (t) => ({
    text: t.exposeString('text', { description: 'The answer.' }),
    messageId: t.exposeID('messageId', { description: "Synvo's id of the answer message: pass it as the next question's parentId to follow up." }),
    sources: t.field({ type: [AnswerSourceType], description: 'The files the answer drew on, each once.', resolve: (a) => a.sources ?? [] }),
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
    args: { question: t.arg.string({ required: true, description: 'The question (not empty).' }), ...conversationArgs },
    resolve: (user, args, ctx) => ctx.memory.ask(user.name, args),
  }),
);
