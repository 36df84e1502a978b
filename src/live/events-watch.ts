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

/** The events watches of one LiveUpdates: a watch per user with subscribers on this instance. */
export class EventsWatches {
  readonly #ctx: LiveContext;
  readonly #settings: EventsWatchSettings;
  /** Outlives a lease handed over (or expired with a crashed instance), so the next poller diffs instead of starting afresh. */
  readonly #watchTtl: number;
  readonly #watches = new Map<string, EventsWatch>();
  readonly #streams = new Set<() => void>();
  #polls = 0;

  constructor(ctx: LiveContext, settings: EventsWatchSettings) {
    this.#ctx = ctx;
    this.#settings = settings;
    this.#watchTtl = 2 * settings.leaseTtlMs + settings.intervalMs;
  }

  /** The user's new events from now on, each once. */
  watchEvents(user: string): AsyncIterableIterator<SynvoEvent> {
    return new Repeater<SynvoEvent>(async (push, stop) => {
      if (this.#ctx.closing.aborted) return stop();
      const subscriber = (event: SynvoEvent) => void push(event);
      const watch = this.#join(user, subscriber);
      this.#streams.add(stop);
      this.#ctx.streams.add(user, stop);
      await stop;
      this.#ctx.streams.delete(user, stop);
      this.#streams.delete(stop);
      watch.subscribers.delete(subscriber);
      if (!this.#watching(watch)) watch.poller?.wake();
    });
  }

  stats() {
    return { eventPolls: this.#polls, activeEventUsers: this.#watches.size };
  }

  close(): void {
    for (const stop of [...this.#streams]) stop();
    for (const watch of this.#watches.values()) watch.poller?.wake();
  }

  /** Stops watching the user's events on this instance (its subscribers are ended by the caller). */
  forget(user: string): void {
    const watch = this.#watches.get(user);
    if (!watch) return;
    watch.done = true;
    // A new subscriber starts a new watch (with a new baseline: the announced set is dropped too).
    this.#watches.delete(user);
    watch.poller?.wake();
  }

  #watching(watch: EventsWatch): boolean {
    return !this.#ctx.closing.aborted && !watch.done && watch.subscribers.size > 0;
  }

  /** Adds a subscriber, starting the user's watch if this is the first. */
  #join(user: string, subscriber: (event: SynvoEvent) => void): EventsWatch {
    const existing = this.#watches.get(user);
    if (existing) {
      existing.subscribers.add(subscriber);
      return existing;
    }
    const watch = new EventsWatch(user);
    watch.subscribers.add(subscriber);
    this.#watches.set(user, watch);
    this.#ctx.spawn(() => this.#run(watch), 'events watch');
    return watch;
  }

  /**
   * One poll. `seen`: the identities this holder's last poll returned, or undefined on its first
   * poll since taking the lease. Returns the identities of this poll.
   */
  async #poll(watch: EventsWatch, seen: ReadonlySet<string> | undefined): Promise<Set<string>> {
    const { synvo, state, pubsub } = this.#ctx;
    const { user } = watch;
    this.#polls += 1;
    // Straight to Synvo: a cached list would hide what is new. Only the gateway stopping cancels it.
    const events = await synvo.getEvents(user, { limit: this.#ctx.eventsWindow }, { signal: this.#ctx.closing });
    const ids = events.map(eventId);
    // Ended meanwhile (the user forgotten): nothing more is written or sent.
    if (watch.done) return new Set(ids);
    const watched = await state.renewEventsWatch(user, this.#watchTtl, ANNOUNCED_TTL_MS);
    // A holder that polled before under this lease watched all along, even if its own slow polls let
    // the watch lapse: it restarts the watch and diffs as usual, so nothing new is swallowed.
    if (!watched && seen !== undefined) await state.startEventsWatch(user, this.#watchTtl);
    else if (!watched) {
      // Nobody watched this user's events: what is there now is the baseline, announced to no one.
      await state.markAnnounced(user, ids, ANNOUNCED_TTL_MS);
      await state.startEventsWatch(user, this.#watchTtl);
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
      await this.#settings.onNewEvents(user);
      for (const event of fresh) pubsub.publish('events', user, event);
    }
    return new Set(ids);
  }

  async #run(watch: EventsWatch): Promise<void> {
    // Events published by whichever instance polls (or announces an upload), for every local subscriber.
    const unlisten = this.#ctx.pubsub.listen('events', watch.user, (event) => {
      for (const subscriber of watch.subscribers) subscriber(event);
    });
    let seen: Set<string> | undefined;
    watch.poller = new LeasedPoller({
      key: watch.key,
      lease: this.#ctx.state,
      intervalMs: this.#settings.intervalMs,
      leaseTtlMs: this.#settings.leaseTtlMs,
      clock: this.#ctx.clock,
      wanted: () => this.#watching(watch),
      poll: async (fresh) => {
        // Another instance may have polled meanwhile: start from the shared state again.
        if (fresh) seen = undefined;
        try {
          seen = await this.#poll(watch, seen);
        } catch (error) {
          // Subscriptions stay open: the next tick tries again.
          if (this.#watching(watch)) this.#ctx.onError(error, 'poll events');
        }
      },
      follow: async () => {
        seen = undefined;
      },
      // With the last check: a new subscriber now gets a new watch.
      stopped: () => {
        watch.done = true;
        if (this.#watches.get(watch.user) === watch) this.#watches.delete(watch.user);
      },
      onError: this.#ctx.onError,
    });
    try {
      await watch.poller.run();
    } finally {
      unlisten();
    }
  }
}
