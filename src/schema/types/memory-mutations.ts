/** `Mutation.storeMemories`, `MessageInput` and `StoredMemories`: conversations into MemSync. */
import { inputRules } from '../../memory/index.js';
import type { StoreMemoriesResult } from '../../upstream/types.js';
import { resolveTargetUser } from '../access.js';
import { builder } from '../builder.js';
import { MemoryCategoryEnum, MessageRoleEnum, knownCategories } from './enums.js';
import { MemoryObject } from './memories.js';

export const MessageInput = builder.inputType('MessageInput', {
  description: 'One message of a conversation.',
  fields: (t) => ({
    role: t.field({ type: MessageRoleEnum, required: true, description: 'Who wrote it.' }),
    content: t.string({ required: true, description: 'What they wrote (not empty).' }),
  }),
});

const StoredMemoriesType = builder.objectRef<StoreMemoriesResult>('StoredMemories').implement({
  description: 'What MemSync learnt from the messages.',
  fields: (t) => ({
    count: t.exposeInt('memoriesCreated', { description: 'How many memories were created.' }),
    categories: t.field({
      type: [MemoryCategoryEnum],
      description: 'The memory categories detected.',
      resolve: (r) => knownCategories(r.categoriesDetected),
    }),
    memories: t.field({ type: [MemoryObject], description: 'The memories created.', resolve: (r) => r.memories }),
    processingTime: t.exposeString('processingTime', { nullable: true, description: 'How long MemSync took, as it says (e.g. "1.8s").' }),
  }),
});

builder.mutationField('storeMemories', (t) =>
  t.field({
    type: StoredMemoriesType,
    description:
      "Stores a conversation in MemSync, which extracts memories from it. The user's biography and memory searches " +
      'reflect them from then on. A JWT caller stores for itself; a service key names the user.',
    args: {
      messages: t.arg({
        type: [MessageInput],
        required: true,
        description: `The messages, oldest first (1 to ${inputRules.MAX_MESSAGES}); USER and ASSISTANT only (MemSync stores no SYSTEM message).`,
      }),
      threadId: t.arg.string({
        description: `The conversation they belong to (it ${inputRules.CONVERSATION_FIELD.message}). Default: a new conversation.`,
      }),
      source: t.arg.string({
        defaultValue: 'chat',
        description: 'Where the conversation happened, e.g. chat, email, sms (same characters as threadId). Default chat.',
      }),
      user: t.arg.string({ description: 'Whose memories they are. Defaults to the JWT caller; required for service keys.' }),
    },
    resolve: (_root, args, ctx) =>
      ctx.memory.storeMemories(resolveTargetUser(ctx, args.user), args.messages, { threadId: args.threadId, source: args.source }),
  }),
);
