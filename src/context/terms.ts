/**
 * The one way context text is cut into terms, shared by the ranking (minisearch's `processTerm`)
 * and the near-duplicate test, so both agree on what a word is: minisearch's tokenizer, lower
 * case, English stop words dropped, then the Porter stemmer (`stemmer`), so "hike", "hiking" and
 * "hiked" are one term. Deliberately lexical: the upstreams rank by meaning themselves; this only
 * has to compare the pieces of one context fairly.
 */
import MiniSearch from 'minisearch';
import { stemmer } from 'stemmer';

const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a about after again all also am an and any are as at be been before being both but by can could did do does doing ' +
    'during each few for from further had has have having he her here hers him his how i if in into is it its itself ' +
    'just me more most my no nor not now of off on once only or other our ours out over own same she should so some ' +
    'such than that the their theirs them then there these they this those through to too under until up very was we ' +
    'were what when where which while who whom why will with would you your yours user users'
  ).split(' '),
);

const tokenize = MiniSearch.getDefault('tokenize') as (text: string) => string[];

// Stemming is most of the cost of ranking a context, and a user's words repeat: remember them
// (bounded: forgotten all at once when full).
const STEM_CACHE_MAX = 50_000;
const stems = new Map<string, string | null>();

/** One token as a term, or `null` when it carries no meaning (a stop word, a lone letter). */
export function toTerm(token: string): string | null {
  const cached = stems.get(token);
  if (cached !== undefined) return cached;
  const word = token.toLowerCase().replace(/'s$/, '');
  const term = word.length < 2 || STOP_WORDS.has(word) ? null : stemmer(word);
  if (stems.size >= STEM_CACHE_MAX) stems.clear();
  stems.set(token, term);
  return term;
}

/** The distinct terms of a text. */
export function termSet(text: string): Set<string> {
  const set = new Set<string>();
  for (const token of tokenize(text)) {
    const term = toTerm(token);
    if (term) set.add(term);
  }
  return set;
}
