import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, test, vi } from 'vitest';
import { assembleContext, eventSourceId, toCandidates, type ContextSources } from '../../src/context/assemble.js';
import { fitToBudget, renderLine } from '../../src/context/budget.js';
import { nearIdentical, removeNearDuplicates } from '../../src/context/dedupe.js';
import { gatherContext, type ContextReaders } from '../../src/context/gather.js';
import { rankCandidates } from '../../src/context/rank.js';
import { termSet } from '../../src/context/terms.js';
import type { Bio, Memory, SynvoEvent } from '../../src/upstream/types.js';

const NOW = new Date('2026-01-01T00:00:00Z');

function memory(id: string, text: string, createdAt = '2025-12-01T00:00:00Z', vectorDistance: number | null = null): Memory {
  return {
    id, text, categories: ['interests'], type: 'semantic', vectorDistance, rerankScore: null,
    source: 'chat', agentId: null, threadId: null, createdAt: new Date(createdAt), updatedAt: null,
  };
}
function event(content: string, when = '2025-12-01T00:00:00Z'): SynvoEvent {
  return { type: 'personal', content, happenTime: new Date(when), mentionTime: new Date(when) };
}
function bio(text: string): Bio {
  return {
    text, format: 'short', style: 'narrative', wordCount: 0, characterCount: text.length, confidence: 0.9, sourceMemories: 5,
    categoriesIncluded: [], keyThemes: [], generatedAt: NOW, expiresAt: NOW,
  };
}

describe('ranking', () => {
  test('a piece that matches the query outranks an unrelated one of the same kind and age', () => {
    const ranked = rankCandidates(
      toCandidates({
        memories: [memory('m1', 'Has dinner with the family every Sunday evening.'), memory('m2', 'Loves hiking coastal trails in Marin.')],
      }),
      'hiking trails',
      NOW,
    );
    expect(ranked.map((r) => r.sourceId)).toEqual(['m2', 'm1']);
    expect(ranked[0]!.relevance).toBe(1);
    expect(ranked[1]!.relevance).toBe(0);
  });

  test("the upstream's own ranking counts: a memory MemSync found close to the query ranks high without shared words", () => {
    const ranked = rankCandidates(
      toCandidates({ memories: [memory('far', 'Likes jazz records.', undefined, 0.95), memory('near', 'Walks in the mountains.', undefined, 0.1)] }),
      'hiking',
      NOW,
    );
    expect(ranked[0]!.sourceId).toBe('near');
    expect(ranked[0]!.relevance).toBeCloseTo(0.9, 5);
  });

  test('between equally relevant events, the more recent ranks first', () => {
    const ranked = rankCandidates(
      toCandidates({ events: [event('Went to a concert.', '2024-01-01T00:00:00Z'), event('Went to a concert again.', '2025-12-30T00:00:00Z')] }),
      'cooking',
      NOW,
    );
    expect(ranked[0]!.text).toBe('Went to a concert again.');
    expect(ranked[0]!.score).toBeGreaterThan(ranked[1]!.score);
  });

  test('terms are stemmed: plurals and other forms of a word match', () => {
    expect([...termSet("The user's neural networks, hiking and hiked")]).toEqual(['neural', 'network', 'hike']);
    const ranked = rankCandidates(toCandidates({ events: [event('Unrelated.'), event('Trained a neural network.')] }), 'networks', NOW);
    expect(ranked[0]!.text).toBe('Trained a neural network.');
  });
});

describe('near-duplicates', () => {
  const sources: ContextSources = {
    events: [event('User encouraged colleagues to join the WellFest event focused on self-care and well-being.')],
    memories: [
      memory('m1', 'User encouraged colleagues to join the October WellFest event at NTU, which focused on self-care and well-being.'),
      memory('m2', 'User studies artificial intelligence at NTU.'),
    ],
  };

  test('the same fact from both upstreams is kept once, the better-ranked piece listing the other as a duplicate', () => {
    const ranked = removeNearDuplicates(rankCandidates(toCandidates(sources), 'WellFest', NOW));
    const wellfest = ranked.filter((r) => /WellFest/.test(r.text));
    expect(wellfest).toHaveLength(1);
    const other = wellfest[0]!.service === 'synvo' ? { kind: 'memory', service: 'memsync', sourceId: 'm1' } : { kind: 'event', service: 'synvo' };
    expect(wellfest[0]!.duplicates).toEqual([expect.objectContaining(other)]);
    expect(ranked.some((r) => r.sourceId === 'm2')).toBe(true);
  });

  test('a summary does not swallow the specific facts it mentions', () => {
    const fact = termSet('Loves hiking coastal paths in Marin and Point Reyes on weekends');
    const summary = termSet(
      'Software engineer in San Francisco who loves hiking coastal paths in Marin and Point Reyes on weekends, reads about ' +
        'technology, cares about sustainability and spends Sundays with family',
    );
    expect(nearIdentical(fact, summary)).toBe(false);
    expect(nearIdentical(fact, termSet('Loves hiking the coastal paths of Marin and Point Reyes at weekends'))).toBe(true);
  });
});

describe('the token budget', () => {
  // Forty distinct facts (no two near-identical), so only the budget decides what is left out.
  const places = ['Marin', 'Tahoe', 'Yosemite', 'Sonoma', 'Big Sur', 'Napa', 'Shasta', 'Mendocino'];
  const companions = ['alone', 'with family', 'with colleagues', 'with a dog', 'with friends'];
  const many: ContextSources = {
    memories: places.flatMap((place, p) =>
      companions.map((who, c) => memory(`m${p}-${c}`, `Went hiking in ${place} ${who}, trip ${p * 5 + c + 1}.`)),
    ),
    biography: bio('A software engineer in San Francisco who loves the outdoors.'),
  };

  test.each([1, 20, 50, 200, 1500])('with maxTokens %i the text counts at most that many tokens, and tokens is its count', (maxTokens) => {
    const context = assembleContext(many, { query: 'hiking', maxTokens, now: NOW });
    expect(context.tokens).toBe(countTokens(context.text));
    expect(context.tokens).toBeLessThanOrEqual(maxTokens);
    expect(context.text.split('\n').filter(Boolean)).toHaveLength(context.items.length);
    expect(context.items.length + context.omitted).toBe(41);
  });

  test('an item too big for what is left is skipped and a smaller, lower-ranked one still fits', () => {
    // MemSync ranks the long one first (distance 0), so it leads the ranking.
    const long = `Hiking ${Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ')}`;
    const ranked = rankCandidates(
      toCandidates({ memories: [memory('long', long, undefined, 0), memory('short', 'Hiking short.', undefined, 0.5)] }),
      'hiking',
      NOW,
    );
    const first = ranked[0]!;
    expect(first.text.length).toBeGreaterThan(100);
    const budget = countTokens(renderLine(ranked[1]!)) + 2;
    const context = fitToBudget(ranked, budget);
    expect(context.items.map((i) => i.text)).toEqual(['Hiking short.']);
    expect(context.omitted).toBe(1);
  });

  test('lines are the kind, the date when there is one, and the text on one line', () => {
    const context = assembleContext(
      { events: [event('Moved\nto   Lisbon.', '2025-06-02T10:00:00Z')], profile: { attributes: [{ category: 'contact_info', subtopic: 'city', values: ['Lisbon'] }] } },
      { query: 'Lisbon', maxTokens: 100, now: NOW },
    );
    expect(context.text.split('\n').sort()).toEqual(['Event (2025-06-02): Moved to Lisbon.', 'Profile: contact info, city: Lisbon']);
  });

  test('events get a stable id from their identity', () => {
    const e = event('Went hiking.');
    expect(eventSourceId(e)).toBe(eventSourceId({ ...e }));
    expect(eventSourceId(e)).not.toBe(eventSourceId({ ...e, content: 'Went sailing.' }));
    expect(eventSourceId(e)).toMatch(/^event_[0-9a-f]{16}$/);
  });
});

describe('gathering', () => {
  function readers(overrides: Partial<ContextReaders> = {}): ContextReaders {
    return {
      profile: vi.fn(async () => ({ attributes: [{ category: 'interest', subtopic: 'sports', values: ['Hiking'] }] })),
      events: vi.fn(async () => [event('Hiked the Dipsea Trail.')]),
      memories: vi.fn(async () => [memory('m1', 'Loves hiking coastal trails.')]),
      biography: vi.fn(async () => bio('An engineer who hikes.')),
      files: vi.fn(async () => [{ id: 'f1', name: 'hiking-log.md', path: '/personal/hiking-log.md', mimeType: 'text/markdown', createdAt: NOW }]),
      ...overrides,
    };
  }

  test('calls each reader once and reports every read', async () => {
    const r = readers();
    const context = await gatherContext(r, { query: 'hiking', maxTokens: 500, now: NOW });
    for (const read of Object.values(r)) expect(read).toHaveBeenCalledTimes(1);
    expect(context.complete).toBe(true);
    expect(context.reads).toEqual([
      { kind: 'profile', service: 'synvo', status: 'ok', found: 1 },
      { kind: 'event', service: 'synvo', status: 'ok', found: 1 },
      { kind: 'memory', service: 'memsync', status: 'ok', found: 1 },
      { kind: 'biography', service: 'memsync', status: 'ok', found: 1 },
      { kind: 'file', service: 'synvo', status: 'ok', found: 1 },
    ]);
    expect(new Set(context.items.map((i) => i.kind))).toEqual(new Set(['profile', 'event', 'memory', 'biography', 'file']));
  });

  test('a failing read leaves a partial context and its error in its place', async () => {
    const failure = Object.assign(new Error('MemSync down'), { code: 'UPSTREAM_UNAVAILABLE', service: 'memsync' });
    const context = await gatherContext(readers({ memories: async () => Promise.reject(failure) }), { query: 'hiking', maxTokens: 500, now: NOW });
    expect(context.complete).toBe(false);
    expect(context.reads[2]).toBe(failure);
    expect(context.items.some((i) => i.kind === 'memory')).toBe(false);
    expect(context.items.some((i) => i.kind === 'event')).toBe(true);
  });

  test('a biography not written yet and an unconnected MemSync account are states, not failures', async () => {
    const notConnected = Object.assign(new Error('not connected'), { extensions: { code: 'MEMSYNC_NOT_CONNECTED' } });
    const context = await gatherContext(
      readers({ biography: async () => null, memories: async () => Promise.reject(notConnected) }),
      { query: 'hiking', maxTokens: 500, now: NOW },
    );
    expect(context.complete).toBe(true);
    expect(context.reads[2]).toEqual({ kind: 'memory', service: 'memsync', status: 'notConnected', found: 0 });
    expect(context.reads[3]).toEqual({ kind: 'biography', service: 'memsync', status: 'notReady', found: 0 });
  });
});
