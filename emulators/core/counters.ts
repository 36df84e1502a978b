import type { CallCounts } from './types.js';

/** Calls per route and per user, and the SSE streams open right now. */
export class CallCounter {
  #routes = new Map<string, { total: number; byUser: Map<string, number> }>();
  #openStreams = 0;

  record(route: string, user: string): void {
    let entry = this.#routes.get(route);
    if (!entry) {
      entry = { total: 0, byUser: new Map() };
      this.#routes.set(route, entry);
    }
    entry.total += 1;
    entry.byUser.set(user, (entry.byUser.get(user) ?? 0) + 1);
  }

  streamOpened(): void {
    this.#openStreams += 1;
  }

  streamClosed(): void {
    this.#openStreams = Math.max(0, this.#openStreams - 1);
  }

  snapshot(): CallCounts {
    const routes: CallCounts['routes'] = {};
    for (const [route, entry] of this.#routes) {
      routes[route] = { total: entry.total, byUser: Object.fromEntries(entry.byUser) };
    }
    return { routes, openStreams: this.#openStreams };
  }

  reset(): void {
    this.#routes.clear();
  }
}
