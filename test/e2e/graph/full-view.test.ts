import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
  AliasedFieldsDocument,
  EventsDocument,
  FileDocument,
  FullViewDocument,
  ProfileOnlyDocument,
  UsersProfilesDocument,
  ViewerFullViewDocument,
} from './operations.js';
import { callsOf, startGraphHarness, type GraphHarness } from './harness.js';

let h: GraphHarness;
beforeAll(async () => {
  h = await startGraphHarness();
});
afterAll(async () => {
  await h?.stop();
});
beforeEach(() => h.resetUpstreams());

describe('the full user view', () => {
  test('returns the seed data of both upstreams in one request', async () => {
    const res = await h.execute(FullViewDocument, { name: 'default' });
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
    const user = res.data!.user;
    expect(user.name).toBe('default');
    expect(user.profile?.education).toEqual({ school: 'Nanyang Technological University (NTU)', degree: null, major: 'Artificial Intelligence' });
    expect(user.profile?.basicInfo).toBeNull();
    expect(user.profile?.work?.workSkills).toEqual(['Shows familiarity with machine learning concepts and financial analysis principles.']);
    expect(user.profile?.attributes).toHaveLength(7);
    expect(user.profile?.attributes).toContainEqual({ category: 'education', subtopic: 'major', values: ['Artificial Intelligence'] });
    expect(user.events).toHaveLength(6);
    expect(user.events?.filter((e) => e.type === 'FINANCIAL')).toHaveLength(1);
    const wellfest = user.events!.find((e) => e.content.startsWith('User plans to attend'))!;
    expect(wellfest).toMatchObject({ happenedAt: '2025-10-23T00:00:00.000Z', mentionedAt: '2025-11-16T15:34:06.326Z', time: '2025-10-23T00:00:00.000Z' });
    expect(user.biography).toEqual({ __typename: 'BiographyNotReady', suggestion: expect.any(String), currentMemoryCount: 3 });
    expect(user.memories!.length).toBeGreaterThan(0);
    expect(user.searchFiles?.[0]).toMatchObject({ id: 'f_default_neural_networks', name: 'neural-networks-lecture-notes.md' });
    expect(user.file).toMatchObject({ id: 'f_default_wellfest', name: 'wellfest-invitation.txt', status: 'COMPLETED' });
    expect(user.file?.size).toBeGreaterThan(0);
    expect(user.ask?.messageId).toMatch(/\S/);
  });

  test('gives a user with enough memories a biography', async () => {
    const res = await h.execute(FullViewDocument, { name: 'alex' });
    expect(res.errors).toBeUndefined();
    const bio = res.data!.user.biography;
    expect(bio?.__typename).toBe('Biography');
    if (bio?.__typename !== 'Biography') throw new Error('expected a Biography');
    expect(bio.format).toBe('SHORT');
    expect(bio.style).toBe('NARRATIVE');
    expect(bio.text.length).toBeGreaterThan(0);
    expect(bio.categoriesIncluded).not.toContain('PRIVATE');
  });

  test('gives a user with no data a null profile, no events and a biography not ready', async () => {
    const res = await h.execute(FullViewDocument, { name: 'newcomer' });
    expect(res.errors).toBeUndefined();
    const user = res.data!.user;
    expect(user.profile).toBeNull();
    expect(user.events).toEqual([]);
    expect(user.biography).toMatchObject({ __typename: 'BiographyNotReady', currentMemoryCount: 0 });
    expect(user.memories).toEqual([]);
    expect(user.file).toBeNull();
  });

  test('serves viewer to a JWT caller with that user data', async () => {
    const token = await h.jwt('default');
    const res = await h.execute(ViewerFullViewDocument, {}, { authorization: `Bearer ${token}` });
    expect(res.errors).toBeUndefined();
    expect(res.data!.viewer.name).toBe('default');
    expect(res.data!.viewer.profile?.education?.school).toBe('Nanyang Technological University (NTU)');
    expect(callsOf(h.synvo)['profile']).toBe(1);
    expect(h.synvo.controls.calls().routes['profile']?.byUser).toEqual({ default: 1 });
  });
});

describe('files', () => {
  test('file(id) finds a file of the user, with its status and size', async () => {
    const res = await h.execute(FileDocument, { name: 'alex', id: 'f_alex_resume' });
    expect(res.errors).toBeUndefined();
    expect(res.data!.user.file).toMatchObject({ id: 'f_alex_resume', name: 'resume.txt', status: 'COMPLETED' });
  });

  test("file(id) is null for another user's file", async () => {
    const res = await h.execute(FileDocument, { name: 'alex', id: 'f_default_wellfest' });
    expect(res.errors).toBeUndefined();
    expect(res.data!.user.file).toBeNull();
  });
});

describe('upstream calls', () => {
  test('the full view makes exactly one call per selected endpoint', async () => {
    await h.execute(FullViewDocument, { name: 'default' });
    expect(callsOf(h.synvo)).toMatchObject({ profile: 1, events: 1, search: 1, fileList: 1, query: 1 });
    expect(callsOf(h.memsync)).toMatchObject({ bio: 1, memoriesSearch: 1 });
    const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
    expect(total(callsOf(h.synvo))).toBe(5);
    expect(total(callsOf(h.memsync))).toBe(2);
  });

  test('independent fields are fetched in parallel: every endpoint of the full view is called before any answers', async () => {
    const methods = { synvo: ['getProfile', 'getEvents', 'searchFiles', 'listFiles', 'ask'], memsync: ['getBio', 'searchMemories'] };
    const total = methods.synvo.length + methods.memsync.length;
    let started = 0;
    let allStarted!: () => void;
    const gate = new Promise<void>((resolve) => (allStarted = resolve));
    // How many calls had started when each call was let through. A field fetched only after another
    // one answered leaves the gate shut: its call goes through on the timer, having seen fewer.
    const seen: number[] = [];
    const restore: (() => void)[] = [];
    for (const service of ['synvo', 'memsync'] as const) {
      const client = h.app.state.clients[service] as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      for (const method of methods[service]) {
        const original = client[method]!;
        client[method] = async (...args) => {
          if (++started === total) allStarted();
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([gate, new Promise((resolve) => (timer = setTimeout(resolve, 2_000)))]);
          clearTimeout(timer);
          seen.push(started);
          return original(...args);
        };
        restore.push(() => (client[method] = original));
      }
    }
    try {
      const res = await h.execute(FullViewDocument, { name: 'default' });
      expect(res.errors).toBeUndefined();
      expect(seen).toEqual(Array(total).fill(total));
    } finally {
      for (const undo of restore) undo();
    }
  });

  test('two aliases of one field with the same arguments make one call', async () => {
    const res = await h.execute(AliasedFieldsDocument, { name: 'default' });
    expect(res.errors).toBeUndefined();
    expect(res.data!.user.first?.education?.school).toBe('Nanyang Technological University (NTU)');
    expect(res.data!.user.second?.attributes).toHaveLength(7);
    expect(res.data!.user.recent).toHaveLength(3);
    expect(res.data!.user.latest).toHaveLength(3);
    expect(callsOf(h.synvo)).toEqual({ profile: 1, events: 1 });
    expect(callsOf(h.memsync)).toEqual({ bio: 1 });
  });

  test('users with a duplicate name makes one call per distinct user', async () => {
    const res = await h.execute(UsersProfilesDocument, { names: ['default', 'alex', 'default', 'newcomer'] });
    expect(res.errors).toBeUndefined();
    expect(res.data!.users.map((u) => u.name)).toEqual(['default', 'alex', 'newcomer']);
    expect(res.data!.users[0]!.profile?.education?.school).toBe('Nanyang Technological University (NTU)');
    expect(res.data!.users[2]!.profile).toBeNull();
    expect(h.synvo.controls.calls().routes['profile']).toEqual({ total: 3, byUser: { default: 1, alex: 1, newcomer: 1 } });
  });

  test('a query for the profile alone calls only the profile endpoint', async () => {
    const res = await h.execute(ProfileOnlyDocument, { name: 'alex' });
    expect(res.errors).toBeUndefined();
    expect(callsOf(h.synvo)).toEqual({ profile: 1 });
    expect(callsOf(h.memsync)).toEqual({});
  });

  test('a new request calls the upstream again: loaders are per request', async () => {
    await h.execute(ProfileOnlyDocument, { name: 'alex' });
    await h.execute(ProfileOnlyDocument, { name: 'alex' });
    expect(callsOf(h.synvo)).toEqual({ profile: 2 });
  });
});

describe('events', () => {
  test('filters by type and keeps the most recent limit', async () => {
    const res = await h.execute(EventsDocument, { name: 'default', types: ['PERSONAL'], limit: 2 });
    expect(res.errors).toBeUndefined();
    const events = res.data!.user.events!;
    expect(events).toHaveLength(2);
    expect(events.every((e) => e.type === 'PERSONAL')).toBe(true);
    const all = (await h.execute(EventsDocument, { name: 'default', limit: 100 })).data!.user.events!;
    expect(events).toEqual(all.filter((e) => e.type === 'PERSONAL').slice(-2));
  });

  test('applies the since and until window', async () => {
    const res = await h.execute(EventsDocument, { name: 'default', since: '2025-11-01T00:00:00Z', until: '2025-12-01T00:00:00Z' });
    expect(res.errors).toBeUndefined();
    expect(res.data!.user.events).toHaveLength(3);
    expect(res.data!.user.events!.every((e) => e.time >= '2025-11-01')).toBe(true);
  });
});
