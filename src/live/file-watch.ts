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

export function createFileWatches(ctx: LiveContext, settings: FileWatchSettings) {
  const { synvo, state, pubsub, clock, onError } = ctx;
  const channels = new Map<string, FileChannel>();
  let polls = 0;

  const deliver = (channel: FileChannel, snapshot: FileStatusSnapshot) => {
    if (channel.done || snapshot.status === channel.last) return;
    channel.last = snapshot.status;
    for (const watcher of channel.watchers) watcher.push(snapshot);
    if (terminal.has(snapshot.status)) finish(channel);
  };

  const finish = (channel: FileChannel, error?: unknown) => {
    if (channel.done) return;
    channel.done = true;
    for (const watcher of channel.watchers) watcher.fail(error);
    channel.watchers.clear();
    channel.poller?.wake();
    if (channels.get(channel.key) === channel) channels.delete(channel.key);
  };

  const wanted = (channel: FileChannel) =>
    !ctx.closing.aborted && !channel.done && (channel.watchers.size > 0 || channel.trackedUntil > clock.now());

  /** The events a processed file produced, each announced once (the events watches share the set). */
  async function announceEvents(channel: FileChannel) {
    try {
      let since = await state.getUploadTime(channel.key);
      if (since === undefined) {
        const entry = (await synvo.listFiles(channel.user)).find((f) => f.fileId === channel.fileId);
        since = entry?.createdAt?.getTime();
      }
      if (since === undefined) return;
      const from = since;
      const fresh = (await synvo.getEvents(channel.user, { limit: ctx.eventsWindow })).filter((e) => e.mentionTime.getTime() >= from);
      const isNew = await state.markAnnounced(channel.user, fresh.map(eventId), ANNOUNCED_TTL_MS);
      fresh.forEach((event, i) => {
        if (isNew[i]) pubsub.publish('events', channel.user, event);
      });
    } catch (error) {
      onError(error, 'announce events');
    }
  }

  /** One status poll by the lease holder; a change is published (and settled) before it is delivered. */
  async function pollStatus(channel: FileChannel, failures: { count: number }) {
    try {
      polls += 1;
      const result = await synvo.getFileStatus(channel.user, channel.fileId);
      failures.count = 0;
      const snapshot: FileStatusSnapshot = { fileId: result.fileId || channel.fileId, status: result.status };
      if (snapshot.status === channel.last) return;
      // Stale reads dropped and new events out before anyone hears COMPLETED, so what a client
      // reads or receives after it reflects the file.
      if (terminal.has(snapshot.status)) await settings.onFileSettled(channel.user, snapshot.status);
      if (snapshot.status === 'COMPLETED') await announceEvents(channel);
      await state.setStatus(channel.key, snapshot, SNAPSHOT_TTL_MS);
      pubsub.publish('fileStatus', channel.key, snapshot);
      deliver(channel, snapshot);
    } catch (error) {
      failures.count += 1;
      onError(error, 'poll file status');
      if (failures.count >= settings.maxPollFailures) finish(channel, error);
    }
  }

  async function run(channel: FileChannel) {
    const updates = pubsub.subscribe('fileStatus', channel.key);
    const relay = (async () => {
      for await (const snapshot of updates) deliver(channel, snapshot);
    })();
    const lastKnown = () => state.getStatus(channel.key).catch(() => undefined);
    const failures = { count: 0 };
    channel.poller = new LeasedPoller({
      key: channel.key,
      lease: state,
      intervalMs: settings.intervalMs,
      leaseTtlMs: settings.leaseTtlMs,
      clock,
      wanted: () => wanted(channel),
      async poll(fresh) {
        // A lease just taken may be one released by an instance that saw the file finish.
        const latest = fresh ? await lastKnown() : undefined;
        if (latest && terminal.has(latest.status)) deliver(channel, latest);
        else await pollStatus(channel, failures);
      },
      async follow() {
        // Another instance polls; its snapshot covers a message missed while subscribing.
        const snapshot = await lastKnown();
        if (snapshot) deliver(channel, snapshot);
      },
      // With the last `wanted` check: a new watcher now gets a new channel.
      stopped: () => finish(channel),
      onError,
    });
    try {
      // A file already finished (on any instance) needs no upstream call.
      const known = await lastKnown();
      if (known && terminal.has(known.status)) deliver(channel, known);
      await channel.poller.run();
    } finally {
      finish(channel);
      await updates.return();
      await relay.catch(() => {});
    }
  }

  const channelFor = (user: string, fileId: string): FileChannel => {
    let channel = channels.get(`${user}/${fileId}`);
    if (!channel) {
      const created = new FileChannel(user, fileId);
      channels.set(created.key, created);
      ctx.spawn(() => run(created), 'file watch');
      channel = created;
    }
    return channel;
  };

  return {
    watchFile(user: string, fileId: string): AsyncIterableIterator<FileStatusSnapshot> {
      return new Repeater<FileStatusSnapshot>(async (push, stop) => {
        if (ctx.closing.aborted) return stop();
        const channel = channelFor(user, fileId);
        const watcher: Watcher = { push: (snapshot) => void push(snapshot), fail: (error) => stop(error) };
        if (channel.last) void push({ fileId, status: channel.last });
        channel.watchers.add(watcher);
        await stop;
        channel.watchers.delete(watcher);
        if (!wanted(channel)) channel.poller?.wake();
      });
    },
    async trackUpload(user: string, fileId: string, uploadedAt: Date) {
      if (ctx.closing.aborted) return;
      await state.setUploadTime(`${user}/${fileId}`, uploadedAt.getTime(), SNAPSHOT_TTL_MS).catch((error: unknown) => onError(error, 'track upload'));
      channelFor(user, fileId).trackedUntil = clock.now() + settings.trackUploadsForMs;
    },
    stats: () => ({ polls, activeFiles: channels.size }),
    close() {
      for (const channel of [...channels.values()]) finish(channel);
    },
  };
}
