/**
 * The skeleton both live pollers share (a file's status, a user's events): poll while wanted,
 * taking or renewing a lease before every tick so that one instance of the gateway polls, and
 * follow the holder otherwise; wait an interval between ticks on an injected clock, so that tests
 * advance time instead of sleeping.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { LiveState } from './live-state.js';

/** Time for the pollers: the system's, or a test's manual clock. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleep(ms, undefined, { signal }).catch(() => undefined),
};

export interface LeasedPollerOptions {
  /** The lease's key (a file's `user/fileId`, a user's `events:user`). */
  key: string;
  lease: Pick<LiveState, 'holdLease' | 'releaseLease'>;
  intervalMs: number;
  /** How long the lease lasts unless renewed (before every tick). */
  leaseTtlMs: number;
  clock: Clock;
  /** Polling goes on while this is true; checked before every tick and every wait. */
  wanted(): boolean;
  /** One tick while this instance holds the lease; `fresh` on the first since taking it. */
  poll(fresh: boolean): Promise<void>;
  /** One tick while another instance holds the lease. */
  follow(): Promise<void>;
  /** Called synchronously when polling ends, before the lease is given up. */
  stopped(): void;
  onError(error: unknown, what: string): void;
}

export class LeasedPoller {
  readonly #options: LeasedPollerOptions;
  #wake = new AbortController();

  constructor(options: LeasedPollerOptions) {
    this.#options = options;
  }

  /** Cuts the current wait short, so `wanted` is checked again at once. */
  wake(): void {
    this.#wake.abort();
  }

  /** Polls until no longer wanted, then gives the lease up. */
  async run(): Promise<void> {
    const o = this.#options;
    let holding = false;
    try {
      while (o.wanted()) {
        const held = holding;
        holding = await o.lease.holdLease(o.key, o.leaseTtlMs).catch((error: unknown) => {
          o.onError(error, 'lease');
          return false;
        });
        if (holding) await o.poll(!held);
        else await o.follow();
        if (!o.wanted()) break;
        await o.clock.sleep(o.intervalMs, this.#wake.signal);
        if (this.#wake.signal.aborted) this.#wake = new AbortController();
      }
    } finally {
      o.stopped();
      if (holding) await o.lease.releaseLease(o.key).catch((error: unknown) => o.onError(error, 'lease'));
    }
  }
}
