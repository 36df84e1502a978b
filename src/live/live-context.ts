/** What the file watches and the events watches of one LiveUpdates share. */
import { createHash } from 'node:crypto';
import type { SynvoClient, SynvoEvent } from '../upstream/types.js';
import type { Clock } from './leased-poller.js';
import type { LivePubSub } from './live-pubsub.js';
import type { LiveState } from './live-state.js';
import type { UserStreams } from './user-streams.js';

/** Kept after the end so late subscribers (other instances included) see the final status. */
export const SNAPSHOT_TTL_MS = 3_600_000;
/** How long an announced event is remembered, so it goes out once. */
export const ANNOUNCED_TTL_MS = 86_400_000;

export interface LiveContext {
  /** The uncached Synvo client: statuses and fresh events. */
  synvo: SynvoClient;
  state: LiveState;
  pubsub: LivePubSub;
  clock: Clock;
  /** Most recent events read by an events poll, or to announce a processed upload's events. */
  eventsWindow: number;
  onError(error: unknown, what: string): void;
  /** Aborted when the gateway stops: cancels upstream calls in flight. */
  readonly closing: AbortSignal;
  /** Every open live stream by user, which forgetting the user ends (each stream adds its own stop). */
  readonly streams: UserStreams;
  /** Keeps a background loop until it ends; `close` waits for them all. */
  spawn(loop: () => Promise<void>, what: string): void;
}

/**
 * Identity of an upstream event (they carry no id): a digest of its type, times and content.
 * Every watched user keeps the identities of their recent events (the last poll's, and the
 * announced set for a day); the text itself would keep each event's content alive with them.
 */
export function eventId(event: SynvoEvent): string {
  return createHash('sha256')
    .update(`${event.type}|${event.mentionTime.getTime()}|${event.happenTime?.getTime() ?? ''}|${event.content}`)
    .digest('base64url')
    .slice(0, 22);
}
