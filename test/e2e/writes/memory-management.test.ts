import { fetch } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MEMSYNC_SEED_KEYS } from '../../../emulators/memsync/index.js';
import { startWritesHarness, type Instance, type WritesHarness } from './harness.js';

const LIST = `query($user: String!, $page: Int, $pageSize: Int) {
  user(name: $user) { memoryList(page: $page, pageSize: $pageSize) { total totalPages page pageSize items { id text categories } } }
}`;
const SEARCH = `query($user: String!) { user(name: $user) { memories(query: "yoga sleep", limit: 3) { id text } } }`;

describe('memory management and forgetting a user through the gateway', () => {
  let h: WritesHarness;
  let gw: Instance;
  beforeAll(async () => {
    h = await startWritesHarness();
    gw = h.instances[0]!;
  });
  afterAll(() => h.stop());
  beforeEach(() => {
    h.synvo.controls.reset();
    h.memsync.controls.reset();
  });

  describe('User.memoryProfile', () => {
    it('reads every section in one call whatever is selected, categories as key/value data, and none when cached', async () => {
      const query = `{ user(name: "alex") {
        memoryProfile { bio { summary } categories { category memoryCount entries { key values } } insights { title category } traits { trait strength } stats { totalMemories byType { key count } } }
        again: memoryProfile { stats { totalMemories } }
      } }`;
      const res = await gw.post(query);
      expect(res.json.errors).toBeUndefined();
      const profile = res.json.data.user.memoryProfile;
      expect(profile.bio.summary).toContain('software engineer');
      expect(profile.categories.find((c: { category: string }) => c.category === 'CAREER')).toMatchObject({ memoryCount: 8, entries: expect.arrayContaining([{ key: 'title', values: ['Professional life'] }]) });
      expect(profile.stats).toEqual({ totalMemories: 16, byType: [{ key: 'semantic', count: 12 }, { key: 'episodic', count: 4 }] });
      expect(profile.traits.length).toBeGreaterThan(0);
      await gw.post(query);
      expect(h.calls('memsync', 'profile')).toBe(1);
    });

    it('is null for a user with no memories, and an error on the field alone when MemSync fails', async () => {
      const res = await gw.post(`{ a: user(name: "newcomer") { memoryProfile { lastUpdated } } }`);
      expect(res.json).toEqual({ data: { a: { memoryProfile: null } } });
      h.memsync.controls.addFault({ route: 'profile', kind: 'status', status: 500, times: 3 });
      const down = await gw.post(`{ user(name: "default") { name memoryProfile { lastUpdated } } }`);
      expect(down.json.data.user).toEqual({ name: 'default', memoryProfile: null });
      expect(down.json.errors[0].extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', service: 'memsync', upstreamStatus: 500 });
    });
  });

  describe('User.memoryList', () => {
    it('pages the memories newest first, one call per distinct page', async () => {
      const res = await gw.post(`{ user(name: "alex") {
        p1: memoryList(pageSize: 5) { total totalPages items { id } }
        p1again: memoryList(page: 1, pageSize: 5) { page }
        travel: memoryList(category: TRAVEL) { total items { categories } }
      } }`);
      expect(res.json.data.user.p1).toEqual({ total: 16, totalPages: 4, items: ['mem_000016', 'mem_000015', 'mem_000014', 'mem_000013', 'mem_000012'].map((id) => ({ id })) });
      expect(res.json.data.user.travel.total).toBe(2);
      expect(h.calls('memsync', 'memoriesList')).toBe(2);
    });

    it('refuses a page size over 100 and another user to a JWT caller, without calling MemSync', async () => {
      expect((await gw.post(LIST, { user: 'alex', pageSize: 101 })).json.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'pageSize' });
      const token = await h.jwt('default');
      expect((await gw.post(LIST, { user: 'alex' }, { authorization: `Bearer ${token}` })).json.errors[0].extensions.code).toBe('FORBIDDEN');
      expect(h.calls('memsync', 'memoriesList')).toBe(0);
    });
  });

  describe('updateMemory and deleteMemories', () => {
    it('edits a memory; the list, searches and profile are read afresh afterwards', async () => {
      await gw.post(LIST, { user: 'alex' });
      await gw.post(SEARCH, { user: 'alex' });
      const updated = await gw.post(`mutation { updateMemory(id: "mem_000014", content: "User practices yoga every morning and sleeps eight hours.", importance: 0.9, user: "alex") { id text importance categories } }`);
      expect(updated.json.data.updateMemory).toEqual({ id: 'mem_000014', text: 'User practices yoga every morning and sleeps eight hours.', importance: 0.9, categories: ['HEALTH'] });
      const [lists, searches] = [h.calls('memsync', 'memoriesList'), h.calls('memsync', 'memoriesSearch')];
      const found = await gw.post(SEARCH, { user: 'alex' });
      expect(found.json.data.user.memories[0].text).toContain('every morning');
      await gw.post(LIST, { user: 'alex' });
      expect([h.calls('memsync', 'memoriesList'), h.calls('memsync', 'memoriesSearch')]).toEqual([lists + 1, searches + 1]);
    });

    it("refuses another user's memory id (BAD_USER_INPUT on id) and leaves it as it was", async () => {
      const res = await gw.post(`mutation { updateMemory(id: "mem_000001", content: "Hijacked.", user: "default") { id } }`);
      expect(res.json.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'id' });
      const page = await gw.post(LIST, { user: 'alex', pageSize: 100 });
      expect(page.json.data.user.memoryList.items.find((m: { id: string }) => m.id === 'mem_000001').text).toContain('software engineer');
    });

    it('maps a 429 and a 5xx of MemSync to typed errors, never sending a write twice, and refuses an empty edit before calling MemSync', async () => {
      h.memsync.controls.addFault({ route: 'memoryUpdate', kind: 'rateLimit', retryAfter: 9, times: 1 });
      const limited = await gw.post(`mutation { updateMemory(id: "mem_000001", importance: 0.1, user: "alex") { id } }`);
      expect(limited.json.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 9, service: 'memsync' });
      h.memsync.controls.addFault({ route: 'memoriesBatchDelete', kind: 'status', status: 502, times: 1 });
      const down = await gw.post(`mutation { deleteMemories(ids: ["mem_000001"], user: "alex") { deleted } }`);
      expect(down.json.errors[0].extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstreamStatus: 502 });
      expect([h.calls('memsync', 'memoryUpdate'), h.calls('memsync', 'memoriesBatchDelete')]).toEqual([1, 1]);
      const empty = await gw.post(`mutation { updateMemory(id: "mem_000001", user: "alex") { id } }`);
      expect(empty.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(h.calls('memsync', 'memoryUpdate')).toBe(1);
    });

    it('deletes memories in one batch call, naming the ids the user does not have', async () => {
      await gw.post(LIST, { user: 'alex' });
      const res = await gw.post(`mutation { deleteMemories(ids: ["mem_000013", "mem_000014", "mem_000017"], user: "alex") { deleted notFound } }`);
      expect(res.json.data.deleteMemories).toEqual({ deleted: ['mem_000013', 'mem_000014'], notFound: ['mem_000017'] });
      expect(h.calls('memsync', 'memoriesBatchDelete')).toBe(1);
      expect((await gw.post(LIST, { user: 'alex' })).json.data.user.memoryList.total).toBe(14);
      expect(h.calls('memsync', 'memoriesList')).toBe(2);
    });
  });

  describe('updateBiography', () => {
    it('writes the biography by hand; biography reads it afresh and says it is manual', async () => {
      const bio = `{ user(name: "alex") { biography { ... on Biography { text isManual } } } }`;
      await gw.post(bio);
      const res = await gw.post(`mutation { updateBiography(text: "Alex builds ML tools for clinicians.", manualOverride: true, user: "alex") { ... on Biography { text isManual wordCount } } }`);
      expect(res.json.data.updateBiography).toEqual({ text: 'Alex builds ML tools for clinicians.', isManual: true, wordCount: 6 });
      const after = await gw.post(bio);
      expect(after.json.data.user.biography).toEqual({ text: 'Alex builds ML tools for clinicians.', isManual: true });
      expect(h.calls('memsync', 'bio')).toBe(2);
    });

    it('regenerates without text (RATE_LIMITED inside the cooldown), and BiographyNotReady for too few memories', async () => {
      const regenerated = await gw.post(`mutation { updateBiography(format: SHORT, user: "alex") { ... on Biography { format isManual } } }`);
      expect(regenerated.json.data.updateBiography).toEqual({ format: 'SHORT', isManual: false });
      const again = await gw.post(`mutation { updateBiography(user: "alex") { __typename } }`);
      expect(again.json.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 600 });
      const student = await gw.post(`mutation { updateBiography(user: "default") { __typename ... on BiographyNotReady { currentMemoryCount } } }`);
      expect(student.json.data.updateBiography).toEqual({ __typename: 'BiographyNotReady', currentMemoryCount: 3 });
    });

    it("maps MemSync's BIO_TOO_LONG to BAD_USER_INPUT naming the limit", async () => {
      const res = await gw.post(`mutation($t: String) { updateBiography(text: $t, user: "alex") { __typename } }`, { t: 'word '.repeat(501) });
      expect(res.json.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'text' });
      expect(res.json.errors[0].message).toContain('500 words');
    });
  });

  // After the biography tests: the reads it caches would spare them a call.
  describe('the drop after each memory write', () => {
    const PROFILE = `{ user(name: "alex") { memoryProfile { stats { totalMemories } } } }`;
    const BIO = `{ user(name: "alex") { biography { __typename } } }`;
    const writes = [
      { write: 'updateMemory', mutation: `mutation { updateMemory(id: "mem_000014", importance: 0.9, user: "alex") { id } }` },
      { write: 'deleteMemories', mutation: `mutation { deleteMemories(ids: ["mem_000013"], user: "alex") { deleted } }` },
      { write: 'updateBiography', mutation: `mutation { updateBiography(text: "Alex builds ML tools.", manualOverride: true, user: "alex") { __typename } }` },
    ];
    it.each(writes)('$write: memoryProfile and biography cached before, each read afresh once after', async ({ mutation }) => {
      const counts = () => [h.calls('memsync', 'profile'), h.calls('memsync', 'bio')];
      await gw.post(PROFILE);
      await gw.post(BIO);
      const cached = counts();
      await gw.post(PROFILE);
      await gw.post(BIO);
      expect(counts()).toEqual(cached);
      expect((await gw.post(mutation)).json.errors).toBeUndefined();
      await gw.post(PROFILE);
      await gw.post(BIO);
      expect(counts()).toEqual(cached.map((n) => n + 1));
    });
  });

  describe('forgetUser', () => {
    it('deletes every file and memory of the user, disconnects MemSync, reports it, and a second run finds nothing left', async () => {
      await gw.post(`{ user(name: "alex") { files { name } memoryList { total } } }`);
      const res = await gw.post(`mutation { forgetUser(user: "alex", confirm: true) { user filesDeleted memoriesDeleted memsyncDisconnected complete failures { code } } }`);
      expect(res.json.data.forgetUser).toEqual({ user: 'alex', filesDeleted: 4, memoriesDeleted: 16, memsyncDisconnected: true, complete: true, failures: [] });
      expect(h.calls('memsync', 'memoriesBatchDelete')).toBe(1);
      // Nothing left upstream (asked with alex's own key, straight to the emulator), and nothing served from a cache.
      const left = await fetch(`${h.memsync.apiUrl}/memories?page_size=100`, { headers: { 'x-api-key': MEMSYNC_SEED_KEYS.alex } });
      expect(((await left.json()) as { pagination: { total: number } }).pagination.total).toBe(0);
      const after = await gw.post(`{ user(name: "alex") { files { name } memsync { connected } memoryList { total } } }`);
      expect(after.json.data.user).toEqual({ files: [], memsync: { connected: false }, memoryList: null });
      expect(after.json.errors[0].extensions.code).toBe('MEMSYNC_NOT_CONNECTED');
      const again = await gw.post(`mutation { forgetUser(user: "alex", confirm: true) { filesDeleted memoriesDeleted memsyncDisconnected complete } }`);
      expect(again.json.data.forgetUser).toEqual({ filesDeleted: 0, memoriesDeleted: 0, memsyncDisconnected: false, complete: true });
      // Nothing of another user was touched.
      expect((await gw.post(LIST, { user: 'default' })).json.data.user.memoryList.total).toBe(3);
    });

    it('reports a partial failure with its code, and a re-run finishes the job', async () => {
      h.synvo.controls.addFault({ route: 'fileDelete', kind: 'status', status: 503, times: 1 });
      h.memsync.controls.addFault({ route: 'memoriesList', kind: 'status', status: 500, times: 3 });
      const first = await gw.post(`mutation { forgetUser(user: "default", confirm: true) { filesDeleted memoriesDeleted complete failures { service target code } } }`);
      expect(first.json.data.forgetUser).toMatchObject({
        filesDeleted: 4,
        memoriesDeleted: 0,
        complete: false,
        failures: [{ service: 'SYNVO', target: expect.stringMatching(/^\//), code: 'UPSTREAM_UNAVAILABLE' }, { service: 'MEMSYNC', target: null, code: 'UPSTREAM_UNAVAILABLE' }],
      });
      const second = await gw.post(`mutation { forgetUser(user: "default", confirm: true) { filesDeleted memoriesDeleted complete } }`);
      expect(second.json.data.forgetUser).toEqual({ filesDeleted: 1, memoriesDeleted: 3, complete: true });
    });

    it('counts the batches deleted before a later batch fails, and a re-run deletes the rest', async () => {
      // A user of its own with 110 memories: two batch calls, of 100 and of 10.
      const apiKey = await h.connectMemSync('bulk');
      const sentences = Array.from({ length: 110 }, (_, i) => `I keep notebook number ${i + 1} on my shelf.`).join(' ');
      const stored = await fetch(`${h.memsync.apiUrl}/memories`, {
        method: 'POST',
        headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: sentences }], agent_id: 'test', thread_id: 'forget', source: 'chat' }),
      });
      expect(stored.status).toBeLessThan(300);
      h.memsync.controls.addFault({ route: 'memoriesBatchDelete', kind: 'status', status: 500, skip: 1, times: 1 });
      const first = await gw.post(`mutation { forgetUser(user: "bulk", confirm: true) { memoriesDeleted memsyncDisconnected complete failures { service target code } } }`);
      expect(first.json.data.forgetUser).toEqual({
        memoriesDeleted: 100,
        memsyncDisconnected: false,
        complete: false,
        failures: [{ service: 'MEMSYNC', target: null, code: 'UPSTREAM_UNAVAILABLE' }],
      });
      expect(h.calls('memsync', 'memoriesBatchDelete')).toBe(2);
      const second = await gw.post(`mutation { forgetUser(user: "bulk", confirm: true) { memoriesDeleted memsyncDisconnected complete } }`);
      expect(second.json.data.forgetUser).toEqual({ memoriesDeleted: 10, memsyncDisconnected: true, complete: true });
    });

    it('needs confirm: true, and lets a JWT caller forget only itself', async () => {
      const unconfirmed = await gw.post(`mutation { forgetUser(user: "alex", confirm: false) { complete } }`);
      expect(unconfirmed.json.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'confirm' });
      const token = await h.jwt('newcomer');
      const other = await gw.post(`mutation { forgetUser(user: "alex", confirm: true) { complete } }`, {}, { authorization: `Bearer ${token}` });
      expect(other.json.errors[0].extensions.code).toBe('FORBIDDEN');
      expect(h.calls('synvo', 'fileList') + h.calls('memsync', 'memoriesList')).toBe(0);
      const self = await gw.post(`mutation { forgetUser(confirm: true) { user complete } }`, {}, { authorization: `Bearer ${token}` });
      expect(self.json.data.forgetUser).toEqual({ user: 'newcomer', complete: true });
    });
  });
});
