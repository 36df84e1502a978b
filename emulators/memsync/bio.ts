/**
 * Bio rules and deterministic composition, standing in for MemSync's LLM (see README.md).
 *
 * A generation is a snapshot of the user's memories at one time; every format, style and
 * `exclude_categories` is rendered from that snapshot, so they share `generated_at`.
 */
import { MEMORY_CATEGORIES, type MemoryCategory } from './extract.js';
import type { StoredMemory } from './store.js';
import { capitalize, countWords, isoTime } from './text.js';

export const BIO_FORMATS = ['full', 'short', 'bullets', 'professional'] as const;
export const BIO_STYLES = ['narrative', 'factual', 'casual', 'formal'] as const;
export type BioFormat = (typeof BIO_FORMATS)[number];
export type BioStyle = (typeof BIO_STYLES)[number];

export const MIN_MEMORIES = 5;
export const MIN_CATEGORIES = 2;
/** A memory counts only with more than this many words. */
export const MIN_WORDS_EXCLUSIVE = 10;
/** New memories since the last generation that make a bio stale. */
export const SIGNIFICANT_NEW_MEMORIES = 3;
export const BIO_TTL_MS = 7 * 24 * 60 * 60 * 1000;
export const REFRESH_COOLDOWN_MS = 10 * 60 * 1000;

export interface BioSnapshot {
  memories: readonly StoredMemory[];
  /** How many memories the user had at generation (for "significant new memories"). */
  memoryCount: number;
  generatedAt: number;
  expiresAt: number;
}

export interface Eligibility {
  ok: boolean;
  /** Memories a bio may use: not private, not excluded, over 10 words. */
  usable: StoredMemory[];
  /** Categories the usable memories carry, in canonical order. */
  categories: MemoryCategory[];
  suggestion: string;
}

/** Applies the generation requirements to a set of memories. */
export function assess(memories: readonly StoredMemory[], exclude: ReadonlySet<string>): Eligibility {
  const usable = memories.filter(
    (m) =>
      !m.categories.includes('private') &&
      !m.categories.some((c) => exclude.has(c)) &&
      countWords(m.memory) > MIN_WORDS_EXCLUSIVE,
  );
  const present = new Set(usable.flatMap((m) => m.categories));
  const categories = MEMORY_CATEGORIES.filter((c) => present.has(c));
  let suggestion = '';
  if (memories.length < MIN_MEMORIES) suggestion = `Store at least ${MIN_MEMORIES} memories to generate a bio`;
  else if (usable.length < MIN_MEMORIES)
    suggestion = `Store at least ${MIN_MEMORIES} memories of more than ${MIN_WORDS_EXCLUSIVE} words each, outside the private and excluded categories`;
  else if (categories.length < MIN_CATEGORIES) suggestion = `Store memories from at least ${MIN_CATEGORIES} different categories`;
  return { ok: suggestion === '', usable, categories, suggestion };
}

export function createSnapshot(memories: readonly StoredMemory[], now: number): BioSnapshot {
  return { memories: [...memories], memoryCount: memories.length, generatedAt: now, expiresAt: now + BIO_TTL_MS };
}

/** The wire body of a bio, exactly as `GET /profile/bio` sends it. */
export interface BioBody {
  bio: string;
  format: BioFormat;
  style: BioStyle;
  word_count: number;
  character_count: number;
  confidence: number;
  source_memories: number;
  categories_included: string[];
  key_themes: string[];
  generated_at: string;
  expires_at: string;
}

// ------------------------------------------------------------------ wording

/** What a memory says about the user, without the subject: "works as a ...". */
function predicateOf(memory: string): string | null {
  const match = /^User\s+(?!'s)(.+?)[.!]?$/.exec(memory.trim());
  return match ? match[1]! : null;
}

/** "is x" -> "is also x"; "works" -> "also works". */
function withAlso(predicate: string): string {
  const m = /^(is|has|was|will|can|would|does)\s+(.*)$/.exec(predicate);
  return m ? `${m[1]} also ${m[2]}` : `also ${predicate}`;
}

const NARRATIVE_OPENERS: Record<MemoryCategory, string> = {
  identity: 'Based on what they have shared, the user',
  career: 'Professionally, the user',
  learning: 'Always learning, the user',
  interests: 'Outside of work, the user',
  relationships: 'Relationships matter a great deal: the user',
  health: 'For their well-being, the user',
  travel: 'On the move, the user',
  finance: 'Financially, the user',
  productivity: 'To stay productive, the user',
  private: 'The user',
};

/** One sentence about a memory, in a style; `position` is its index within its paragraph. */
function sentence(memory: StoredMemory, category: MemoryCategory, style: BioStyle, position: number): string {
  const predicate = predicateOf(memory.memory);
  if (!predicate) return capitalize(memory.memory.replace(/\bUser\b/g, 'the user').replace(/[.!]?$/, '.'));
  switch (style) {
    case 'narrative':
      if (position === 0) return `${NARRATIVE_OPENERS[category]} ${predicate}.`;
      return position % 2 === 1 ? `The user ${withAlso(predicate)}.` : `Beyond that, the user ${predicate}.`;
    case 'factual':
      return `The user ${predicate}.`;
    case 'casual':
      if (position === 0) return `They're someone who ${predicate}.`;
      return position % 2 === 1 ? `Oh, and they're also someone who ${predicate}.` : `Fun fact: they're someone who ${predicate}.`;
    case 'formal':
      if (position === 0) return `The individual ${predicate}.`;
      return position % 2 === 1 ? `Furthermore, the individual ${predicate}.` : `Additionally, the individual ${predicate}.`;
  }
}

function list(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function themesSentence(themes: string[], style: BioStyle, professional = false): string {
  const t = list(themes.map((x) => x.replace(/\b[A-Z][a-z]+/g, (w) => w.toLowerCase())));
  if (professional) {
    switch (style) {
      case 'narrative': return `Their professional focus spans ${t}.`;
      case 'factual': return `Professional focus areas: ${t}.`;
      case 'casual': return `Work-wise, they're all about ${t}.`;
      case 'formal': return `The individual's professional focus encompasses ${t}.`;
    }
  }
  switch (style) {
    case 'narrative': return `Their life is shaped by ${t}.`;
    case 'factual': return `Main themes: ${t}.`;
    case 'casual': return `They're really into ${t}!`;
    case 'formal': return `The principal themes of the individual's profile are ${t}.`;
  }
}

const KEYWORD_THEMES: [string, RegExp][] = [
  ['Technology and AI', /\b(ai|artificial intelligence|machine learning|software|technolog|data|neural|comput|python|programm)/i],
  ['Healthcare Innovation', /\b(health-tech|healthcare|clinical|diagnos|medical|patient)/i],
  ['Sustainability', /\b(sustainab|green|climate|renewable)/i],
];

const CATEGORY_THEMES: [MemoryCategory, string][] = [
  ['learning', 'Continuous Learning'],
  ['relationships', 'Family and Relationships'],
  ['interests', 'Hobbies and Interests'],
  ['travel', 'Travel'],
  ['health', 'Health and Wellness'],
  ['finance', 'Financial Literacy'],
  ['productivity', 'Productivity'],
  ['career', 'Career Growth'],
  ['identity', 'Personal Background'],
];

/** Up to 5 themes: keyword themes first, then Work-Life Balance, then themes of the categories present. */
export function keyThemes(memories: readonly StoredMemory[], categories: readonly MemoryCategory[]): string[] {
  const text = memories.map((m) => m.memory).join(' ');
  const themes = KEYWORD_THEMES.filter(([, re]) => re.test(text)).map(([name]) => name);
  const has = new Set(categories);
  if (has.has('career') && (has.has('interests') || has.has('relationships') || has.has('health'))) themes.push('Work-Life Balance');
  for (const [category, name] of CATEGORY_THEMES) if (has.has(category)) themes.push(name);
  return themes.slice(0, 5);
}

/** The memory's category for grouping: its first category that is not excluded. */
function primaryCategory(memory: StoredMemory): MemoryCategory {
  return memory.categories[0] ?? 'identity';
}

function paragraphs(memories: StoredMemory[], style: BioStyle): string[] {
  const groups = new Map<MemoryCategory, StoredMemory[]>();
  for (const category of MEMORY_CATEGORIES) groups.set(category, []);
  for (const m of memories) groups.get(primaryCategory(m))!.push(m);
  const out: string[] = [];
  for (const [category, group] of groups) {
    if (group.length === 0) continue;
    out.push(group.map((m, i) => sentence(m, category, style, i)).join(' '));
  }
  return out;
}

const PROFESSIONAL: ReadonlySet<MemoryCategory> = new Set(['career', 'learning']);

/**
 * Renders a bio from a snapshot, or `null` when the snapshot, with `exclude` applied, does not
 * meet the generation requirements.
 */
export function renderBio(
  snapshot: BioSnapshot,
  format: BioFormat,
  style: BioStyle,
  exclude: ReadonlySet<string>,
): BioBody | null {
  const { ok, usable, categories } = assess(snapshot.memories, exclude);
  if (!ok) return null;
  const themes = keyThemes(usable, categories);
  let text: string;
  let used = usable;
  switch (format) {
    case 'full':
      text = [...paragraphs(usable, style), themesSentence(themes, style)].join('\n\n');
      break;
    case 'short': {
      const lead = usable.find((m) => m.categories.includes('career')) ?? usable.find((m) => m.categories.includes('identity')) ?? usable[0]!;
      text = `${sentence(lead, primaryCategory(lead), style, 0)} ${themesSentence(themes.slice(0, 3), style)}`;
      break;
    }
    case 'bullets':
      text = usable.map((m) => `- ${sentence(m, primaryCategory(m), style, 0)}`).join('\n');
      break;
    case 'professional': {
      const career = usable.filter((m) => m.categories.some((c) => PROFESSIONAL.has(c)));
      used = career.length > 0 ? career : usable.slice(0, 1);
      const careerThemes = keyThemes(used, categories.filter((c) => PROFESSIONAL.has(c)));
      text = [used.map((m, i) => sentence(m, 'career', style, i)).join(' '), themesSentence(careerThemes.length ? careerThemes : themes, style, true)].join('\n\n');
      break;
    }
  }
  const usedCategories = MEMORY_CATEGORIES.filter((c) => used.some((m) => m.categories.includes(c)));
  return {
    bio: text,
    format,
    style,
    word_count: countWords(text),
    character_count: text.length,
    confidence: Math.round(Math.min(0.95, 0.5 + 0.03 * used.length + 0.02 * usedCategories.length) * 100) / 100,
    source_memories: used.length,
    categories_included: usedCategories,
    key_themes: themes,
    generated_at: isoTime(snapshot.generatedAt),
    expires_at: isoTime(snapshot.expiresAt),
  };
}
