/** A clock for the pollers that moves only when a test says so: no sleeps, no timing flakes. */
import type { Clock } from '../../src/live/leased-poller.js';

interface Sleeper {
  until: number;
  wake(): void;
}

export class ManualClock implements Clock {
  #now = 0;
  readonly #sleepers = new Set<Sleeper>();
  #waiters: Array<{ count: number; resolve(): void }> = [];

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const sleeper: Sleeper = {
        until: this.#now + ms,
        wake: () => {
          this.#sleepers.delete(sleeper);
          signal.removeEventListener('abort', sleeper.wake);
          resolve();
        },
      };
      signal.addEventListener('abort', sleeper.wake, { once: true });
      this.#sleepers.add(sleeper);
      this.#notify();
    });
  }

  /** How many are waiting on this clock right now. */
  get sleeping(): number {
    return this.#sleepers.size;
  }

  /** Resolves once at least `count` are waiting on this clock. */
  whenSleeping(count = 1): Promise<void> {
    if (this.#sleepers.size >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }

  /** Moves time forward by `ms`, waking every sleeper whose time has come. */
  advance(ms: number): void {
    this.#now += ms;
    for (const sleeper of [...this.#sleepers]) if (sleeper.until <= this.#now) sleeper.wake();
  }

  #notify() {
    const ready = this.#waiters.filter((w) => this.#sleepers.size >= w.count);
    this.#waiters = this.#waiters.filter((w) => !ready.includes(w));
    for (const waiter of ready) waiter.resolve();
  }
}
