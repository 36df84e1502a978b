/**
 * Gathering a user's context: one round of parallel reads (profile, recent events, matching
 * memories, biography, matching files), each through the caller's readers (the request's loaders
 * and read cache), then assembly. A read that fails leaves its pieces out and its error in
 * `reads`, so the caller can report a partial context with a typed error; the others still count.
 * Expected states are not failures: a biography not written yet (`NOT_READY`), a user whose
 * MemSync account is not connected (`NOT_CONNECTED`).
 */
import type { Bio, Memory, ServiceName, SynvoEvent, SynvoFileHit, SynvoProfile } from '../upstream/types.js';
import { assembleContext, type ContextSources } from './assemble.js';
import type { AssembledContext, ContextKind } from './types.js';

/** How many of the most recent events are read and ranked (one call). */
export const CONTEXT_EVENTS_WINDOW = 100;
/** How many memories MemSync is asked for (its best matches). */
export const CONTEXT_MEMORIES_LIMIT = 20;
/** How many of Synvo's best matching files are kept. */
export const CONTEXT_FILES_LIMIT = 10;

/** One read per kind; each is called once. */
export interface ContextReaders {
  profile(): Promise<SynvoProfile | null>;
  /** The user's most recent events (CONTEXT_EVENTS_WINDOW). */
  events(): Promise<readonly SynvoEvent[]>;
  /** MemSync's best matches for the query (CONTEXT_MEMORIES_LIMIT). */
  memories(): Promise<readonly Memory[]>;
  /** `null` while MemSync cannot write one yet (BiographyNotReady). */
  biography(): Promise<Bio | null>;
  /** Synvo's files ranked for the query, best first. */
  files(): Promise<readonly SynvoFileHit[]>;
}

export type ContextReadStatus = 'ok' | 'notReady' | 'notConnected';

export interface ContextRead {
  kind: ContextKind;
  service: ServiceName;
  status: ContextReadStatus;
  /** Pieces this read gave (before ranking and the budget cut). */
  found: number;
}

export interface GatheredContext extends AssembledContext {
  /** One entry per read, in the order of CONTEXT_READS; a failed read is its Error. */
  reads: Array<ContextRead | Error>;
  /** False when a read failed: the context is partial. */
  complete: boolean;
}

/** The reads, in the order `reads` reports them. */
export const CONTEXT_READS: ReadonlyArray<{ kind: ContextKind; service: ServiceName }> = [
  { kind: 'profile', service: 'synvo' },
  { kind: 'event', service: 'synvo' },
  { kind: 'memory', service: 'memsync' },
  { kind: 'biography', service: 'memsync' },
  { kind: 'file', service: 'synvo' },
];

const codeOf = (error: unknown): unknown => {
  const e = error as { code?: unknown; extensions?: { code?: unknown } } | null;
  return e?.extensions?.code ?? e?.code;
};

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

export async function gatherContext(
  readers: ContextReaders,
  options: { query: string; maxTokens: number; now?: Date },
): Promise<GatheredContext> {
  const [profile, events, memories, biography, files] = await Promise.allSettled([
    readers.profile(),
    readers.events(),
    readers.memories(),
    readers.biography(),
    readers.files(),
  ]);
  const sources: ContextSources = {};
  const reads: Array<ContextRead | Error> = [];
  const settled = [profile, events, memories, biography, files];
  settled.forEach((result, i) => {
    const { kind, service } = CONTEXT_READS[i]!;
    if (result.status === 'fulfilled') return;
    const code = codeOf(result.reason);
    if (code === 'MEMSYNC_NOT_CONNECTED' || code === 'NOT_CONNECTED') reads[i] = { kind, service, status: 'notConnected', found: 0 };
    else reads[i] = toError(result.reason);
  });
  if (profile.status === 'fulfilled') {
    sources.profile = profile.value;
    reads[0] = { kind: 'profile', service: 'synvo', status: 'ok', found: profile.value?.attributes.length ?? 0 };
  }
  if (events.status === 'fulfilled') {
    sources.events = events.value;
    reads[1] = { kind: 'event', service: 'synvo', status: 'ok', found: events.value.length };
  }
  if (memories.status === 'fulfilled') {
    sources.memories = memories.value;
    reads[2] = { kind: 'memory', service: 'memsync', status: 'ok', found: memories.value.length };
  }
  if (biography.status === 'fulfilled') {
    const bio = biography.value;
    if (bio) sources.biography = bio;
    reads[3] = bio
      ? { kind: 'biography', service: 'memsync', status: 'ok', found: bio.text.trim() ? 1 : 0 }
      : { kind: 'biography', service: 'memsync', status: 'notReady', found: 0 };
  }
  if (files.status === 'fulfilled') {
    sources.files = files.value.slice(0, CONTEXT_FILES_LIMIT);
    reads[4] = { kind: 'file', service: 'synvo', status: 'ok', found: sources.files.length };
  }
  const assembled = assembleContext(sources, options);
  return { ...assembled, reads, complete: reads.every((r) => !(r instanceof Error)) };
}
