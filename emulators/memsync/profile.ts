/**
 * `GET /profile`: the account's profile composed from its memories by fixed rules (standing in
 * for MemSync's LLM; see README.md): category profiles, insights, traits and statistics.
 */
import { MEMORY_CATEGORIES, type MemoryCategory } from './extract.js';
import type { StoredMemory } from './store.js';
import { isoTime } from './text.js';

export const PROFILE_SECTIONS = ['bio', 'categories', 'insights', 'stats', 'traits'] as const;
export type ProfileSection = (typeof PROFILE_SECTIONS)[number];
export const DEFAULT_PROFILE_SECTIONS: readonly ProfileSection[] = ['bio', 'categories', 'stats'];

const CATEGORY_TITLES: Record<MemoryCategory, string> = {
  identity: 'Personal background',
  career: 'Professional life',
  interests: 'Hobbies and interests',
  relationships: 'People who matter',
  health: 'Health and wellness',
  finance: 'Finances',
  learning: 'Learning and growth',
  travel: 'Travel',
  productivity: 'Work habits',
  private: 'Private',
};

/** An insight per category with at least this many memories. */
const INSIGHT_MIN_MEMORIES = 2;

const INSIGHTS: Record<MemoryCategory, { title: string; description: string }> = {
  identity: { title: 'Clear sense of self', description: 'Shares where they come from and what defines them.' },
  career: { title: 'Strong professional focus', description: 'Work and professional growth come up consistently.' },
  interests: { title: 'Active personal interests', description: 'Makes time for hobbies and passions outside of work.' },
  relationships: { title: 'Relationship-centred', description: 'Family, friends and colleagues appear often in what they share.' },
  health: { title: 'Health-conscious', description: 'Pays attention to well-being, exercise and rest.' },
  finance: { title: 'Financially engaged', description: 'Thinks about money, budgets and long-term decisions.' },
  learning: { title: 'Strong learning orientation', description: 'Shows a consistent pattern of seeking new knowledge and skills.' },
  travel: { title: 'Frequent traveller', description: 'Travel, for work or leisure, is a recurring theme.' },
  productivity: { title: 'Deliberate about productivity', description: 'Organises time and routines carefully.' },
  private: { title: 'Keeps some matters private', description: 'Some memories are marked private and stay out of summaries.' },
};

/** Traits and the word starts that show them. */
const TRAITS: Array<{ trait: string; category: MemoryCategory; keywords: RegExp }> = [
  { trait: 'Curiosity', category: 'learning', keywords: /\b(learn|read|course|explor|curio|study|research)/i },
  { trait: 'Collaboration', category: 'relationships', keywords: /\b(collaborat|colleague|team|together|works closely|consult)/i },
  { trait: 'Conscientiousness', category: 'productivity', keywords: /\b(routine|block|plan|schedule|organi|deep work|priorit)/i },
  { trait: 'Adventurousness', category: 'interests', keywords: /\b(hik|travel|explor|trail|climb|adventur)/i },
  { trait: 'Care for others', category: 'relationships', keywords: /\b(family|friend|patient|help|volunteer|care)/i },
  { trait: 'Environmental awareness', category: 'interests', keywords: /\b(sustainab|green|bike|climate|renewable)/i },
];

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Capitalised word pairs such as "Sarah Johnson", "Dr. Martinez": the people a memory mentions. */
function participants(text: string): string[] {
  return text.match(/\b(?:Dr\. |Mr\. |Mrs\. |Ms\. )?[A-Z][a-z]+ [A-Z][a-z]+\b|\bDr\. [A-Z][a-z]+\b/g)?.filter((p) => !/^(User|The|San|Bay|Point|Mission|Marin)\b/.test(p)) ?? [];
}

/** Places after "in"/"to"/"at": "San Francisco", "Lisbon". */
function locations(text: string): string[] {
  return [...text.matchAll(/\b(?:in|to|at|from)(?: the)? ((?:[A-Z][a-z]+)(?: [A-Z][a-z]+)?)\b/g)].map((m) => m[1]!).filter((p) => !/^(User|The|Python)$/.test(p));
}

function topCounts(values: string[], n: number): string[] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n).map(([v]) => v);
}

export interface ProfileOptions {
  userId: string;
  sections: ReadonlySet<ProfileSection>;
  /** Only this category's profile. */
  category?: MemoryCategory;
  /** The current bio (generated or manual), for the `bio` section. */
  bio: { summary: string; generatedAt: number; confidence: number; wordCount: number } | null;
  now: number;
}

/** The wire body of `GET /profile`, from the account's memories. */
export function composeProfile(memories: readonly StoredMemory[], o: ProfileOptions): Record<string, unknown> {
  const body: Record<string, unknown> = { user_id: o.userId };
  const lastUpdated = Math.max(...memories.map((m) => m.updatedAt ?? m.createdAt));
  const inCategory = (c: MemoryCategory) => memories.filter((m) => m.categories.includes(c));
  const categories = MEMORY_CATEGORIES.filter((c) => (o.category ? c === o.category : true) && inCategory(c).length > 0);

  if (o.sections.has('bio')) {
    body.bio = o.bio
      ? { summary: o.bio.summary, generated_at: isoTime(o.bio.generatedAt), confidence: o.bio.confidence, word_count: o.bio.wordCount }
      : null;
  }
  if (o.sections.has('categories')) {
    body.categories = Object.fromEntries(
      categories.map((c) => {
        const own = inCategory(c);
        const last = Math.max(...own.map((m) => m.updatedAt ?? m.createdAt));
        // Private memories are counted, never quoted (also where they carry another category too).
        const quotable = own.filter((m) => !m.categories.includes('private'));
        const detail = quotable.length === 0
          ? { title: CATEGORY_TITLES[c], summary: `${own.length} private ${own.length === 1 ? 'memory' : 'memories'}` }
          : {
              title: CATEGORY_TITLES[c],
              summary: quotable[quotable.length - 1]!.memory,
              highlights: quotable.slice(-3).reverse().map((m) => m.memory),
              people: topCounts(quotable.flatMap((m) => participants(m.memory)), 5),
            };
        return [c, { ...detail, memory_count: own.length, last_updated: isoTime(last) }];
      }),
    );
  }
  if (o.sections.has('insights')) {
    body.insights = categories
      .filter((c) => c !== 'private' && inCategory(c).length >= INSIGHT_MIN_MEMORIES)
      .map((c) => {
        const count = inCategory(c).length;
        return {
          insight_id: `insight_${c}`,
          ...INSIGHTS[c],
          category: c,
          confidence: round2(Math.min(0.95, 0.5 + 0.05 * count)),
          generated_at: isoTime(lastUpdated),
          memory_count: count,
        };
      });
  }
  if (o.sections.has('traits')) {
    const visible = memories.filter((m) => !m.categories.includes('private'));
    body.traits = TRAITS.map((t) => ({ ...t, evidence: visible.filter((m) => t.keywords.test(m.memory)).length }))
      .filter((t) => t.evidence > 0 && (!o.category || t.category === o.category))
      .sort((a, b) => b.evidence - a.evidence || a.trait.localeCompare(b.trait))
      .map((t) => ({ trait: t.trait, strength: round2(Math.min(0.95, 0.4 + 0.1 * t.evidence)), evidence_count: t.evidence, category: t.category }));
  }
  if (o.sections.has('stats')) {
    const byCategory: Record<string, number> = {};
    for (const c of MEMORY_CATEGORIES) {
      const n = inCategory(c).length;
      if (n > 0) byCategory[c] = n;
    }
    const byType: Record<string, number> = { semantic: 0, episodic: 0 };
    for (const m of memories) byType[m.type] = (byType[m.type] ?? 0) + 1;
    const created = memories.map((m) => m.createdAt);
    const visible = memories.filter((m) => !m.categories.includes('private'));
    body.stats = {
      total_memories: memories.length,
      by_category: byCategory,
      by_type: byType,
      date_range: { first_memory: isoTime(Math.min(...created)), last_memory: isoTime(Math.max(...created)) },
      avg_importance: round2(memories.reduce((sum, m) => sum + m.importance, 0) / memories.length),
      top_participants: topCounts(visible.flatMap((m) => participants(m.memory)), 3),
      top_locations: topCounts(visible.flatMap((m) => locations(m.memory)), 3),
    };
  }
  body.last_updated = isoTime(lastUpdated);
  return body;
}
