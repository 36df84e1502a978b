import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../emulators/core/types.js';
import { startMemSyncEmulator } from '../../../emulators/memsync/index.js';
import { call, getBio, storeMemories, wordsIn } from './memsync-http.js';

const START = Date.parse('2025-03-01T12:00:00Z');
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Six statements of more than 10 words each, over several categories. */
const RICH = [
  'I work as a data engineer at a logistics company in Rotterdam and lead a small team.',
  'I love playing the guitar with friends on Friday evenings at our local community center.',
  'I travel to Portugal every summer to visit the surf beaches near the town of Peniche.',
  'I go running along the river three times a week to stay fit and clear my head.',
  'I am studying for a certification in cloud architecture so I can design better data platforms.',
  'My partner and I adopted a rescue dog named Pixel who loves long walks in the park.',
];

/** Five statements of more than 10 words, all only about work. */
const CAREER_ONLY = [
  'I work as a backend engineer and maintain the payment services for a large company.',
  'I work with Kubernetes every day and manage deployments for three product teams at the company.',
  'I work on the internal developer platform and review dozens of pull requests every single week.',
  'I work closely with the security engineer on the on-call rotation for the production systems.',
  'I work in an office downtown and my employer pays for the monthly transit pass for staff.',
];

describe('MemSync emulator: GET /profile/bio', () => {
  let clock = START;
  let emu: RunningEmulator;
  let slow: RunningEmulator;
  beforeAll(async () => {
    emu = await startMemSyncEmulator({ generationDelayMs: 5, now: () => clock });
    slow = await startMemSyncEmulator({ generationDelayMs: 800 });
  });
  afterAll(async () => {
    await emu.stop();
    await slow.stop();
  });
  beforeEach(() => {
    clock = START;
    emu.controls.reset();
  });

  it("serves alex's seeded bio with every field of the contract, counted from the text", async () => {
    const res = await getBio(emu.url, { user_id: 'alex' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      bio: expect.any(String),
      format: 'full',
      style: 'narrative',
      word_count: wordsIn(res.body.bio),
      character_count: res.body.bio.length,
      confidence: expect.any(Number),
      source_memories: 15,
      categories_included: ['identity', 'career', 'interests', 'relationships', 'health', 'learning', 'travel', 'productivity'],
      key_themes: expect.arrayContaining(['Technology and AI', 'Healthcare Innovation', 'Sustainability']),
      generated_at: iso(START),
      expires_at: iso(START + 7 * DAY),
    });
    expect(res.body.confidence).toBeGreaterThan(0);
    expect(res.body.confidence).toBeLessThanOrEqual(1);
    expect(res.body.bio).toContain('Sarah Johnson');
    expect(res.body.bio).toContain('Dr. Martinez');
    expect(res.body.bio.split('\n\n').length).toBeGreaterThan(2);
  });

  it('answers on /v1/profile/bio with or without a trailing slash, and nowhere else (no unversioned or doubled /v1 path)', async () => {
    const bodies = await Promise.all(['/v1/profile/bio', '/v1/profile/bio/'].map((p) => call(emu.url, 'GET', `${p}?user_id=alex`)));
    expect(bodies[0]!.status).toBe(200);
    expect(bodies[1]!.body).toEqual(bodies[0]!.body);
    for (const path of ['/profile/bio', '/v1/v1/profile/bio']) {
      expect(await call(emu.url, 'GET', `${path}?user_id=alex`)).toMatchObject({ status: 404, body: { error: 'Not found' } });
    }
  });

  it('writes a different text for every format and every style', async () => {
    const texts = new Set<string>();
    for (const format of ['full', 'short', 'bullets', 'professional']) {
      for (const style of ['narrative', 'factual', 'casual', 'formal']) {
        const res = await getBio(emu.url, { user_id: 'alex', format, style });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ format, style, generated_at: iso(START), word_count: wordsIn(res.body.bio) });
        texts.add(res.body.bio);
      }
    }
    expect(texts.size).toBe(16);
  });

  it('keeps the short format to one or two sentences and bullets to "- " lines', async () => {
    const short = await getBio(emu.url, { user_id: 'alex', format: 'short' });
    expect(short.body.bio.match(/[.!?](\s|$)/g)!.length).toBeLessThanOrEqual(2);
    expect(short.body.bio).not.toContain('\n');
    const bullets = await getBio(emu.url, { user_id: 'alex', format: 'bullets' });
    const lines = bullets.body.bio.split('\n');
    expect(lines.length).toBe(15);
    for (const line of lines) expect(line).toMatch(/^- \S/);
  });

  it('focuses the professional format on career and learning memories', async () => {
    const res = await getBio(emu.url, { user_id: 'alex', format: 'professional' });
    expect(res.body.bio).toContain('software engineer');
    expect(res.body.bio).toContain('causal inference');
    expect(res.body.bio).not.toContain('hiking');
    expect(res.body.bio).not.toContain('dinner with their parents');
    expect(res.body.source_memories).toBeLessThan(15);
  });

  it('never puts a private memory into any bio', async () => {
    for (const format of ['full', 'short', 'bullets', 'professional']) {
      for (const style of ['narrative', 'formal']) {
        const res = await getBio(emu.url, { user_id: 'alex', format, style });
        expect(res.body.bio).not.toMatch(/therapist|anxiety|Thursday/i);
        expect(res.body.categories_included).not.toContain('private');
      }
    }
  });

  it('leaves excluded categories out of the text and out of categories_included', async () => {
    const res = await getBio(emu.url, { user_id: 'alex', exclude_categories: 'relationships, travel' });
    expect(res.status).toBe(200);
    expect(res.body.bio).not.toContain('Sarah Johnson');
    expect(res.body.bio).not.toContain('Lisbon');
    expect(res.body.categories_included).not.toContain('relationships');
    expect(res.body.categories_included).not.toContain('travel');
    expect(res.body.source_memories).toBe(10);
  });

  it('answers BIO_NOT_FOUND when excluding categories leaves too little', async () => {
    const res = await getBio(emu.url, { user_id: 'alex', exclude_categories: 'career,interests,relationships' });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'BIO_NOT_FOUND', current_memory_count: 16 });
  });

  it("answers the seed's BIO_NOT_FOUND for the default user, who has 3 memories", async () => {
    const res = await getBio(emu.url);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: 'Bio not yet generated',
      code: 'BIO_NOT_FOUND',
      suggestion: 'Store at least 5 memories to generate a bio',
      current_memory_count: 3,
    });
  });

  it('answers BIO_NOT_FOUND with a count of 0 for a user with nothing stored', async () => {
    const res = await getBio(emu.url, { user_id: 'newcomer' });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'BIO_NOT_FOUND', current_memory_count: 0 });
  });

  it('generates a bio once a user has 5 long memories from 2 categories', async () => {
    await storeMemories(emu.url, 'mia', RICH.slice(0, 4));
    const before = await getBio(emu.url, { user_id: 'mia' });
    expect(before.status).toBe(404);
    expect(before.body.current_memory_count).toBe(4);
    await storeMemories(emu.url, 'mia', RICH.slice(4, 5));
    const after = await getBio(emu.url, { user_id: 'mia' });
    expect(after.status).toBe(200);
    expect(after.body.source_memories).toBe(5);
    expect(after.body.bio).toContain('Rotterdam');
  });

  it('does not count memories of 10 words or fewer', async () => {
    await storeMemories(emu.url, 'ivo', [...RICH.slice(0, 4), 'I love jazz music and old vinyl records.', 'I drink green tea.']);
    const res = await getBio(emu.url, { user_id: 'ivo' });
    expect(res.status).toBe(404);
    expect(res.body.current_memory_count).toBe(6);
    expect(res.body.suggestion).toMatch(/more than 10 words/);
  });

  it('needs memories from at least 2 categories', async () => {
    const stored = await storeMemories(emu.url, 'ops', CAREER_ONLY);
    expect(stored.body.categories_detected).toEqual(['career']);
    const res = await getBio(emu.url, { user_id: 'ops' });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ current_memory_count: 5, suggestion: 'Store memories from at least 2 different categories' });
  });

  it('reuses a bio until 3 new memories arrive, then regenerates it', async () => {
    await storeMemories(emu.url, 'mia', RICH.slice(0, 5));
    const first = await getBio(emu.url, { user_id: 'mia' });
    expect(first.body.generated_at).toBe(iso(START));

    clock += 5 * MINUTE;
    await storeMemories(emu.url, 'mia', [RICH[5]!, 'I learned to bake sourdough bread during a long and rainy winter in Utrecht.']);
    const reused = await getBio(emu.url, { user_id: 'mia' });
    expect(reused.body).toEqual(first.body);

    await storeMemories(emu.url, 'mia', ['I enjoy reading science fiction novels by Ursula K. Le Guin before going to sleep.']);
    const regenerated = await getBio(emu.url, { user_id: 'mia' });
    expect(regenerated.body.generated_at).toBe(iso(START + 5 * MINUTE));
    expect(regenerated.body.source_memories).toBe(8);
    expect(regenerated.body.bio).toContain('Ursula');
  });

  it('regenerates a bio after its 7 days expire', async () => {
    const first = await getBio(emu.url, { user_id: 'alex' });
    clock += 7 * DAY - 1000;
    expect((await getBio(emu.url, { user_id: 'alex' })).body.generated_at).toBe(first.body.generated_at);
    clock += 1000;
    const renewed = await getBio(emu.url, { user_id: 'alex' });
    expect(renewed.body.generated_at).toBe(iso(START + 7 * DAY));
    expect(renewed.body.expires_at).toBe(iso(START + 14 * DAY));
  });

  it('regenerates on refresh=true, then refuses a refresh for 10 minutes with Retry-After', async () => {
    clock += MINUTE;
    const refreshed = await getBio(emu.url, { user_id: 'alex', refresh: 'true' });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.generated_at).toBe(iso(START + MINUTE));

    clock += 4 * MINUTE;
    const refused = await getBio(emu.url, { user_id: 'alex', refresh: 'true' });
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ error: expect.any(String), code: 'RATE_LIMIT_EXCEEDED', retry_after: 360 });
    expect(refused.headers['retry-after']).toBe('360');

    // A plain read inside the cooldown still serves the refreshed bio.
    expect((await getBio(emu.url, { user_id: 'alex' })).body.generated_at).toBe(iso(START + MINUTE));

    clock += 6 * MINUTE;
    const again = await getBio(emu.url, { user_id: 'alex', refresh: 'true' });
    expect(again.status).toBe(200);
    expect(again.body.generated_at).toBe(iso(START + 11 * MINUTE));
  });

  it('keeps the refresh cooldown per user', async () => {
    await storeMemories(emu.url, 'mia', RICH);
    expect((await getBio(emu.url, { user_id: 'alex', refresh: 'true' })).status).toBe(200);
    expect((await getBio(emu.url, { user_id: 'mia', refresh: 'true' })).status).toBe(200);
    expect((await getBio(emu.url, { user_id: 'alex', refresh: 'true' })).status).toBe(429);
  });

  it('answers BIO_NOT_FOUND, not a cooldown, to refresh=true for a user without enough memories', async () => {
    const res = await getBio(emu.url, { user_id: 'default', refresh: 'true' });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('BIO_NOT_FOUND');
  });

  it('rejects an unknown format with INVALID_FORMAT and the valid formats', async () => {
    const res = await getBio(emu.url, { user_id: 'alex', format: 'poem' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: expect.any(String),
      code: 'INVALID_FORMAT',
      valid_formats: ['full', 'short', 'bullets', 'professional'],
    });
  });

  it('rejects an unknown style with INVALID_STYLE and the valid styles', async () => {
    const res = await getBio(emu.url, { user_id: 'alex', style: 'poetic' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: expect.any(String),
      code: 'INVALID_STYLE',
      valid_styles: ['narrative', 'factual', 'casual', 'formal'],
    });
  });

  it('rejects a refresh value that is not a boolean', async () => {
    const res = await getBio(emu.url, { user_id: 'alex', refresh: 'yes' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
  });

  it('answers a cached bio while a generation for another user is still running', async () => {
    await storeMemories(slow.url, 'mia', RICH);
    const order: string[] = [];
    const generating = getBio(slow.url, { user_id: 'mia' }).then((r) => {
      order.push('generated');
      return r;
    });
    const cached = await getBio(slow.url, { user_id: 'alex' });
    order.push('cached');
    expect(cached.status).toBe(200);
    expect((await generating).status).toBe(200);
    expect(order).toEqual(['cached', 'generated']);
  });

  it('shares one generation between concurrent readers of the same user', async () => {
    // Every reading of this clock is a minute later: two generations could never share generated_at.
    let ticking = START;
    const shared = await startMemSyncEmulator({ generationDelayMs: 300, now: () => (ticking += MINUTE) });
    try {
      await storeMemories(shared.url, 'noa', RICH);
      const [a, b] = await Promise.all([getBio(shared.url, { user_id: 'noa' }), getBio(shared.url, { user_id: 'noa', format: 'short' })]);
      expect(a.status).toBe(200);
      expect(b.status).toBe(200);
      expect(a.body.generated_at).toBe(b.body.generated_at);
      expect(a.body.source_memories).toBe(6);
    } finally {
      await shared.stop();
    }
  });
});
