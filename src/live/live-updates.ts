import { setTimeout as sleep } from 'node:timers/promises';
import { Repeater } from 'graphql-yoga';
import type { FileStatus, SynvoClient, SynvoEvent } from '../upstream/types.js';
import type { LivePubSub } from './live-pubsub.js';
import type { FileStatusSnapshot, LiveState } from './live-state.js';

export interface LiveUpdatesOptions {
  /** The uncached Synvo client: statuses and fresh events. */
  synvo: SynvoClient;
  /** Called when a file reaches a final status, before anyone hears it (drops the user's stale reads). */
  onFileSettled?: (user: string, status: FileStatus) => Promise<void>;
  /** Called when the events poller finds new events, before they are sent (drops the user's stale reads). */
  onNewEvents?: (user: string) => Promise<void>;
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
   * Most recent events fetched by each events poll: new events beyond this many between two polls
   * are missed. @default 200
   */
  eventsPollLimit?: number;
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
  stats(): LiveUpdatesStats;
  close(): Promise<void>;
}

const terminal: ReadonlySet<FileStatus> = new Set(['COMPLETED', 'FAILED', 'UNKNOWN']);
/** Kept after the end so late subscribers (other instances included) see the final status. */
const snapshotTtlMs = 3_600_000;
const announcedTtlMs = 86_400_000;

interface Watcher {
  push(snapshot: FileStatusSnapshot): void;
  fail(error: unknown): void;
}

interface Channel {
  user: string;
  fileId: string;
  key: string;
  watchers: Set<Watcher>;
  trackedUntil: number;
  last: FileStatus | undefined;
  done: boolean;
  /** Wakes the loop early (a watcher left, the gateway stops). */
  wake: AbortController;
}

/** One user's events on this instance, alive while the user has subscribers here: the poller and the fan-out. */
interface EventsWatch {
  user: string;
  /** The lease key: user names hold no ':', so it never meets a file's `user/fileId`. */
  key: string;
  /** This instance's subscribers; they share one pub/sub subscription (one listener, one Redis SUBSCRIBE). */
  subscribers: Set<(event: SynvoEvent) => void>;
  done: boolean;
  /** Wakes the loop early (the last subscriber left, the gateway stops). */
  wake: AbortController;
}

/** Identity of an upstream event (they carry no id). */
export function eventId(event: SynvoEvent): string {
  return `${event.type}|${event.mentionTime.getTime()}|${event.happenTime?.getTime() ?? ''}|${event.content}`;
}

export function createLiveUpdates(options: LiveUpdatesOptions): LiveUpdates {
  const { synvo, state, pubsub } = options;
  const onFileSettled = options.onFileSettled ?? (async () => {});
  const onNewEvents = options.onNewEvents ?? (async () => {});
  const interval = options.pollIntervalMs ?? 1_000;
  const leaseTtl = options.leaseTtlMs ?? Math.max(3 * interval, 10_000);
  const trackFor = options.trackUploadsForMs ?? 600_000;
  const maxFailures = options.maxPollFailures ?? 5;
  const onError = options.onError ?? (() => {});
  const eventsInterval = options.eventsPollIntervalMs ?? 5_000;
  const eventsLeaseTtl = options.eventsLeaseTtlMs ?? Math.max(3 * eventsInterval, 10_000);
  // Outlives a lease handed over (or expired with a crashed instance), so the next poller diffs instead of starting afresh.
  const eventsWatchTtl = 2 * eventsLeaseTtl + eventsInterval;
  const eventsLimit = options.eventsPollLimit ?? 200;
  const channels = new Map<string, Channel>();
  const eventWatches = new Map<string, EventsWatch>();
  const eventStreams = new Set<() => void>();
  const loops = new Set<Promise<void>>();
  let closed = false;
  // Aborts upstream calls in flight when the gateway stops (a subscriber leaving lets a poll finish, so every poll counted reached Synvo).
  const closing = new AbortController();
  let polls = 0;
  let eventPolls = 0;

  const keyOf = (user: string, fileId: string) => `${user}/${fileId}`;

  function deliver(channel: Channel, snapshot: FileStatusSnapshot) {
    if (channel.done || snapshot.status === channel.last) return;
    channel.last = snapshot.status;
    for (const watcher of channel.watchers) watcher.push(snapshot);
    if (terminal.has(snapshot.status)) finish(channel);
  }

  function finish(channel: Channel, error?: unknown) {
    if (channel.done) return;
    channel.done = true;
    for (const watcher of channel.watchers) watcher.fail(error);
    channel.watchers.clear();
    channel.wake.abort();
    if (channels.get(channel.key) === channel) channels.delete(channel.key);
  }

  const wanted = (channel: Channel) => !closed && !channel.done && (channel.watchers.size > 0 || channel.trackedUntil > Date.now());

  async function announceEvents(channel: Channel) {
    try {
      let since = await state.getUploadTime(channel.key);
      if (since === undefined) {
        const entry = (await synvo.listFiles(channel.user)).find((f) => f.fileId === channel.fileId);
        since = entry?.createdAt?.getTime();
      }
      if (since === undefined) return;
      const from = since;
      const fresh = (await synvo.getEvents(channel.user, { limit: 1000 })).filter((e) => e.mentionTime.getTime() >= from);
      const isNew = await state.markAnnounced(channel.user, fresh.map(eventId), announcedTtlMs);
      fresh.forEach((event, i) => {
        if (isNew[i]) pubsub.publish('events', channel.user, event);
      });
    } catch (error) {
      onError(error, 'announce events');
    }
  }

  async function run(channel: Channel) {
    const updates = pubsub.subscribe('fileStatus', channel.key);
    const relay = (async () => {
      for await (const snapshot of updates) deliver(channel, snapshot);
    })();
    let holding = false;
    let failures = 0;
    try {
      // A file already finished (on any instance) needs no upstream call.
      const known = await state.getStatus(channel.key).catch(() => undefined);
      if (known && terminal.has(known.status)) deliver(channel, known);
      while (wanted(channel)) {
        const held = holding;
        holding = await state.holdLease(channel.key, leaseTtl).catch((error: unknown) => {
          onError(error, 'lease');
          return false;
        });
        if (holding && !held) {
          // A lease just taken may be one released by an instance that saw the file finish.
          const latest = await state.getStatus(channel.key).catch(() => undefined);
          if (latest && terminal.has(latest.status)) {
            deliver(channel, latest);
            continue;
          }
        }
        if (holding) {
          try {
            polls += 1;
            const result = await synvo.getFileStatus(channel.user, channel.fileId);
            failures = 0;
            const snapshot: FileStatusSnapshot = { fileId: result.fileId || channel.fileId, status: result.status };
            if (snapshot.status !== channel.last) {
              // Stale reads dropped and new events out before anyone hears COMPLETED, so what a
              // client reads or receives after it reflects the file.
              if (terminal.has(snapshot.status)) await onFileSettled(channel.user, snapshot.status);
              if (snapshot.status === 'COMPLETED') await announceEvents(channel);
              await state.setStatus(channel.key, snapshot, snapshotTtlMs);
              pubsub.publish('fileStatus', channel.key, snapshot);
              deliver(channel, snapshot);
            }
          } catch (error) {
            failures += 1;
            onError(error, 'poll file status');
            if (failures >= maxFailures) finish(channel, error);
          }
        } else {
          // Another instance polls; its snapshot covers a message missed while subscribing.
          const snapshot = await state.getStatus(channel.key).catch(() => undefined);
          if (snapshot) deliver(channel, snapshot);
        }
        if (!wanted(channel)) break;
        await sleep(interval, undefined, { signal: channel.wake.signal }).catch(() => {});
        if (channel.wake.signal.aborted && !channel.done) channel.wake = new AbortController();
      }
    } finally {
      // Synchronously with the last `wanted` check: a new watcher now gets a new channel.
      finish(channel);
      if (holding) await state.releaseLease(channel.key).catch((error: unknown) => onError(error, 'lease'));
      await updates.return();
      await relay.catch(() => {});
    }
  }

  /**
   * One poll of the user's events. `seen`: the identities the last poll of this holder returned,
   * or undefined on the first poll since taking the lease. Returns the identities of this poll.
   */
  async function pollEvents(user: string, seen: ReadonlySet<string> | undefined, signal: AbortSignal): Promise<Set<string>> {
    eventPolls += 1;
    // Straight to Synvo: a cached list would hide what is new.
    const events = await synvo.getEvents(user, { limit: eventsLimit }, { signal });
    const ids = events.map(eventId);
    const watched = await state.renewEventsWatch(user, eventsWatchTtl, announcedTtlMs);
    // A holder that polled before under this lease watched all along, even if its own slow polls let
    // the watch lapse: it restarts the watch and diffs as usual, so nothing new is swallowed.
    if (!watched && seen !== undefined) await state.startEventsWatch(user, eventsWatchTtl);
    else if (!watched) {
      // Nobody watches this user's events: what is there now is the baseline, announced to no one.
      await state.markAnnounced(user, ids, announcedTtlMs);
      await state.startEventsWatch(user, eventsWatchTtl);
      return new Set(ids);
    }
    // A poller taking over (seen undefined) checks every event against the shared announced set.
    const candidates = events.map((event, i) => ({ event, id: ids[i]! })).filter(({ id }) => !seen?.has(id));
    if (candidates.length === 0) return new Set(ids);
    // The shared set also holds what the upload announcements published: each event goes out once.
    const isNew = await state.markAnnounced(user, candidates.map((c) => c.id), announcedTtlMs);
    const fresh = candidates.filter((_c, i) => isNew[i]).map((c) => c.event);
    if (fresh.length > 0) {
      // New events mean a processed file: what a subscriber reads after an event reflects it.
      await onNewEvents(user);
      for (const event of fresh) pubsub.publish('events', user, event);
    }
    return new Set(ids);
  }

  const watchingEvents = (watch: EventsWatch) => !closed && !watch.done && watch.subscribers.size > 0;

  async function runEvents(watch: EventsWatch) {
    // Events published by whichever instance polls (or announces an upload), for every local subscriber.
    const updates = pubsub.subscribe('events', watch.user);
    const relay = (async () => {
      for await (const event of updates) for (const subscriber of watch.subscribers) subscriber(event);
    })();
    let holding = false;
    let seen: Set<string> | undefined;
    try {
      while (watchingEvents(watch)) {
        const held = holding;
        holding = await state.holdLease(watch.key, eventsLeaseTtl).catch((error: unknown) => {
          onError(error, 'lease');
          return false;
        });
        // Another instance may have polled meanwhile: start from the shared state again.
        if (!holding || !held) seen = undefined;
        if (holding) {
          try {
            // The gateway stopping cancels a poll in flight; the last subscriber leaving lets it finish.
            seen = await pollEvents(watch.user, seen, closing.signal);
          } catch (error) {
            // Subscriptions stay open: the next tick tries again.
            if (watchingEvents(watch)) onError(error, 'poll events');
          }
        }
        if (!watchingEvents(watch)) break;
        await sleep(eventsInterval, undefined, { signal: watch.wake.signal }).catch(() => {});
        if (watch.wake.signal.aborted && !watch.done) watch.wake = new AbortController();
      }
    } finally {
      // Synchronously with the last check: a new subscriber now gets a new watch.
      watch.done = true;
      if (eventWatches.get(watch.user) === watch) eventWatches.delete(watch.user);
      if (holding) await state.releaseLease(watch.key).catch((error: unknown) => onError(error, 'lease'));
      await updates.return();
      await relay.catch((error: unknown) => onError(error, 'events fan-out'));
    }
  }

  /** Adds a subscriber, starting the user's watch if this is the first. */
  function joinEventsWatch(user: string, subscriber: (event: SynvoEvent) => void): EventsWatch {
    let watch = eventWatches.get(user);
    if (watch) watch.subscribers.add(subscriber);
    else {
      watch = { user, key: `events:${user}`, subscribers: new Set([subscriber]), done: false, wake: new AbortController() };
      eventWatches.set(user, watch);
      const loop = runEvents(watch).catch((error: unknown) => onError(error, 'events watch'));
      loops.add(loop);
      void loop.finally(() => loops.delete(loop));
    }
    return watch;
  }

  function channelFor(user: string, fileId: string): Channel {
    const key = keyOf(user, fileId);
    let channel = channels.get(key);
    if (!channel) {
      channel = { user, fileId, key, watchers: new Set(), trackedUntil: 0, last: undefined, done: false, wake: new AbortController() };
      channels.set(key, channel);
      const loop = run(channel).catch((error: unknown) => onError(error, 'file watch'));
      loops.add(loop);
      void loop.finally(() => loops.delete(loop));
    }
    return channel;
  }

  return {
    watchFile(user, fileId) {
      return new Repeater<FileStatusSnapshot>(async (push, stop) => {
        if (closed) return stop();
        const channel = channelFor(user, fileId);
        const watcher: Watcher = {
          push: (snapshot) => void push(snapshot),
          fail: (error) => stop(error),
        };
        if (channel.last) void push({ fileId, status: channel.last });
        channel.watchers.add(watcher);
        await stop;
        channel.watchers.delete(watcher);
        if (!wanted(channel)) channel.wake.abort();
      });
    },
    watchEvents(user) {
      return new Repeater<SynvoEvent>(async (push, stop) => {
        if (closed) return stop();
        const subscriber = (event: SynvoEvent) => void push(event);
        const watch = joinEventsWatch(user, subscriber);
        eventStreams.add(stop);
        await stop;
        eventStreams.delete(stop);
        watch.subscribers.delete(subscriber);
        if (!watchingEvents(watch)) watch.wake.abort();
      });
    },
    async trackUpload(user, fileId, uploadedAt) {
      if (closed) return;
      const key = keyOf(user, fileId);
      await state.setUploadTime(key, uploadedAt.getTime(), snapshotTtlMs).catch((error: unknown) => onError(error, 'track upload'));
      const channel = channelFor(user, fileId);
      channel.trackedUntil = Date.now() + trackFor;
    },
    stats: () => ({ polls, activeFiles: channels.size, eventPolls, activeEventUsers: eventWatches.size }),
    async close() {
      closed = true;
      closing.abort();
      for (const channel of [...channels.values()]) finish(channel);
      for (const stop of [...eventStreams]) stop();
      for (const watch of eventWatches.values()) watch.wake.abort();
      await Promise.allSettled([...loops]);
    },
  };
}
