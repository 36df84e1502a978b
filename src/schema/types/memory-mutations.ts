/** `Mutation.storeMemories`, `MessageInput` and `StoredMemories`: conversations into MemSync. */
import type { ChatMessage, StoreMemoriesResult } from '../../upstream/types.js';
import { resolveTargetUser } from '../access.js';
import { builder } from '../builder.js';
import { badUserInput } from '../errors.js';
import { MEMORY_CATEGORIES, MemoryCategoryEnum, MessageRoleEnum } from './enums.js';
import { MemoryObject } from './memories.js';

/** Most messages in one call, and characters in one message. */
const MAX_MESSAGES = 100;
const MAX_MESSAGE_CHARS = 32_000;

const MessageInput = builder.inputType('MessageInput', {
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
      resolve: (r) => r.categoriesDetected.filter((c) => MEMORY_CATEGORIES.has(c)) as 'identity'[],
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
      messages: t.arg({ type: [MessageInput], required: true, description: `The messages, oldest first (1 to ${MAX_MESSAGES}).` }),
      user: t.arg.string({ description: 'Whose memories they are. Defaults to the JWT caller; required for service keys.' }),
    },
    resolve: async (_root, args, ctx) => {
      const user = resolveTargetUser(ctx, args.user);
      if (args.messages.length === 0 || args.messages.length > MAX_MESSAGES) {
        throw badUserInput('messages', `must hold 1 to ${MAX_MESSAGES} messages`);
      }
      const messages: ChatMessage[] = args.messages.map((m, i) => {
        if (m.content.trim() === '') throw badUserInput(`messages[${i}].content`, 'must not be empty');
        if (m.content.length > MAX_MESSAGE_CHARS) throw badUserInput(`messages[${i}].content`, `must be at most ${MAX_MESSAGE_CHARS} characters`);
        return { role: m.role, content: m.content };
      });
      return ctx.clients.memsync.storeMemories(user, { messages }, { signal: ctx.signal });
    },
  }),
);
