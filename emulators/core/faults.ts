import { z } from 'zod';
import type { FaultKind, FaultSpec } from './types.js';

export const faultSchema = z.object({
  route: z.string().min(1),
  kind: z.enum(['latency', 'status', 'rateLimit', 'malformed', 'reset', 'truncate', 'slowStream', 'cutStream', 'stall', 'shape', 'streamError']),
  times: z.number().int().positive().optional(),
  skip: z.number().int().nonnegative().optional(),
  ms: z.number().nonnegative().optional(),
  jitterMs: z.number().nonnegative().optional(),
  status: z.number().int().min(100).max(599).optional(),
  body: z.unknown().optional(),
  retryAfter: z.number().nonnegative().optional(),
  tokenDelayMs: z.number().nonnegative().optional(),
  afterTokens: z.number().int().nonnegative().optional(),
  variant: z.enum(['alternate', 'envelope', 'unscoped']).optional(),
});

interface ArmedFault {
  spec: FaultSpec;
  remaining: number;
  /** Matching calls still let through before the fault applies. */
  skip: number;
}

/** Faults armed per route; each use of a counted fault spends one of its `times`. */
export class FaultStore {
  #faults: ArmedFault[] = [];

  add(spec: FaultSpec): void {
    this.#faults.push({ spec, remaining: spec.times ?? Number.POSITIVE_INFINITY, skip: spec.skip ?? 0 });
  }

  clear(): void {
    this.#faults = [];
  }

  /** Takes (and spends) the first fault armed for `route` (or `*`) whose kind is one of `kinds`. */
  take(route: string, kinds: readonly FaultKind[]): FaultSpec | undefined {
    const index = this.#faults.findIndex(
      (f) => (f.spec.route === route || f.spec.route === '*') && kinds.includes(f.spec.kind),
    );
    if (index < 0) return undefined;
    const armed = this.#faults[index]!;
    if (armed.skip > 0) {
      armed.skip -= 1;
      return undefined;
    }
    armed.remaining -= 1;
    if (armed.remaining <= 0) this.#faults.splice(index, 1);
    return armed.spec;
  }
}
