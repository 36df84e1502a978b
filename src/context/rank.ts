/**
 * Ranking of context pieces against a query. The scoring, in full:
 *
 *   score = 0.70 * relevance + 0.20 * recency + 0.10 * prior
 *
 * - relevance (0..1): the stronger of two signals. BM25 of the piece's text against the query
 *   (minisearch's BM25+, over all the pieces of this context, terms as in ./terms.ts (stemmed), query
 *   terms of 4+ letters also match as prefixes), divided by the best BM25 among the pieces; and the
 *   upstream's own judgement where it ranked the piece for this query: a MemSync memory's
 *   `1 - vector_distance` (clamped to 0..1), a Synvo search hit's `0.5 / (1 + rank)` (a rank
 *   without a score counts for at most half).
 * - recency (0..1): `0.5 ^ (age in days / 90)` of the time the fact is about (an event's happen or
 *   mention time, a memory's last update, a file's upload); 0 for pieces without one.
 * - prior (0..1), by kind: profile 1.0, biography 0.8, memory 0.5, event 0.4, file 0.3. Stable facts
 *   first when nothing in the query decides.
 * Ties keep the order the pieces were given in.
 */
import MiniSearch from 'minisearch';
import type { ContextCandidate, ContextKind, RankedCandidate } from './types.js';
import { toTerm } from './terms.js';

export const SCORE_WEIGHTS = { relevance: 0.7, recency: 0.2, prior: 0.1 } as const;
export const RECENCY_HALF_LIFE_DAYS = 90;
export const KIND_PRIOR: Readonly<Record<ContextKind, number>> = {
  profile: 1,
  biography: 0.8,
  memory: 0.5,
  event: 0.4,
  file: 0.3,
};

const DAY_MS = 86_400_000;

/** BM25 of each candidate against the query, divided by the best one (all 0 when nothing matches). */
export function lexicalRelevance(candidates: readonly ContextCandidate[], query: string): number[] {
  const scores = new Array<number>(candidates.length).fill(0);
  if (candidates.length === 0) return scores;
  const index = new MiniSearch<{ id: number; text: string }>({
    fields: ['text'],
    processTerm: (term) => toTerm(term) ?? null,
    searchOptions: { prefix: (term) => term.length >= 4, combineWith: 'OR' },
  });
  index.addAll(candidates.map((c, id) => ({ id, text: c.text })));
  const hits = index.search(query);
  const best = hits.reduce((max, hit) => Math.max(max, hit.score), 0);
  if (best <= 0) return scores;
  for (const hit of hits) scores[hit.id as number] = hit.score / best;
  return scores;
}

export function recency(time: Date | null, now: Date): number {
  if (!time) return 0;
  const ageDays = Math.max(0, (now.getTime() - time.getTime()) / DAY_MS);
  return 0.5 ** (ageDays / RECENCY_HALF_LIFE_DAYS);
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

/** The candidates with their scores, best first (stable). */
export function rankCandidates(candidates: readonly ContextCandidate[], query: string, now: Date): RankedCandidate[] {
  const lexical = lexicalRelevance(candidates, query);
  return candidates
    .map((candidate, i) => {
      const relevance = Math.max(lexical[i] ?? 0, candidate.upstreamRelevance ?? 0);
      const fresh = recency(candidate.time, now);
      const score =
        SCORE_WEIGHTS.relevance * relevance + SCORE_WEIGHTS.recency * fresh + SCORE_WEIGHTS.prior * KIND_PRIOR[candidate.kind];
      return { ...candidate, relevance: round(relevance), score: round(score), order: i };
    })
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .map(({ order: _order, ...ranked }) => ({ ...ranked, duplicates: [] }));
}
