/**
 * Live updates: file statuses and new events, polled once per (user, file) and once per user
 * however many subscribers and gateway instances there are (`file-watch.ts`, `events-watch.ts`,
 * both on the `LeasedPoller`).
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { FileStatus, SynvoClient, SynvoEvent } from '../upstream/types.js';
import { EventsWatches } from './events-watch.js';
import { FileWatches } from './file-watch.js';
import { systemClock, type Clock } from './leased-poller.js';
import type { LiveContext } from './live-context.js';
import type { ForgottenNotice, LivePubSub } from './live-pubsub.js';
import type { FileStatusSnapshot, LiveState } from './live-state.js';
import { UserStreams } from './user-streams.js';

export { eventId } from './live-context.js';
export type { FileStatusSnapshot } from './live-state.js';

export interface LiveUpdatesOptions {
  /** The uncached Synvo client: statuses and fresh events. */
  synvo: SynvoClient;
  /** Called when a file reaches a final status, before anyone hears it (drops the user's stale reads). */
  onFileSettled?: (user: string, status: FileStatus) => Promise<void>;
  /** Called when the events poller finds new events, before they are sent (drops the user's stale reads). */
  onNewEvents?: (user: string) => Promise<void>;
  /** Called on every instance when a user is forgotten on any (drops what this instance holds of the user). */
  onUserForgotten?: (user: string) => Promise<void>;
  state: LiveState;
  pubsub: LivePubSub;
  /** Time between two status polls of a file. @default 1000 */
  pollIntervalMs?: number;
  /**
   * How long an instance's polling lease lasts unless renewed (before every poll). Longer than a
   * slow status call, so that no second instance starts polling meanwhile; also how long a crashed
   * instance's files wait for another instance to take over. @default max(3 x pollIntervalMs, 10000)
   */
  leaseTtlMs?: number;
  /** How long a file uploaded through the gateway is followed without any subscriber. @default 600000 */
  trackUploadsForMs?: number;
  /** Failed polls in a row after which the file's subscribers get the error. @default 5 */
  maxPollFailures?: number;
  /** Time between two polls of a user's events while the user has `events` subscribers. @default 5000 */
  eventsPollIntervalMs?: number;
  /**
   * How long an instance's lease on polling a user's events lasts unless renewed (before every
   * poll). @default max(3 x eventsPollIntervalMs, 10000)
   */
  eventsLeaseTtlMs?: number;
  /**
   * The events window: most recent events read by each events poll, and to announce a processed
   * upload's events. New events beyond this many between two polls are missed. @default 200
   */
  eventsWindow?: number;
  /** The clock the pollers wait on (tests pass a manual one). @default the system clock */
  clock?: Clock;
  /** Told about failed polls and background work (logs, metrics). */
  onError?: (error: unknown, what: string) => void;
}

export interface LiveUpdatesStats {
  /** Status polls this instance sent upstream. */
  polls: number;
  /** Files this instance is following right now. */
  activeFiles: number;
  /** Events polls this instance sent upstream. */
  eventPolls: number;
  /** Users whose events this instance watches right now (for its own subscribers; at most one instance polls each). */
  activeEventUsers: number;
  /** Live streams open on this instance (file statuses, events, answers), of every user. */
  openStreams: number;
}

/**
 * Live updates: file statuses and new events, polled once per (user, file) and once per user
 * however many subscribers and gateway instances there are.
 */
export interface LiveUpdates {
  /** Every status of the file from now on (the current one first), ending after COMPLETED, FAILED or UNKNOWN. */
  watchFile(user: string, fileId: string): AsyncIterableIterator<FileStatusSnapshot>;
  /**
   * The user's new events from now on, each once: from files the gateway follows as soon as they
   * are processed, and from any other source (uploads straight to Synvo) through a poller of the
   * user's events that runs while the user has subscribers.
   */
  watchEvents(user: string): AsyncIterableIterator<SynvoEvent>;
  /** Follows a file just uploaded through the gateway until it is processed, subscribers or not. */
  trackUpload(user: string, fileId: string, uploadedAt: Date): Promise<void>;
  /** Another live stream of the user (an answer being written), ended like the watches when the user is forgotten. */
  followUser<T>(user: string, source: AsyncIterable<T>): AsyncIterableIterator<T>;
  /**
   * Drops every live state of the user on every instance: open streams end with
   * UserForgottenError, pollers stop, leases, statuses and announced events are deleted. This
   * instance is done when it resolves; the others follow through the pub/sub.
   */
  forgetUser(user: string): Promise<void>;
  stats(): LiveUpdatesStats;
  close(): Promise<void>;
}

export function createLiveUpdates(options: LiveUpdatesOptions): LiveUpdates {
  const onError = options.onError ?? (() => {});
  const closing = new AbortController();
  // Every poll in flight listens on it (one per watched user and file): not a leak, so no warning past 10.
  setMaxListeners(0, closing.signal);
  const loops = new Set<Promise<void>>();
  const streams = new UserStreams();
  const ctx: LiveContext = {
    synvo: options.synvo,
    state: options.state,
    pubsub: options.pubsub,
    clock: options.clock ?? systemClock,
    eventsWindow: options.eventsWindow ?? 200,
    onError,
    closing: closing.signal,
    streams,
    spawn(loop, what) {
      const running = loop().catch((error: unknown) => onError(error, what));
      loops.add(running);
      void running.finally(() => loops.delete(running));
    },
  };
  const interval = options.pollIntervalMs ?? 1_000;
  const eventsInterval = options.eventsPollIntervalMs ?? 5_000;
  const files = new FileWatches(ctx, {
    intervalMs: interval,
    leaseTtlMs: options.leaseTtlMs ?? Math.max(3 * interval, 10_000),
    trackUploadsForMs: options.trackUploadsForMs ?? 600_000,
    maxPollFailures: options.maxPollFailures ?? 5,
    onFileSettled: options.onFileSettled ?? (async () => {}),
  });
  const events = new EventsWatches(ctx, {
    intervalMs: eventsInterval,
    leaseTtlMs: options.eventsLeaseTtlMs ?? Math.max(3 * eventsInterval, 10_000),
    onNewEvents: options.onNewEvents ?? (async () => {}),
  });
  const instanceId = randomUUID();
  const onUserForgotten = options.onUserForgotten ?? (async () => {});
  const dropUser = async (user: string) => {
    streams.end(user);
    files.forget(user);
    events.forget(user);
    // Shared state away (Redis down) must not stop forgetUser from deleting the user upstream: told, not thrown.
    const told = (what: string) => (error: unknown) => onError(error, what);
    await Promise.all([ctx.state.forgetUser(user).catch(told('forget user')), onUserForgotten(user).catch(told('forget user cache'))]);
  };
  // Users forgotten on other instances, listened to from this instance's first live work on (before
  // it there is nothing live here to drop; Redis sees one more SUBSCRIBE only once it is in use).
  let forgotten: AsyncIterableIterator<ForgottenNotice> | undefined;
  const listen = () => {
    if (forgotten || closing.signal.aborted) return;
    const notices = (forgotten = ctx.pubsub.subscribe('forgotten'));
    ctx.spawn(async () => {
      for await (const notice of notices) {
        if (notice.origin !== instanceId) await dropUser(notice.user).catch((error: unknown) => onError(error, 'forget user'));
      }
    }, 'forgotten users');
  };
  // The watches are Repeaters that add their own stop to `streams`: no wrapper per subscription.
  return {
    watchFile: (user, fileId) => (listen(), files.watchFile(user, fileId)),
    watchEvents: (user) => (listen(), events.watchEvents(user)),
    trackUpload: (user, fileId, uploadedAt) => (listen(), files.trackUpload(user, fileId, uploadedAt)),
    followUser: (user, source) => (listen(), streams.follow(user, source)),
    async forgetUser(user) {
      await dropUser(user);
      ctx.pubsub.publish('forgotten', { user, origin: instanceId });
    },
    stats: () => ({ ...files.stats(), ...events.stats(), openStreams: streams.size }),
    async close() {
      closing.abort();
      await forgotten?.return?.();
      files.close();
      events.close();
      await Promise.allSettled([...loops]);
    },
  };
}
