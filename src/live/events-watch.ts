/**
 * A user's new events, live: while the user has `events` subscribers, one poller (across gateway
 * instances, by lease) reads the user's most recent events straight from Synvo and publishes the
 * ones never announced. Its first read is the baseline; a poller taking over diffs against the
 * shared announced set, so each event goes out once.
 */
import { Repeater } from 'graphql-yoga';
import type { SynvoEvent } from '../upstream/types.js';
import { LeasedPoller } from './leased-poller.js';
import { ANNOUNCED_TTL_MS, eventId, type LiveContext } from './live-context.js';

export interface EventsWatchSettings {
  intervalMs: number;
  leaseTtlMs: number;
  /** Called when the poller finds new events, before they are sent. */
  onNewEvents(user: string): Promise<void>;
}

/** One user's events on this instance, alive while the user has subscribers here. */
class EventsWatch {
  /** The lease key: user names hold no ':', so it never meets a file's `user/fileId`. */
  readonly key: string;
  /** This instance's subscribers; they share one pub/sub subscription (one listener, one Redis SUBSCRIBE). */
  readonly subscribers = new Set<(event: SynvoEvent) => void>();
  done = false;
  poller?: LeasedPoller;
  constructor(readonly user: string) {
    this.key = `events:${user}`;
  }
}

export function createEventsWatches(ctx: LiveContext, settings: EventsWatchSettings) {
  const { synvo, state, pubsub, onError } = ctx;
  // Outlives a lease handed over (or expired with a crashed instance), so the next poller diffs instead of starting afresh.
  const watchTtl = 2 * settings.leaseTtlMs + settings.intervalMs;
  const watches = new Map<string, EventsWatch>();
  const streams = new Set<() => void>();
  let polls = 0;

  const watching = (watch: EventsWatch) => !ctx.closing.aborted && !watch.done && watch.subscribers.size > 0;

  /**
   * One poll. `seen`: the identities this holder's last poll returned, or undefined on its first
   * poll since taking the lease. Returns the identities of this poll.
   */
  async function pollEvents(user: string, seen: ReadonlySet<string> | undefined): Promise<Set<string>> {
    polls += 1;
    // Straight to Synvo: a cached list would hide what is new. Only the gateway stopping cancels it.
    const events = await synvo.getEvents(user, { limit: ctx.eventsWindow }, { signal: ctx.closing });
    const ids = events.map(eventId);
    const watched = await state.renewEventsWatch(user, watchTtl, ANNOUNCED_TTL_MS);
    // A holder that polled before under this lease watched all along, even if its own slow polls let
    // the watch lapse: it restarts the watch and diffs as usual, so nothing new is swallowed.
    if (!watched && seen !== undefined) await state.startEventsWatch(user, watchTtl);
    else if (!watched) {
      // Nobody watched this user's events: what is there now is the baseline, announced to no one.
      await state.markAnnounced(user, ids, ANNOUNCED_TTL_MS);
      await state.startEventsWatch(user, watchTtl);
      return new Set(ids);
    }
    // A poller taking over (seen undefined) checks every event against the shared announced set,
    // which also holds what upload announcements published.
    const candidates = events.map((event, i) => ({ event, id: ids[i]! })).filter(({ id }) => !seen?.has(id));
    if (candidates.length === 0) return new Set(ids);
    const isNew = await state.markAnnounced(user, candidates.map((c) => c.id), ANNOUNCED_TTL_MS);
    const fresh = candidates.filter((_c, i) => isNew[i]).map((c) => c.event);
    if (fresh.length > 0) {
      // New events mean a processed file: what a subscriber reads after an event reflects it.
      await settings.onNewEvents(user);
      for (const event of fresh) pubsub.publish('events', user, event);
    }
    return new Set(ids);
  }

  async function run(watch: EventsWatch) {
    // Events published by whichever instance polls (or announces an upload), for every local subscriber.
    const updates = pubsub.subscribe('events', watch.user);
    const relay = (async () => {
      for await (const event of updates) for (const subscriber of watch.subscribers) subscriber(event);
    })();
    let seen: Set<string> | undefined;
    watch.poller = new LeasedPoller({
      key: watch.key,
      lease: state,
      intervalMs: settings.intervalMs,
      leaseTtlMs: settings.leaseTtlMs,
      clock: ctx.clock,
      wanted: () => watching(watch),
      async poll(fresh) {
        // Another instance may have polled meanwhile: start from the shared state again.
        if (fresh) seen = undefined;
        try {
          seen = await pollEvents(watch.user, seen);
        } catch (error) {
          // Subscriptions stay open: the next tick tries again.
          if (watching(watch)) onError(error, 'poll events');
        }
      },
      async follow() {
        seen = undefined;
      },
      // With the last check: a new subscriber now gets a new watch.
      stopped() {
        watch.done = true;
        if (watches.get(watch.user) === watch) watches.delete(watch.user);
      },
      onError,
    });
    try {
      await watch.poller.run();
    } finally {
      await updates.return();
      await relay.catch((error: unknown) => onError(error, 'events fan-out'));
    }
  }

  /** Adds a subscriber, starting the user's watch if this is the first. */
  const join = (user: string, subscriber: (event: SynvoEvent) => void): EventsWatch => {
    const existing = watches.get(user);
    if (existing) {
      existing.subscribers.add(subscriber);
      return existing;
    }
    const watch = new EventsWatch(user);
    watch.subscribers.add(subscriber);
    watches.set(user, watch);
    ctx.spawn(() => run(watch), 'events watch');
    return watch;
  };

  return {
    watchEvents(user: string): AsyncIterableIterator<SynvoEvent> {
      return new Repeater<SynvoEvent>(async (push, stop) => {
        if (ctx.closing.aborted) return stop();
        const subscriber = (event: SynvoEvent) => void push(event);
        const watch = join(user, subscriber);
        streams.add(stop);
        await stop;
        streams.delete(stop);
        watch.subscribers.delete(subscriber);
        if (!watching(watch)) watch.poller?.wake();
      });
    },
    stats: () => ({ eventPolls: polls, activeEventUsers: watches.size }),
    close() {
      for (const stop of [...streams]) stop();
      for (const watch of watches.values()) watch.poller?.wake();
    },
  };
}
