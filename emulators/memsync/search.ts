/**
 * Memory search by TF-IDF cosine similarity over one user's memories (standing in for MemSync's
 * embeddings; see README.md):
 * - terms: lower-cased words without stop words, lightly stemmed (text.ts);
 * - weight of a term: (1 + ln tf) * idf, idf = ln((N + 1) / (df + 1)) + 1 over the user's N memories;
 * - `vector_distance` = 1 - cosine(query, memory), in [0, 1] (inside the contract's [0, 2]);
 *   only memories sharing at least one term with the query are returned, closest first;
 * - `rerank_score` (with `rerank`) = 0.6 * the share of the query's distinct terms the memory
 *   contains + 0.4 * cosine, in [0, 1], highest first (ties: closer distance, then older first).
 */
import type { StoredMemory } from './store.js';
import { tokenize } from './text.js';

export interface ScoredMemory {
  memory: StoredMemory;
  distance: number;
  rerankScore: number | null;
}

function termFrequencies(terms: string[]): Map<string, number> {
  const tf = new Map<string, number>();
  for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
  return tf;
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

export function searchMemories(
  memories: readonly StoredMemory[],
  query: string,
  options: { limit: number; categories?: readonly string[]; rerank: boolean },
): ScoredMemory[] {
  const docs = memories.map((memory) => ({ memory, tf: termFrequencies(tokenize(memory.memory)) }));
  const df = new Map<string, number>();
  for (const doc of docs) for (const term of doc.tf.keys()) df.set(term, (df.get(term) ?? 0) + 1);
  const idf = (term: string) => Math.log((docs.length + 1) / ((df.get(term) ?? 0) + 1)) + 1;
  const vector = (tf: Map<string, number>) => {
    const v = new Map<string, number>();
    let norm = 0;
    for (const [term, count] of tf) {
      const w = (1 + Math.log(count)) * idf(term);
      v.set(term, w);
      norm += w * w;
    }
    return { v, norm: Math.sqrt(norm) };
  };

  const queryTf = termFrequencies(tokenize(query));
  const q = vector(queryTf);
  const filter = options.categories && options.categories.length > 0 ? new Set(options.categories) : null;

  const scored: ScoredMemory[] = [];
  for (const doc of docs) {
    if (filter && !doc.memory.categories.some((c) => filter.has(c))) continue;
    const d = vector(doc.tf);
    let dot = 0;
    let shared = 0;
    for (const [term, w] of q.v) {
      const dw = d.v.get(term);
      if (dw !== undefined) {
        dot += w * dw;
        shared += 1;
      }
    }
    if (shared === 0 || q.norm === 0 || d.norm === 0) continue;
    const cosine = Math.min(1, dot / (q.norm * d.norm));
    scored.push({
      memory: doc.memory,
      distance: round4(1 - cosine),
      rerankScore: options.rerank ? round4(0.6 * (shared / q.v.size) + 0.4 * cosine) : null,
    });
  }
  const byDistance = (a: ScoredMemory, b: ScoredMemory) => a.distance - b.distance || a.memory.createdAt - b.memory.createdAt;
  scored.sort(options.rerank ? (a, b) => b.rerankScore! - a.rerankScore! || byDistance(a, b) : byDistance);
  return scored.slice(0, options.limit);
}
