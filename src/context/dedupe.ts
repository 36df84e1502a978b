/**
 * Near-duplicate removal. Synvo (from files) and MemSync (from conversations) often learn the same
 * fact ("User encouraged colleagues to join the WellFest event ..." is both a Synvo event and a
 * MemSync memory). Two pieces are near-identical when their term sets (./terms.ts) overlap by a
 * Jaccard index of at least 0.7, or when the smaller one, of at least 5 terms, lies at least 90 %
 * inside a larger one of at most twice its terms (so a summary, such as the biography, does not
 * swallow the specific facts it mentions). The better-ranked piece stays and lists the other under `duplicates`.
 */
import type { RankedCandidate } from './types.js';
import { termSet } from './terms.js';

export const JACCARD_THRESHOLD = 0.7;
export const CONTAINMENT_THRESHOLD = 0.9;
export const CONTAINMENT_MIN_TERMS = 5;
export const CONTAINMENT_MAX_RATIO = 2;

export function nearIdentical(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size === 0 || b.size === 0) return false;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const term of small) if (large.has(term)) shared++;
  const jaccard = shared / (a.size + b.size - shared);
  if (jaccard >= JACCARD_THRESHOLD) return true;
  return (
    small.size >= CONTAINMENT_MIN_TERMS &&
    large.size <= CONTAINMENT_MAX_RATIO * small.size &&
    shared / small.size >= CONTAINMENT_THRESHOLD
  );
}

/** Keeps the first of each group of near-identical pieces; `ranked` must be best first. */
export function removeNearDuplicates(ranked: readonly RankedCandidate[]): RankedCandidate[] {
  const kept: Array<{ item: RankedCandidate; terms: Set<string> }> = [];
  for (const item of ranked) {
    const terms = termSet(item.text);
    const twin = kept.find((k) => nearIdentical(k.terms, terms));
    if (twin) {
      twin.item.duplicates.push({ kind: item.kind, service: item.service, sourceId: item.sourceId }, ...item.duplicates);
      continue;
    }
    kept.push({ item: { ...item, duplicates: [...item.duplicates] }, terms });
  }
  return kept.map((k) => k.item);
}
