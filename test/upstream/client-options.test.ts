import { describe, expect, it } from 'vitest';
import { resolveClientOptions } from '../../src/upstream/transport/index.js';

describe('resolveClientOptions', () => {
  it('defaults every timeout to seconds, not undici’s five minutes', () => {
    const o = resolveClientOptions();
    expect(o).toMatchObject({ connectTimeoutMs: 2_000, headersTimeoutMs: 10_000, answerHeadersTimeoutMs: 60_000, bodyTimeoutMs: 10_000, streamIdleTimeoutMs: 15_000 });
  });

  it('defaults retries, budget, pool, bulkhead and breaker as documented', () => {
    expect(resolveClientOptions()).toMatchObject({
      maxAttempts: 3,
      retryBaseDelayMs: 100,
      retryAfterBudgetMs: 1_000,
      maxConnections: 64,
      maxConcurrent: 256,
      maxQueued: 1_024,
      breakerThreshold: 0.5,
      breakerMinimumRps: 20,
      breakerHalfOpenAfterMs: 5_000,
    });
  });

  it('keeps given values and ignores undefined ones', () => {
    const o = resolveClientOptions({ maxAttempts: 1, headersTimeoutMs: undefined });
    expect(o.maxAttempts).toBe(1);
    expect(o.headersTimeoutMs).toBe(10_000);
  });
});
