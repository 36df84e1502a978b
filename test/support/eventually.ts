/**
 * Waiting for a state a test cannot be told of by an event (an emulator's counter, a process's
 * answer): `check` is asked again every `intervalMs` until it holds, and the wait fails, naming
 * `what`, after `timeoutMs`. Never a fixed sleep: it returns as soon as the state is reached.
 */
import { vi } from 'vitest';

export interface EventuallyOptions {
  /** @default 10_000 */
  timeoutMs?: number;
  /** @default 10 */
  intervalMs?: number;
}

export async function eventually(check: () => boolean | Promise<boolean>, what = 'the awaited state', options: EventuallyOptions = {}): Promise<void> {
  await vi.waitFor(
    async () => {
      if (!(await check())) throw new Error(`never happened: ${what}`);
    },
    { timeout: options.timeoutMs ?? 10_000, interval: options.intervalMs ?? 10 },
  );
}
