/**
 * Deterministic memory extraction, standing in for MemSync's LLM. The rules (also in README.md):
 * - only `user` messages are read (assistant and system messages are context, not facts);
 * - each sentence that speaks about the user (a first-person word: I, I'm, my, me, mine, myself,
 *   we, our) and is not a question becomes one memory;
 * - the memory is the sentence in the third person: "I love hiking" -> "User loves hiking",
 *   "my" -> "their", "me" -> "them", "we" -> "they", "our" -> "their";
 * - categories come from keyword lists (a memory may have several; none matched: `identity`);
 * - the type is `episodic` when the sentence has a time reference (yesterday, last week, a
 *   weekday, a month, a year, "ago", ...), else `semantic`.
 */
import { capitalize, countWords, sentences } from './text.js';

export const MEMORY_CATEGORIES = [
  'identity', 'career', 'interests', 'relationships', 'health',
  'finance', 'learning', 'travel', 'productivity', 'private',
] as const;
export type MemoryCategory = (typeof MEMORY_CATEGORIES)[number];

/** Keyword stems per category, matched at the start of a word, case-insensitively. */
const CATEGORY_KEYWORDS: Record<MemoryCategory, string[]> = {
  identity: ['name', 'born', 'years old', 'birthday', 'live in', 'living in', 'based in', 'grew up', 'hometown', 'nationality', 'pronoun', 'citizen', 'moved to'],
  career: ['work', 'job', 'scientist', 'analyst', 'designer', 'teacher', 'nurse', 'lawyer', 'consultant', 'founder', 'architect', 'researcher', 'accountant', 'career', 'engineer', 'developer', 'programm', 'python', 'typescript', 'startup', 'company', 'employer', 'manager', 'team', 'colleague', 'office', 'client', 'promot', 'profession', 'project', 'intern', 'boss'],
  interests: ['love', 'enjoy', 'hobby', 'hobbies', 'hik', 'read', 'music', 'movie', 'film', 'game', 'gaming', 'sport', 'cook', 'photograph', 'fan of', 'favorite', 'favourite', 'passion', 'garden', 'paint', 'guitar', 'piano', 'sustainab', 'chess', 'tennis', 'football', 'soccer', 'basketball', 'climb', 'swim', 'surf', 'skiing', 'board game', 'puzzle', 'jazz', 'concert'],
  relationships: ['wife', 'husband', 'partner', 'family', 'kid', 'child', 'son', 'daughter', 'mother', 'father', 'mom', 'dad', 'parent', 'friend', 'sister', 'brother', 'married', 'girlfriend', 'boyfriend', 'colleague', 'mentor', 'neighbor', 'neighbour'],
  health: ['health', 'doctor', 'exercise', 'gym', 'running', 'diet', 'allerg', 'sleep', 'medic', 'yoga', 'meditat', 'weight', 'vegan', 'vegetarian', 'wellness', 'well-being', 'injur', 'fitness'],
  finance: ['money', 'budget', 'salary', 'invest', 'saving', 'stock', 'mortgage', 'rent', 'loan', 'bank', 'debt', 'retire', 'financ', 'crypto', 'tax'],
  learning: ['learn', 'course', 'study', 'studies', 'studying', 'university', 'degree', 'class', 'student', 'research', 'tutorial', 'certif', 'school', 'lecture', 'book', 'master', 'phd'],
  travel: ['travel', 'trip', 'flight', 'fly', 'flew', 'visit', 'vacation', 'holiday', 'abroad', 'conference', 'journey', 'tour'],
  productivity: ['schedule', 'routine', 'to-do', 'todo', 'deadline', 'calendar', 'focus', 'habit', 'productiv', 'meeting', 'organi', 'notes', 'pomodoro', 'deep work', 'plan my', 'planner'],
  private: ['password', 'social security', 'ssn', 'secret', 'private', 'confidential', 'diagnos', 'therap', 'pin code', 'bank account'],
};

const TIME_REFERENCE =
  /\b(yesterday|today|tonight|tomorrow|this (morning|afternoon|evening|week|month|year)|last (night|week|month|year|spring|summer|fall|autumn|winter|weekend)|next (week|month|year|weekend)|recently|ago|monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august|september|october|november|december|(19|20)\d\d)\b/i;

const FIRST_PERSON = /\b(i|i'm|i've|i'd|i'll|my|me|mine|myself|we|our|we're|we've)\b/i;

function matches(lower: string, keyword: string): boolean {
  const escaped = keyword.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^a-z])${escaped}`).test(lower);
}

/** Categories of a memory text, in the canonical order; `identity` when nothing matched. */
export function categorize(text: string): MemoryCategory[] {
  const lower = text.toLowerCase();
  const found = MEMORY_CATEGORIES.filter((category) => CATEGORY_KEYWORDS[category].some((k) => matches(lower, k)));
  return found.length > 0 ? found : ['identity'];
}

export function memoryType(text: string): 'episodic' | 'semantic' {
  return TIME_REFERENCE.test(text) ? 'episodic' : 'semantic';
}

const AUXILIARIES: Record<string, string> = {
  am: 'is', "'m": 'is', was: 'was', have: 'has', "'ve": 'has', do: 'does', "don't": "doesn't",
  will: 'will', "'ll": 'will', would: 'would', "'d": 'would', can: 'can', "can't": "can't",
  could: 'could', should: 'should', might: 'might', must: 'must', "won't": "won't", "didn't": "didn't",
  did: 'did', had: 'had', "wasn't": "wasn't", "haven't": "hasn't", "couldn't": "couldn't",
};

/** First-person words other than "I"; "we" keeps its plural verb as "they". */
const PRONOUNS: Record<string, string> = {
  my: 'their', me: 'them', mine: 'theirs', myself: 'themselves',
  we: 'they', "we're": "they're", "we've": "they've", our: 'their', ours: 'theirs', us: 'them',
};

const PAST_TENSE = new Set(['went', 'was', 'were', 'had', 'did', 'got', 'made', 'took', 'saw', 'met', 'moved', 'began', 'started', 'left', 'bought', 'came', 'ran', 'wrote', 'read', 'spent', 'found', 'became', 'grew', 'flew', 'won', 'lost', 'used']);
const ADVERBS = new Set(['also', 'just', 'never', 'always', 'often', 'still', 'usually', 'sometimes', 'now', 'mostly', 'rarely', 'even']);

function thirdPerson(verb: string): string {
  const lower = verb.toLowerCase();
  if (PAST_TENSE.has(lower) || /ed$/.test(lower)) return verb;
  if (lower === 'go') return 'goes';
  if (/(s|sh|ch|x|z|o)$/.test(lower)) return `${verb}es`;
  if (/[^aeiou]y$/.test(lower)) return `${verb.slice(0, -1)}ies`;
  return `${verb}s`;
}

/** Rewrites a first-person sentence about the user in the third person, as a memory. */
export function toThirdPerson(sentence: string): string {
  const words = sentence.trim().replace(/[!]+$/, '.').split(/\s+/);
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const bare = word.replace(/[^A-Za-z']/g, '');
    const trail = word.slice(word.search(/[^A-Za-z']*$/));
    const subject = out.length === 0 ? 'User' : 'the user';
    const contraction = /^I('m|'ve|'ll|'d)$/i.exec(bare);
    if (bare === 'I' || contraction) {
      if (contraction) {
        out.push(`${subject} ${AUXILIARIES[contraction[1]!.toLowerCase()]}${trail}`);
        continue;
      }
      out.push(subject + trail);
      // Conjugate the verb after "I", skipping one adverb ("I really love" -> "really loves").
      let j = i + 1;
      if (words[j] && (/ly$/i.test(words[j]!) || ADVERBS.has(words[j]!.toLowerCase())) && words[j + 1]) {
        out.push(words[j]!);
        j += 1;
      }
      const next = words[j];
      if (next) {
        const nextBare = next.replace(/[^A-Za-z']/g, '');
        const nextTrail = next.slice(nextBare.length);
        const aux = AUXILIARIES[nextBare.toLowerCase()];
        out.push((aux ?? thirdPerson(nextBare)) + nextTrail);
        i = j;
      }
      continue;
    }
    const lower = bare.toLowerCase();
    const pronoun = PRONOUNS[lower];
    if (pronoun) {
      out.push((out.length === 0 ? (lower === 'my' ? "User's" : capitalize(pronoun)) : pronoun) + trail);
      continue;
    }
    out.push(word);
  }
  let text = out.join(' ');
  if (!/[.!?]$/.test(text)) text += '.';
  return text;
}

export interface ExtractedMemory {
  memory: string;
  categories: MemoryCategory[];
  type: 'episodic' | 'semantic';
}

export interface ChatMessageInput {
  role: 'user' | 'assistant' | 'system';
  content: string;
}

/** Applies the extraction rules above to a conversation. */
export function extractMemories(messages: ChatMessageInput[]): ExtractedMemory[] {
  const out: ExtractedMemory[] = [];
  for (const message of messages) {
    if (message.role !== 'user') continue;
    for (const sentence of sentences(message.content)) {
      if (sentence.endsWith('?') || !FIRST_PERSON.test(sentence) || countWords(sentence) < 3) continue;
      const memory = toThirdPerson(sentence);
      out.push({ memory, categories: categorize(sentence), type: memoryType(sentence) });
    }
  }
  return out;
}
