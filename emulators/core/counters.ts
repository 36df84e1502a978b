import type { CallCounts } from './types.js';

/**
 * Calls per route and per user, and the SSE streams open right now. `openStreams` is a gauge of
 * real connections, not a counter: it is never zeroed by hand, only by ending the streams
 * (`endStreams`, which the full reset does), so it cannot disagree with the sockets.
 */
export class CallCounter {
  #routes = new Map<string, { total: number; byUser: Map<string, number> }>();
  /** The open streams, each by the function that ends it. */
  #streams = new Set<() => void>();

  record(route: string, user: string): void {
    let entry = this.#routes.get(route);
    if (!entry) {
      entry = { total: 0, byUser: new Map() };
      this.#routes.set(route, entry);
    }
    entry.total += 1;
    entry.byUser.set(user, (entry.byUser.get(user) ?? 0) + 1);
  }

  /** Counts a stream open until `streamClosed(end)`; `end` must end it (and call `streamClosed`). */
  streamOpened(end: () => void): void {
    this.#streams.add(end);
  }

  streamClosed(end: () => void): void {
    this.#streams.delete(end);
  }

  /** Ends every open stream (the full reset: nothing of the old state keeps streaming). */
  endStreams(): void {
    for (const end of [...this.#streams]) {
      this.#streams.delete(end);
      end();
    }
  }

  snapshot(): CallCounts {
    const routes: CallCounts['routes'] = {};
    for (const [route, entry] of this.#routes) {
      routes[route] = { total: entry.total, byUser: Object.fromEntries(entry.byUser) };
    }
    return { routes, openStreams: this.#streams.size };
  }

  /** Zeroes the call counts (open streams stay counted while they are open). */
  reset(): void {
    this.#routes.clear();
  }
}
