/** `User.biography`: MemSync's generated biography, or why there is none yet. */
import type { Biography, BiographyNotReady, BiographyResult, MemSyncNotConnected } from '../../memory/index.js';
import { builder } from '../builder.js';
import { BiographyFormatEnum, BiographyStyleEnum, MemoryCategoryEnum, knownCategories } from './enums.js';
import { UserType } from './user.js';

export const BiographyType = builder.objectRef<Biography>('Biography').implement({
  description: 'A biography MemSync wrote from the memories it holds about the user.',
  isTypeOf: (v) => (v as BiographyResult).kind === 'biography',
  fields: (t) => ({
    text: t.string({ description: 'The biography.', resolve: (b) => b.bio.text }),
    format: t.field({ type: BiographyFormatEnum, description: 'Its format.', resolve: (b) => b.format }),
    style: t.field({ type: BiographyStyleEnum, description: 'Its style.', resolve: (b) => b.style }),
    wordCount: t.int({ description: 'Words in the text.', resolve: (b) => b.bio.wordCount }),
    characterCount: t.int({ description: 'Characters in the text.', resolve: (b) => b.bio.characterCount }),
    confidence: t.float({ description: "MemSync's confidence in the biography, from 0 to 1.", resolve: (b) => b.bio.confidence }),
    sourceMemories: t.int({ description: 'How many memories it was written from.', resolve: (b) => b.bio.sourceMemories }),
    categoriesIncluded: t.field({
      type: [MemoryCategoryEnum],
      description: 'The memory categories it draws on.',
      resolve: (b) => knownCategories(b.bio.categoriesIncluded),
    }),
    keyThemes: t.stringList({ description: 'Main themes, in words.', resolve: (b) => b.bio.keyThemes }),
    isManual: t.boolean({ description: 'True for a biography written by hand (updateBiography with text).', resolve: (b) => b.bio.isManual ?? false }),
    generatedAt: t.field({ type: 'DateTime', description: 'When it was written.', resolve: (b) => b.bio.generatedAt }),
    expiresAt: t.field({
      type: 'DateTime',
      description: 'When MemSync will write a new one (sooner if significant memories arrive).',
      resolve: (b) => b.bio.expiresAt,
    }),
  }),
});

export const BiographyNotReadyType = builder.objectRef<BiographyNotReady>('BiographyNotReady').implement({
  description: 'MemSync cannot write a biography yet: it needs more memories.',
  isTypeOf: (v) => (v as BiographyResult).kind === 'notReady',
  fields: (t) => ({
    suggestion: t.exposeString('suggestion', { description: "MemSync's advice on what is missing." }),
    currentMemoryCount: t.exposeInt('currentMemoryCount', {
      nullable: true,
      description: 'How many memories MemSync holds about the user now, when it says.',
    }),
  }),
});

export const MemSyncNotConnectedType = builder.objectRef<MemSyncNotConnected>('MemSyncNotConnected').implement({
  description:
    'The user has not connected a MemSync account, so MemSync holds nothing for them here. Connect one with the ' +
    "connectMemSync mutation (the user's own MemSync API key).",
  isTypeOf: (v) => (v as BiographyResult).kind === 'notConnected',
  fields: (t) => ({
    message: t.string({
      description: 'What to do, in words.',
      resolve: () => 'No MemSync account is connected for this user: connect one with connectMemSync(apiKey).',
    }),
  }),
});

export const BiographyResultType = builder.unionType('BiographyResult', {
  description: 'A biography, the reason there is none yet, or that the user has no MemSync account connected.',
  types: [BiographyType, BiographyNotReadyType, MemSyncNotConnectedType],
  resolveType: (v) => (v.kind === 'biography' ? BiographyType : v.kind === 'notReady' ? BiographyNotReadyType : MemSyncNotConnectedType),
});

builder.objectField(UserType, 'biography', (t) =>
  t.field({
    type: BiographyResultType,
    nullable: true,
    description:
      'The biography MemSync writes from the memories it holds (BiographyNotReady until it has enough; ' +
      'MemSyncNotConnected while the user has no MemSync account connected).',
    args: {
      format: t.arg({ type: BiographyFormatEnum, defaultValue: 'full', description: 'The format. Default FULL.' }),
      style: t.arg({ type: BiographyStyleEnum, defaultValue: 'narrative', description: 'The style. Default NARRATIVE.' }),
      excludeCategories: t.arg({
        type: [MemoryCategoryEnum],
        description: 'Memory categories to leave out (PRIVATE ones are always left out).',
      }),
    },
    resolve: (user, args, ctx) => ctx.memory.biography(user.name, args),
  }),
);
