/**
 * Context assembly, a pure function of what the upstreams returned: pieces -> ranked (./rank.ts)
 * -> near-duplicates merged (./dedupe.ts) -> cut to the token budget (./budget.ts). No upstream
 * call happens here; the caller gathers the sources (in one round of parallel calls) and passes
 * what it got. A source that could not be read is simply absent.
 */
import { createHash } from 'node:crypto';
import type { Bio, Memory, SynvoEvent, SynvoFileHit, SynvoProfile } from '../upstream/types.js';
import { fitToBudget } from './budget.js';
import { removeNearDuplicates } from './dedupe.js';
import { rankCandidates } from './rank.js';
import type { AssembledContext, ContextCandidate } from './types.js';

/** What the upstreams returned for one user and query; absent or null: nothing (not read, failed, none yet). */
export interface ContextSources {
  profile?: SynvoProfile | null;
  events?: readonly SynvoEvent[] | null;
  memories?: readonly Memory[] | null;
  biography?: Bio | null;
  files?: readonly SynvoFileHit[] | null;
}

export interface AssembleOptions {
  query: string;
  maxTokens: number;
  /** The moment recency is measured from. @default new Date() */
  now?: Date;
}

const words = (key: string) => key.replace(/_/g, ' ').trim();

/** A Synvo event has no id: one is made from what identifies it (type, content, times). */
export function eventSourceId(event: SynvoEvent): string {
  const identity = JSON.stringify([event.type, event.content, event.happenTime?.toISOString() ?? null, event.mentionTime.toISOString()]);
  return `event_${createHash('sha256').update(identity).digest('hex').slice(0, 16)}`;
}

/** Every piece of the sources, in a fixed order (profile, biography, memories, events, files). */
export function toCandidates(sources: ContextSources): ContextCandidate[] {
  const out: ContextCandidate[] = [];
  for (const a of sources.profile?.attributes ?? []) {
    const values = a.values.map((v) => v.trim()).filter(Boolean);
    if (values.length === 0) continue;
    out.push({
      kind: 'profile',
      service: 'synvo',
      sourceId: `${a.category}.${a.subtopic}`,
      text: `${words(a.category)}, ${words(a.subtopic)}: ${values.join('; ')}`,
      time: null,
      upstreamRelevance: null,
    });
  }
  const bio = sources.biography;
  if (bio && bio.text.trim()) {
    out.push({ kind: 'biography', service: 'memsync', sourceId: 'bio', text: bio.text, time: null, upstreamRelevance: null });
  }
  for (const m of sources.memories ?? []) {
    if (!m.text.trim()) continue;
    const upstream = m.rerankScore ?? (m.vectorDistance === null ? null : 1 - m.vectorDistance);
    out.push({
      kind: 'memory',
      service: 'memsync',
      sourceId: m.id,
      text: m.text,
      time: m.updatedAt ?? m.createdAt,
      upstreamRelevance: upstream === null ? null : Math.min(1, Math.max(0, upstream)),
    });
  }
  for (const e of sources.events ?? []) {
    if (!e.content.trim()) continue;
    out.push({
      kind: 'event',
      service: 'synvo',
      sourceId: eventSourceId(e),
      text: e.content,
      time: e.happenTime ?? e.mentionTime,
      upstreamRelevance: null,
    });
  }
  (sources.files ?? []).forEach((f, rank) => {
    out.push({
      kind: 'file',
      service: 'synvo',
      sourceId: f.id,
      text: f.path || f.name,
      time: f.createdAt,
      // A rank without a score counts for at most half: Synvo's first hit is the best file, not necessarily a good one.
      upstreamRelevance: 0.5 / (1 + rank),
    });
  });
  return out;
}

export function assembleContext(sources: ContextSources, options: AssembleOptions): AssembledContext {
  const ranked = rankCandidates(toCandidates(sources), options.query, options.now ?? new Date());
  return fitToBudget(removeNearDuplicates(ranked), options.maxTokens);
}
