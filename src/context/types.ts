/** The shapes of context assembly: plain data, no GraphQL, no upstream calls. */
import type { ServiceName } from '../upstream/types.js';

export type ContextKind = 'profile' | 'event' | 'memory' | 'biography' | 'file';

/** Where a piece came from. */
export interface ContextSourceRef {
  kind: ContextKind;
  service: ServiceName;
  /** The upstream's id of the piece (a memory or file id), or a stable id made from it (profile attribute, event). */
  sourceId: string;
}

/** One piece of what is known about the user, before ranking. */
export interface ContextCandidate extends ContextSourceRef {
  /** The piece in words, as the upstream gave it. */
  text: string;
  /** The time the fact is about, when there is one. */
  time: Date | null;
  /** The upstream's own relevance to the query (0..1), when it ranked the piece for this query. */
  upstreamRelevance: number | null;
}

export interface RankedCandidate extends ContextCandidate {
  /** 0..1: see ./rank.ts. */
  relevance: number;
  /** 0..1: see ./rank.ts. */
  score: number;
  /** Near-identical pieces (often from the other upstream) merged into this one. */
  duplicates: ContextSourceRef[];
}

export interface AssembledContext {
  /** The prompt-ready block: one line per item, best first. */
  text: string;
  /** Tokens of `text` by the tokenizer (./tokens.ts). */
  tokens: number;
  /** The items in `text`, in the same order. */
  items: RankedCandidate[];
  /** Ranked items left out because they did not fit the budget. */
  omitted: number;
}
