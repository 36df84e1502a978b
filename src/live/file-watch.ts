/**
 * File statuses, live: one poller per (user, file) however many subscribers and gateway instances,
 * following a file until COMPLETED, FAILED or UNKNOWN. A file uploaded through the gateway is
 * followed for a while without subscribers, so its processing still refreshes the user's reads and
 * announces its events.
 */
import { Repeater } from 'graphql-yoga';
import type { FileStatus } from '../upstream/types.js';
import { LeasedPoller } from './leased-poller.js';
import { ANNOUNCED_TTL_MS, SNAPSHOT_TTL_MS, eventId, type LiveContext } from './live-context.js';
import type { FileStatusSnapshot } from './live-state.js';

export interface FileWatchSettings {
  intervalMs: number;
  leaseTtlMs: number;
  trackUploadsForMs: number;
  maxPollFailures: number;
  /** Called when a file reaches a final status, before anyone hears it. */
  onFileSettled(user: string, status: FileStatus): Promise<void>;
}

const terminal: ReadonlySet<FileStatus> = new Set(['COMPLETED', 'FAILED', 'UNKNOWN']);

interface Watcher {
  push(snapshot: FileStatusSnapshot): void;
  fail(error: unknown): void;
}

/** One file on this instance, alive while it has watchers or is tracked: its poller and fan-out. */
class FileChannel {
  readonly key: string;
  readonly watchers = new Set<Watcher>();
  trackedUntil = 0;
  last: FileStatus | undefined;
  done = false;
  poller?: LeasedPoller;
  constructor(readonly user: string, readonly fileId: string) {
    this.key = `${user}/${fileId}`;
  }
}

/** The file watches of one LiveUpdates: a channel per (user, file) being followed. */
export class FileWatches {
  readonly #ctx: LiveContext;
  readonly #settings: FileWatchSettings;
  readonly #channels = new Map<string, FileChannel>();
  #polls = 0;

  constructor(ctx: LiveContext, settings: FileWatchSettings) {
    this.#ctx = ctx;
    this.#settings = settings;
  }

  /** Every status of the file from now on (the current one first), ending after a final one. */
  watchFile(user: string, fileId: string): AsyncIterableIterator<FileStatusSnapshot> {
    return new Repeater<FileStatusSnapshot>(async (push, stop) => {
      if (this.#ctx.closing.aborted) return stop();
      const channel = this.#channelFor(user, fileId);
      const watcher: Watcher = { push: (snapshot) => void push(snapshot), fail: (error) => stop(error) };
      if (channel.last) void push({ fileId, status: channel.last });
      channel.watchers.add(watcher);
      this.#ctx.streams.add(user, stop);
      await stop;
      this.#ctx.streams.delete(user, stop);
      channel.watchers.delete(watcher);
      if (!this.#wanted(channel)) channel.poller?.wake();
    });
  }

  /** Follows a file just uploaded through the gateway until it is processed, subscribers or not. */
  async trackUpload(user: string, fileId: string, uploadedAt: Date): Promise<void> {
    if (this.#ctx.closing.aborted) return;
    await this.#ctx.state
      .setUploadTime(`${user}/${fileId}`, uploadedAt.getTime(), SNAPSHOT_TTL_MS)
      .catch((error: unknown) => this.#ctx.onError(error, 'track upload'));
    this.#channelFor(user, fileId).trackedUntil = this.#ctx.clock.now() + this.#settings.trackUploadsForMs;
  }

  stats() {
    return { polls: this.#polls, activeFiles: this.#channels.size };
  }

  close(): void {
    for (const channel of [...this.#channels.values()]) this.#finish(channel);
  }

  /** Stops following the user's files (uploads tracked included); their watchers end. */
  forget(user: string): void {
    for (const channel of [...this.#channels.values()]) if (channel.user === user) this.#finish(channel);
  }

  #channelFor(user: string, fileId: string): FileChannel {
    const existing = this.#channels.get(`${user}/${fileId}`);
    if (existing) return existing;
    const channel = new FileChannel(user, fileId);
    this.#channels.set(channel.key, channel);
    this.#ctx.spawn(() => this.#run(channel), 'file watch');
    return channel;
  }

  #deliver(channel: FileChannel, snapshot: FileStatusSnapshot): void {
    if (channel.done || snapshot.status === channel.last) return;
    channel.last = snapshot.status;
    for (const watcher of channel.watchers) watcher.push(snapshot);
    if (terminal.has(snapshot.status)) this.#finish(channel);
  }

  #finish(channel: FileChannel, error?: unknown): void {
    if (channel.done) return;
    channel.done = true;
    for (const watcher of channel.watchers) watcher.fail(error);
    channel.watchers.clear();
    channel.poller?.wake();
    if (this.#channels.get(channel.key) === channel) this.#channels.delete(channel.key);
  }

  #wanted(channel: FileChannel): boolean {
    return !this.#ctx.closing.aborted && !channel.done && (channel.watchers.size > 0 || channel.trackedUntil > this.#ctx.clock.now());
  }

  /** The events a processed file produced, each announced once (the events watches share the set). */
  async #announceEvents(channel: FileChannel): Promise<void> {
    const { synvo, state, pubsub } = this.#ctx;
    try {
      let since = await state.getUploadTime(channel.key);
      if (since === undefined) {
        const entry = (await synvo.listFiles(channel.user)).find((f) => f.fileId === channel.fileId);
        since = entry?.createdAt?.getTime();
      }
      if (since === undefined) return;
      const from = since;
      const fresh = (await synvo.getEvents(channel.user, { limit: this.#ctx.eventsWindow })).filter((e) => e.mentionTime.getTime() >= from);
      const isNew = await state.markAnnounced(channel.user, fresh.map(eventId), ANNOUNCED_TTL_MS);
      fresh.forEach((event, i) => {
        if (isNew[i]) pubsub.publish('events', channel.user, event);
      });
    } catch (error) {
      this.#ctx.onError(error, 'announce events');
    }
  }

  /** One status poll by the lease holder; a change is published (and settled) before it is delivered. */
  async #pollStatus(channel: FileChannel, failures: { count: number }): Promise<void> {
    const { synvo, state, pubsub } = this.#ctx;
    try {
      this.#polls += 1;
      const result = await synvo.getFileStatus(channel.user, channel.fileId);
      // Finished meanwhile (the user forgotten, the gateway stopping): nothing more is written or sent.
      if (channel.done) return;
      failures.count = 0;
      const snapshot: FileStatusSnapshot = { fileId: result.fileId || channel.fileId, status: result.status };
      if (snapshot.status === channel.last) return;
      // Stale reads dropped and new events out before anyone hears COMPLETED, so what a client
      // reads or receives after it reflects the file.
      if (terminal.has(snapshot.status)) await this.#settings.onFileSettled(channel.user, snapshot.status);
      if (snapshot.status === 'COMPLETED') await this.#announceEvents(channel);
      await state.setStatus(channel.key, snapshot, SNAPSHOT_TTL_MS);
      pubsub.publish('fileStatus', channel.key, snapshot);
      this.#deliver(channel, snapshot);
    } catch (error) {
      failures.count += 1;
      this.#ctx.onError(error, 'poll file status');
      if (failures.count >= this.#settings.maxPollFailures) this.#finish(channel, error);
    }
  }

  async #run(channel: FileChannel): Promise<void> {
    const { state, pubsub } = this.#ctx;
    const updates = pubsub.subscribe('fileStatus', channel.key);
    const relay = (async () => {
      for await (const snapshot of updates) this.#deliver(channel, snapshot);
    })();
    const lastKnown = () => state.getStatus(channel.key).catch(() => undefined);
    const failures = { count: 0 };
    channel.poller = new LeasedPoller({
      key: channel.key,
      lease: state,
      intervalMs: this.#settings.intervalMs,
      leaseTtlMs: this.#settings.leaseTtlMs,
      clock: this.#ctx.clock,
      wanted: () => this.#wanted(channel),
      poll: async (fresh) => {
        // A lease just taken may be one released by an instance that saw the file finish.
        const latest = fresh ? await lastKnown() : undefined;
        if (latest && terminal.has(latest.status)) this.#deliver(channel, latest);
        else await this.#pollStatus(channel, failures);
      },
      follow: async () => {
        // Another instance polls; its snapshot covers a message missed while subscribing.
        const snapshot = await lastKnown();
        if (snapshot) this.#deliver(channel, snapshot);
      },
      // With the last `wanted` check: a new watcher now gets a new channel.
      stopped: () => this.#finish(channel),
      onError: this.#ctx.onError,
    });
    try {
      // A file already finished (on any instance) needs no upstream call.
      const known = await lastKnown();
      if (known && terminal.has(known.status)) this.#deliver(channel, known);
      await channel.poller.run();
    } finally {
      this.#finish(channel);
      await updates.return();
      await relay.catch(() => {});
    }
  }
}
