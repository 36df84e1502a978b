/**
 * Callers without credentials cannot make the gateway hold memory: their documents are never
 * parsed or cached. Authenticated callers fill the document cache only up to its byte budget.
 * The heap is measured after a forced collection (no wall-clock assertion anywhere).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asService, startGateway, type Gateway } from './harness.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapUsed = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};
const MB = 1024 * 1024;

/** A distinct document of about 10 KB of short tokens: the heaviest kind to parse (~0.7 MB of AST each). */
const largeDocument = (i: number) => `query Q${i} { viewer { ${Array.from({ length: 1300 }, (_, j) => `f${j}`).join(' ')} } }`;

let gw: Gateway;
beforeAll(async () => {
  gw = await startGateway({ env: { LOG_LEVEL: 'error' } });
});
afterAll(() => gw.stop());

describe('the document caches', () => {
  it('move the heap by under 50 MB for 2,000 distinct large unauthenticated documents, all answered 401', async () => {
    const limit = pLimit(16);
    // Warm up the paths once, so the measurement sees growth and not first-use allocations.
    await gw.post({ query: largeDocument(-1) });
    const before = heapUsed();
    const statuses = await Promise.all(
      Array.from({ length: 2000 }, (_, i) => limit(async () => (await gw.post({ query: largeDocument(i) })).status)),
    );
    const grown = heapUsed() - before;
    expect(new Set(statuses)).toEqual(new Set([401]));
    expect(gw.app.documents.stats().documents).toBe(0);
    expect(grown).toBeLessThan(50 * MB);
  });

  it('keep the parsed documents of authenticated callers within their byte budget', async () => {
    const limit = pLimit(8);
    const texts = Array.from({ length: 120 }, (_, i) => largeDocument(10_000 + i));
    await Promise.all(texts.map((query) => limit(() => gw.post({ query }, asService))));
    const { documents, documentBytes } = gw.app.documents.stats();
    expect(documentBytes).toBeLessThanOrEqual(32 * MB);
    expect(documents).toBeGreaterThan(0);
    expect(documents).toBeLessThan(texts.length);
  });

  it('never caches a document over the query length limit', async () => {
    const before = gw.app.documents.stats();
    const res = await gw.post({ query: `{ viewer { name } } # ${'x'.repeat(25_000)}` }, asService);
    expect(res.status).toBe(400);
    expect(res.json.errors[0].extensions.code).toBe('QUERY_TOO_LONG');
    expect(gw.app.documents.stats().documents).toBe(before.documents);
    expect(gw.app.documents.stats().errors).toBe(before.errors);
  });
});
