/**
 * The graph's enums, GraphQL-cased. Internal values are the upstreams' lower-case strings, so
 * resolvers hand them to the clients unchanged.
 */
import { inputRules } from '../../memory/index.js';
import type { MemoryCategoryName } from '../../upstream/types.js';
import { builder } from '../builder.js';

export const EventTypeEnum = builder.enumType('EventType', {
  description: 'What a Synvo event is about.',
  values: {
    PERSONAL: { value: 'personal', description: 'Personal life.' },
    FINANCIAL: { value: 'financial', description: 'Money matters.' },
    PROFESSIONAL: { value: 'professional', description: 'Work and career.' },
    EDUCATIONAL: { value: 'educational', description: 'Studies and learning.' },
    SOCIAL: { value: 'social', description: 'Friends, family and communities.' },
    OTHER: { value: 'other', description: 'A type this gateway does not know yet (Synvo may add types).' },
  } as const,
});


export const BiographyFormatEnum = builder.enumType('BiographyFormat', {
  description: 'The shape of a MemSync biography.',
  values: {
    FULL: { value: 'full', description: 'A full biography of several paragraphs.' },
    SHORT: { value: 'short', description: 'A short summary of a few sentences.' },
    BULLETS: { value: 'bullets', description: 'A bulleted list of facts.' },
    PROFESSIONAL: { value: 'professional', description: 'A professional profile (career and skills).' },
  } as const,
});

export const BiographyStyleEnum = builder.enumType('BiographyStyle', {
  description: 'The tone of a MemSync biography.',
  values: {
    NARRATIVE: { value: 'narrative', description: 'Flowing prose.' },
    FACTUAL: { value: 'factual', description: 'Plain statements of fact.' },
    CASUAL: { value: 'casual', description: 'Informal and friendly.' },
    FORMAL: { value: 'formal', description: 'Formal and reserved.' },
  } as const,
});

export const MemoryCategoryEnum = builder.enumType('MemoryCategory', {
  description: 'The category of a MemSync memory.',
  values: {
    IDENTITY: { value: 'identity', description: 'Who the user is: name, origin, languages.' },
    CAREER: { value: 'career', description: 'Work, employers, skills.' },
    INTERESTS: { value: 'interests', description: 'Hobbies and tastes.' },
    RELATIONSHIPS: { value: 'relationships', description: 'Family, friends, colleagues.' },
    HEALTH: { value: 'health', description: 'Health and fitness.' },
    FINANCE: { value: 'finance', description: 'Money matters.' },
    LEARNING: { value: 'learning', description: 'Studies and things being learnt.' },
    TRAVEL: { value: 'travel', description: 'Trips and places.' },
    PRODUCTIVITY: { value: 'productivity', description: 'Habits, tools and ways of working.' },
    PRIVATE: { value: 'private', description: 'Private memories (never used in biographies).' },
  } as const,
});

/** The categories of `list` the graph knows (MemoryCategory values), in order. */
export function knownCategories(list: readonly string[]): MemoryCategoryName[] {
  return list.filter((c) => inputRules.MEMORY_CATEGORIES.has(c)) as MemoryCategoryName[];
}

export const MemoryTypeEnum = builder.enumType('MemoryType', {
  description: 'How MemSync classifies a memory.',
  values: {
    SEMANTIC: { value: 'semantic', description: 'A lasting fact about the user.' },
    EPISODIC: { value: 'episodic', description: 'Something that happened at a point in time.' },
  } as const,
});

export const FileStatusEnum = builder.enumType('FileStatus', {
  description: "Where Synvo is in processing an uploaded file.",
  values: {
    PENDING: { value: 'PENDING', description: 'Uploaded; not processed yet.' },
    COMPLETED: { value: 'COMPLETED', description: "Processed: the user's profile, events and search reflect it." },
    FAILED: { value: 'FAILED', description: 'Processing failed.' },
    UNKNOWN: { value: 'UNKNOWN', description: 'Synvo does not know this file (for this user).' },
  } as const,
});

export const MessageRoleEnum = builder.enumType('MessageRole', {
  description: 'Who wrote a chat message.',
  values: {
    USER: { value: 'user', description: 'The user.' },
    ASSISTANT: { value: 'assistant', description: 'The assistant.' },
    SYSTEM: { value: 'system', description: 'The system prompt.' },
  } as const,
});
