/** `User.memories` and `Memory`: MemSync's memories, searched by meaning. */
import type { Memory } from '../../upstream/types.js';
import { builder } from '../builder.js';
import { MemoryCategoryEnum, MemoryTypeEnum, knownCategories } from './enums.js';
import { UserType } from './user.js';

/** A memory as the graph shows it; `importance` is known after an update. */
export type MemoryData = Memory & { importance?: number | null };

export const MemoryObject = builder.objectRef<MemoryData>('Memory').implement({
  description: 'Something MemSync remembers about the user, extracted from their conversations.',
  fields: (t) => ({
    id: t.exposeID('id', { description: "MemSync's id of the memory." }),
    text: t.exposeString('text', { description: 'The memory, in words.' }),
    categories: t.field({
      type: [MemoryCategoryEnum],
      description: 'Its categories (ones this gateway does not know are left out; see categoryNames).',
      resolve: (m) => knownCategories(m.categories),
    }),
    categoryNames: t.exposeStringList('categories', {
      description: 'Its categories as MemSync names them, unknown ones included.',
    }),
    type: t.field({
      type: MemoryTypeEnum,
      nullable: true,
      description: 'SEMANTIC (a lasting fact) or EPISODIC (an event); null for a type this gateway does not know.',
      resolve: (m) => (m.type === 'semantic' || m.type === 'episodic' ? m.type : null),
    }),
    vectorDistance: t.exposeFloat('vectorDistance', { nullable: true, description: 'Distance to the query (lower is closer).' }),
    rerankScore: t.exposeFloat('rerankScore', { nullable: true, description: 'Relevance score after reranking, when reranked.' }),
    source: t.exposeString('source', { nullable: true, description: 'Where the memory came from (e.g. `chat`).' }),
    agentId: t.exposeString('agentId', { nullable: true, description: 'The agent that stored it, if any.' }),
    threadId: t.exposeString('threadId', { nullable: true, description: 'The conversation thread it came from, if any.' }),
    createdAt: t.field({ type: 'DateTime', description: 'When it was stored.', resolve: (m) => m.createdAt }),
    updatedAt: t.field({ type: 'DateTime', nullable: true, description: 'When it last changed.', resolve: (m) => m.updatedAt }),
    importance: t.float({ nullable: true, description: 'How important it is, 0 to 1, when MemSync said (updateMemory does).', resolve: (m) => m.importance ?? null }),
  }),
});

builder.objectField(UserType, 'memories', (t) =>
  t.field({
    type: [MemoryObject],
    nullable: true,
    description: "The user's MemSync memories closest in meaning to a query, closest first (empty when there are none).",
    args: {
      query: t.arg.string({ required: true, description: 'What to look for, in words (not empty).' }),
      limit: t.arg.int({ defaultValue: 10, description: 'How many memories at most: 1 to 100.' }),
      categories: t.arg({ type: [MemoryCategoryEnum], description: 'Only memories in these categories (omit for all).' }),
    },
    resolve: (user, args, ctx) => ctx.memory.memories(user.name, args),
  }),
);
