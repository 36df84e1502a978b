/**
 * MemSync's memory management: `User.memoryProfile`, `User.memoryList`, `Mutation.updateMemory`,
 * `Mutation.deleteMemories` and `Mutation.updateBiography`.
 */
import type { MemoryPage, MemoryProfile, ProfileInsight, ProfileTrait, UpdatedMemory } from '../../upstream/types.js';
import { resolveTargetUser } from '../access.js';
import { builder } from '../builder.js';
import { BiographyResultType } from './biography.js';
import { BiographyFormatEnum, BiographyStyleEnum, MemoryCategoryEnum, knownCategories } from './enums.js';
import { MemoryObject, type MemoryData } from './memories.js';
import { UserType } from './user.js';

type CategoryProfile = MemoryProfile['categories'][number];
type ProfileStats = NonNullable<MemoryProfile['stats']>;
type ProfileBio = NonNullable<MemoryProfile['bio']>;

const ProfileBioType = builder.objectRef<ProfileBio>('MemoryProfileBio').implement({
  description: "MemSync's short summary of the user.",
  fields: (t) => ({
    summary: t.exposeString('summary', { description: 'The summary.' }),
    generatedAt: t.field({ type: 'DateTime', nullable: true, description: 'When it was written.', resolve: (b) => b.generatedAt }),
    confidence: t.exposeFloat('confidence', { nullable: true, description: 'From 0 to 1.' }),
    wordCount: t.exposeInt('wordCount', { nullable: true, description: 'Words in the summary.' }),
  }),
});

const KeyValueType = builder.objectRef<{ key: string; value: unknown }>('MemoryProfileEntry').implement({
  description: 'One field of a category profile: its key, and its value as JSON text (MemSync shapes each category its own way).',
  fields: (t) => ({
    key: t.exposeString('key', { description: 'The field, as MemSync names it (e.g. `key_skills`).' }),
    value: t.string({ description: 'Its value as JSON (a string, a number, a list...).', resolve: (e) => JSON.stringify(e.value) }),
    values: t.stringList({
      description: 'Its value as a list of strings: the items of a list, or the value alone.',
      resolve: (e) => (Array.isArray(e.value) ? e.value : [e.value]).filter((v) => v !== null && v !== undefined).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))),
    }),
  }),
});

const CategoryProfileType = builder.objectRef<CategoryProfile>('MemoryCategoryProfile').implement({
  description: "MemSync's profile of the user in one memory category.",
  fields: (t) => ({
    category: t.field({
      type: MemoryCategoryEnum,
      nullable: true,
      description: 'The category (null for one this gateway does not know; see categoryName).',
      resolve: (c) => knownCategories([c.category])[0] ?? null,
    }),
    categoryName: t.exposeString('category', { description: 'The category as MemSync names it.' }),
    memoryCount: t.exposeInt('memoryCount', { nullable: true, description: 'Memories in this category.' }),
    lastUpdated: t.field({ type: 'DateTime', nullable: true, description: 'When it last changed.', resolve: (c) => c.lastUpdated }),
    entries: t.field({
      type: [KeyValueType],
      description: 'Every other field MemSync sent for this category, as key/value data.',
      resolve: (c) => Object.entries(c.data).map(([key, value]) => ({ key, value })),
    }),
  }),
});

const InsightType = builder.objectRef<ProfileInsight>('MemoryInsight').implement({
  description: 'Something MemSync derived about the user from several memories.',
  fields: (t) => ({
    id: t.exposeID('id', { description: "MemSync's id of the insight." }),
    title: t.exposeString('title', { description: 'In a few words.' }),
    description: t.exposeString('description', { description: 'In a sentence.' }),
    category: t.field({ type: MemoryCategoryEnum, nullable: true, description: 'Its category.', resolve: (i) => (i.category ? (knownCategories([i.category])[0] ?? null) : null) }),
    confidence: t.exposeFloat('confidence', { nullable: true, description: 'From 0 to 1.' }),
    memoryCount: t.exposeInt('memoryCount', { nullable: true, description: 'Memories it rests on.' }),
    generatedAt: t.field({ type: 'DateTime', nullable: true, description: 'When it was derived.', resolve: (i) => i.generatedAt }),
  }),
});

const TraitType = builder.objectRef<ProfileTrait>('MemoryTrait').implement({
  description: 'A personality trait MemSync sees in the memories.',
  fields: (t) => ({
    trait: t.exposeString('trait', { description: 'The trait, e.g. Curiosity.' }),
    strength: t.exposeFloat('strength', { nullable: true, description: 'From 0 to 1.' }),
    evidenceCount: t.exposeInt('evidenceCount', { nullable: true, description: 'Memories that show it.' }),
    category: t.field({ type: MemoryCategoryEnum, nullable: true, description: 'Where it shows most.', resolve: (x) => (x.category ? (knownCategories([x.category])[0] ?? null) : null) }),
  }),
});

const CountType = builder.objectRef<{ key: string; count: number }>('MemoryCount').implement({
  description: 'A count of memories by a key (a category or a type).',
  fields: (t) => ({
    key: t.exposeString('key', { description: 'The category or type, as MemSync names it.' }),
    count: t.exposeInt('count', { description: 'How many memories.' }),
  }),
});

const counts = (record: Record<string, number>) => Object.entries(record).map(([key, count]) => ({ key, count }));

const StatsType = builder.objectRef<ProfileStats>('MemoryStats').implement({
  description: "Figures about the user's memories.",
  fields: (t) => ({
    totalMemories: t.exposeInt('totalMemories', { nullable: true, description: 'All memories.' }),
    byCategory: t.field({ type: [CountType], description: 'Memories per category.', resolve: (s) => counts(s.byCategory) }),
    byType: t.field({ type: [CountType], description: 'Memories per type (semantic, episodic).', resolve: (s) => counts(s.byType) }),
    firstMemoryAt: t.field({ type: 'DateTime', nullable: true, description: 'The oldest memory.', resolve: (s) => s.firstMemoryAt }),
    lastMemoryAt: t.field({ type: 'DateTime', nullable: true, description: 'The newest memory.', resolve: (s) => s.lastMemoryAt }),
    averageImportance: t.exposeFloat('averageImportance', { nullable: true, description: 'Average importance, 0 to 1.' }),
    topParticipants: t.exposeStringList('topParticipants', { description: 'People mentioned most.' }),
    topLocations: t.exposeStringList('topLocations', { description: 'Places mentioned most.' }),
  }),
});

const MemoryProfileType = builder.objectRef<MemoryProfile>('MemoryProfile').implement({
  description: "MemSync's profile of the user: a summary, a profile per category, insights, traits and figures.",
  fields: (t) => ({
    bio: t.field({ type: ProfileBioType, nullable: true, description: 'The summary (null until MemSync has written a biography).', resolve: (p) => p.bio }),
    categories: t.field({ type: [CategoryProfileType], description: 'A profile per category with memories.', resolve: (p) => p.categories }),
    insights: t.field({ type: [InsightType], description: 'What MemSync derived.', resolve: (p) => p.insights }),
    traits: t.field({ type: [TraitType], description: 'Personality traits, strongest first.', resolve: (p) => p.traits }),
    stats: t.field({ type: StatsType, nullable: true, description: 'Figures about the memories.', resolve: (p) => p.stats }),
    lastUpdated: t.field({ type: 'DateTime', nullable: true, description: 'When the profile last changed.', resolve: (p) => p.lastUpdated }),
  }),
});

const MemoryPageType = builder.objectRef<MemoryPage>('MemoryPage').implement({
  description: "One page of the user's memories, newest first.",
  fields: (t) => ({
    items: t.field({ type: [MemoryObject], description: 'The memories of this page.', resolve: (p) => p.items }),
    page: t.exposeInt('page', { description: 'This page, from 1.' }),
    pageSize: t.exposeInt('pageSize', { description: 'Memories per page.' }),
    total: t.exposeInt('total', { description: 'All memories (of the category, when filtered).' }),
    totalPages: t.exposeInt('totalPages', { description: 'Pages in all.' }),
  }),
});

const DeletedMemoriesType = builder.objectRef<{ deleted: string[]; notFound: string[] }>('DeletedMemories').implement({
  description: 'What `deleteMemories` did.',
  fields: (t) => ({
    deleted: t.exposeIDList('deleted', { description: 'The ids deleted.' }),
    notFound: t.exposeIDList('notFound', { description: 'The ids the user has no memory with (another user\'s included): nothing was done to them.' }),
  }),
});

/** An updated memory as the graph's Memory. */
function fromUpdated(m: UpdatedMemory): MemoryData {
  return {
    id: m.id,
    text: m.text,
    categories: m.category ? [m.category] : [],
    type: m.type ?? 'semantic',
    vectorDistance: null,
    rerankScore: null,
    source: null,
    agentId: null,
    threadId: null,
    createdAt: m.createdAt ?? m.updatedAt ?? new Date(0),
    updatedAt: m.updatedAt,
    importance: m.importance,
  };
}

builder.objectFields(UserType, (t) => ({
  memoryProfile: t.field({
    type: MemoryProfileType,
    nullable: true,
    description: "MemSync's profile of the user (GET /profile): summary, categories as key/value data, insights, traits, figures. Null before any memory.",
    resolve: (user, _args, ctx) => ctx.memory.memoryProfile(user.name),
  }),
  memoryList: t.field({
    type: MemoryPageType,
    nullable: true,
    description: "The user's MemSync memories, newest first, a page at a time.",
    args: {
      page: t.arg.int({ defaultValue: 1, description: 'The page, from 1.' }),
      pageSize: t.arg.int({ defaultValue: 20, description: 'Memories per page: 1 to 100.' }),
      category: t.arg({ type: MemoryCategoryEnum, description: 'Only memories of this category.' }),
    },
    resolve: (user, args, ctx) => ctx.memory.memoryList(user.name, args),
  }),
}));

builder.mutationFields((t) => ({
  updateMemory: t.field({
    type: MemoryObject,
    description:
      'Changes one of the user\'s memories (its text, category or importance). An id the user has no memory with is ' +
      'BAD_USER_INPUT. Searches, lists, the profile and the biography reflect it from then on.',
    args: {
      id: t.arg.id({ required: true, description: "MemSync's id of the memory." }),
      content: t.arg.string({ description: 'The new text.' }),
      category: t.arg({ type: MemoryCategoryEnum, description: 'The new category.' }),
      importance: t.arg.float({ description: 'The new importance, 0 to 1.' }),
      user: t.arg.string({ description: 'Whose memory. Defaults to the JWT caller; required for service keys.' }),
    },
    resolve: async (_root, args, ctx) => fromUpdated(await ctx.memory.updateMemory(resolveTargetUser(ctx, args.user), args)),
  }),
  deleteMemories: t.field({
    type: DeletedMemoriesType,
    description: "Deletes some of the user's memories (MemSync's batch delete). Ids the user has no memory with come back in `notFound`.",
    args: {
      ids: t.arg.idList({ required: true, description: 'The memories, 1 to 1000 ids.' }),
      user: t.arg.string({ description: 'Whose memories. Defaults to the JWT caller; required for service keys.' }),
    },
    resolve: (_root, args, ctx) => ctx.memory.deleteMemories(resolveTargetUser(ctx, args.user), args.ids),
  }),
  updateBiography: t.field({
    type: BiographyResultType,
    description:
      "Corrects the user's biography by hand (`text`, at most MemSync's 500 words, else BAD_USER_INPUT naming the limit; " +
      'with `manualOverride` it stays when new memories arrive), or without `text` regenerates it in the format and style ' +
      'asked (under the same 10-minute cooldown as refreshBiography: RATE_LIMITED with retryAfter).',
    args: {
      text: t.arg.string({ description: 'The biography, by hand. Omit to regenerate.' }),
      format: t.arg({ type: BiographyFormatEnum, description: 'The format. Default FULL.' }),
      style: t.arg({ type: BiographyStyleEnum, description: 'The style. Default NARRATIVE.' }),
      manualOverride: t.arg.boolean({ description: 'Keep the text even when significant new memories arrive.' }),
      user: t.arg.string({ description: 'Whose biography. Defaults to the JWT caller; required for service keys.' }),
    },
    resolve: (_root, args, ctx) => ctx.memory.updateBiography(resolveTargetUser(ctx, args.user), args),
  }),
}));
