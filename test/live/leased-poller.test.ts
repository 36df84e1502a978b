import { describe, expect, test } from 'vitest';
import { LeasedPoller, type LeasedPollerOptions } from '../../src/live/leased-poller.js';
import { ManualClock } from './manual-clock.js';

/** A lease store shared by the pollers of a test: whoever holds the key, and what each call did. */
function leaseStore() {
  let holder: string | null = null;
  const log: string[] = [];
  return {
    log,
    get holder() {
      return holder;
    },
    free: () => void (holder = null),
    as(me: string): LeasedPollerOptions['lease'] {
      return {
        async holdLease() {
          if (holder === null) holder = me;
          return holder === me;
        },
        async releaseLease() {
          log.push(`${me} released`);
          if (holder === me) holder = null;
        },
      };
    },
  };
}

function poller(clock: ManualClock, lease: LeasedPollerOptions['lease'], overrides: Partial<LeasedPollerOptions> = {}) {
  const ticks: string[] = [];
  let wanted = true;
  const errors: string[] = [];
  const instance = new LeasedPoller({
    key: 'alex/f1',
    lease,
    intervalMs: 1_000,
    leaseTtlMs: 10_000,
    clock,
    wanted: () => wanted,
    poll: async (fresh) => void ticks.push(fresh ? 'poll (fresh)' : 'poll'),
    follow: async () => void ticks.push('follow'),
    stopped: () => void ticks.push('stopped'),
    onError: (_error, what) => void errors.push(what),
    ...overrides,
  });
  return { instance, ticks, errors, stop: () => void (wanted = false), done: instance.run() };
}

describe('LeasedPoller', () => {
  test('polls once per interval on its clock while wanted, the first tick after taking the lease fresh', async () => {
    const clock = new ManualClock();
    const p = poller(clock, leaseStore().as('a'));
    await clock.whenSleeping();
    expect(p.ticks).toEqual(['poll (fresh)']);
    clock.advance(999);
    expect(clock.sleeping).toBe(1);
    clock.advance(1);
    await clock.whenSleeping();
    clock.advance(1_000);
    await clock.whenSleeping();
    expect(p.ticks).toEqual(['poll (fresh)', 'poll', 'poll']);
    p.stop();
    p.instance.wake();
    await p.done;
  });

  test('stops when no longer wanted: stopped() runs before the lease is given up', async () => {
    const clock = new ManualClock();
    const store = leaseStore();
    const p = poller(clock, store.as('a'), { stopped: () => void store.log.push(`stopped while ${store.holder} holds`) });
    await clock.whenSleeping();
    p.stop();
    p.instance.wake();
    await p.done;
    expect(store.log).toEqual(['stopped while a holds', 'a released']);
    expect(store.holder).toBeNull();
  });

  test('wake() cuts the wait short without moving the clock', async () => {
    const clock = new ManualClock();
    const p = poller(clock, leaseStore().as('a'));
    await clock.whenSleeping();
    p.instance.wake();
    await clock.whenSleeping();
    expect(p.ticks).toEqual(['poll (fresh)', 'poll']);
    expect(clock.now()).toBe(0);
    p.stop();
    p.instance.wake();
    await p.done;
  });

  test('follows while another instance holds the lease, and takes over with a fresh tick once it is free', async () => {
    const clock = new ManualClock();
    const store = leaseStore();
    const a = poller(clock, store.as('a'));
    await clock.whenSleeping(1);
    const b = poller(clock, store.as('b'));
    await clock.whenSleeping(2);
    expect(b.ticks).toEqual(['follow']);
    a.stop();
    a.instance.wake();
    await a.done;
    clock.advance(1_000);
    await clock.whenSleeping(1);
    expect(b.ticks).toEqual(['follow', 'poll (fresh)']);
    expect(store.holder).toBe('b');
    b.stop();
    b.instance.wake();
    await b.done;
  });

  test('a lease store that fails counts as not holding: the poller follows and says so', async () => {
    const clock = new ManualClock();
    const failing: LeasedPollerOptions['lease'] = {
      holdLease: async () => Promise.reject(new Error('redis away')),
      releaseLease: async () => {},
    };
    const p = poller(clock, failing);
    await clock.whenSleeping();
    expect(p.ticks).toEqual(['follow']);
    expect(p.errors).toEqual(['lease']);
    p.stop();
    p.instance.wake();
    await p.done;
    expect(p.ticks).toEqual(['follow', 'stopped']);
  });
});
