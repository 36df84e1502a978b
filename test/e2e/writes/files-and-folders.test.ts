import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PNG } from 'pngjs';
import { fetch } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { asService, startWritesHarness, type Instance, type WritesHarness } from './harness.js';

const FILES = `query($user: String!, $path: String, $recursive: Boolean) {
  user(name: $user) { files(path: $path, recursive: $recursive) { id name path isDir size status } }
}`;

/** The files a user has now, straight from the emulator (no gateway). */
describe('files and folders, downloads, thumbnails and web pages through the gateway', () => {
  let h: WritesHarness;
  let gw: Instance;
  let site: Server;
  let siteUrl: string;
  beforeAll(async () => {
    h = await startWritesHarness({ synvo: { processingDelayMs: 50 } });
    gw = h.instances[0]!;
    site = createServer((req, res) => {
      if (req.url === '/reef') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html><head><title>Coral Reefs</title></head><body><p>Coral reefs cover less than one percent of the ocean floor.</p></body></html>');
      } else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => site.close(r));
    await h.stop();
  });
  beforeEach(() => {
    h.synvo.controls.reset();
    h.memsync.controls.reset();
  });

  describe('User.files', () => {
    it('lists folders and files in one call per distinct listing, shared with file(id), and none for a cached read', async () => {
      const query = `query { user(name: "default") {
        all: files { name isDir }
        again: files(path: "/", recursive: true) { path }
        lectures: files(path: "/lectures", recursive: false) { name size status }
        file(id: "f_default_wellfest") { name }
      } }`;
      const res = await gw.post(query);
      expect(res.json.errors).toBeUndefined();
      expect(res.json.data.user.all.filter((f: { isDir: boolean }) => f.isDir).map((f: { name: string }) => f.name)).toEqual(['events', 'lectures', 'photos', 'reports']);
      expect(res.json.data.user.lectures).toEqual([
        { name: 'neural-networks-lecture-notes.md', size: expect.any(Number), status: 'COMPLETED' },
        { name: 'operating-profit-margin-notes.txt', size: expect.any(Number), status: 'COMPLETED' },
      ]);
      expect(h.calls('synvo', 'fileList', 'default')).toBe(2);
      await gw.post(query);
      expect(h.calls('synvo', 'fileList', 'default')).toBe(2);
    });

    it('gives [] for a user with no files yet, and BAD_USER_INPUT (null) for a folder that does not exist', async () => {
      const res = await gw.post(`{ a: user(name: "newcomer") { files { name } } b: user(name: "default") { files(path: "/nowhere") { name } } }`);
      expect(res.json.data.a.files).toEqual([]);
      expect(res.json.data.b.files).toBeNull();
      expect(res.json.errors).toEqual([expect.objectContaining({ path: ['b', 'files'], extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argument: 'path' }) })]);
    });

    it('maps a 429 and a 503 of Synvo to typed errors on the field alone', async () => {
      h.synvo.controls.addFault({ route: 'fileList', kind: 'rateLimit', retryAfter: 30, times: 1 });
      const limited = await gw.post(FILES, { user: 'alex' });
      expect(limited.json.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', service: 'synvo', retryAfter: 30 });
      h.synvo.controls.addFault({ route: 'fileList', kind: 'status', status: 503, times: 3 });
      const down = await gw.post(`{ user(name: "alex") { name files { name } } }`);
      expect(down.json.data.user).toEqual({ name: 'alex', files: null });
      expect(down.json.errors[0].extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', service: 'synvo', upstreamStatus: 503 });
    });

    it("refuses another user's files to a JWT caller", async () => {
      const token = await h.jwt('alex');
      const res = await gw.post(FILES, { user: 'default' }, { authorization: `Bearer ${token}` });
      expect(res.json.errors[0].extensions.code).toBe('FORBIDDEN');
      expect(h.calls('synvo', 'fileList')).toBe(0);
    });
  });

  describe('createFolder and moveFile', () => {
    it('makes a folder and moves a file into it; the next listing is read afresh (the write dropped it)', async () => {
      await gw.post(FILES, { user: 'default' });
      const made = await gw.post(`mutation { createFolder(path: "/archive", user: "default") { id name path isDir } }`);
      expect(made.json.data.createFolder).toEqual({ id: '/archive', name: 'archive', path: '/archive', isDir: true });
      const moved = await gw.post(`mutation { moveFile(from: "/events/wellfest-invitation.txt", to: "/archive/wellfest.txt", user: "default") { id name path isDir status } }`);
      expect(moved.json.data.moveFile).toEqual({ id: 'f_default_wellfest', name: 'wellfest.txt', path: '/archive/wellfest.txt', isDir: false, status: 'COMPLETED' });
      expect([h.calls('synvo', 'createDir'), h.calls('synvo', 'fileMove')]).toEqual([1, 1]);
      const before = h.calls('synvo', 'fileList');
      const listed = await gw.post(FILES, { user: 'default', path: '/archive' });
      expect(listed.json.data.user.files.map((f: { name: string }) => f.name)).toEqual(['wellfest.txt']);
      expect(h.calls('synvo', 'fileList')).toBe(before + 1);
    });

    it('maps an existing destination to CONFLICT and a missing source to BAD_USER_INPUT, each sent once', async () => {
      const conflict = await gw.post(`mutation { moveFile(from: "/events/wellfest-invitation.txt", to: "/lectures", user: "default") { id } }`);
      expect(conflict.json.errors[0].extensions).toMatchObject({ code: 'CONFLICT', service: 'synvo', upstreamStatus: 409 });
      const missing = await gw.post(`mutation { moveFile(from: "/nothing.txt", to: "/x.txt", user: "default") { id } }`);
      expect(missing.json.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'from' });
      const bad = await gw.post(`mutation { moveFile(from: "/", to: "/x", user: "default") { id } }`);
      expect(bad.json.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'from' });
      expect(h.calls('synvo', 'fileMove')).toBe(2);
    });

    it('never retries a move that reached Synvo (a 503)', async () => {
      h.synvo.controls.addFault({ route: 'fileMove', kind: 'status', status: 503, times: 1 });
      const res = await gw.post(`mutation { moveFile(from: "/events/wellfest-invitation.txt", to: "/w.txt", user: "default") { id } }`);
      expect(res.json.errors[0].extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstreamStatus: 503 });
      expect(h.calls('synvo', 'fileMove')).toBe(1);
    });
  });

  describe('the drop after each write', () => {
    const LISTING = { route: 'fileList', query: `{ user(name: "default") { files { path } } }` };
    const SEARCH = { route: 'search', query: `{ user(name: "default") { searchFiles(query: "wellfest invitation") { id } } }` };
    const writes = [
      { write: 'createFolder', mutation: () => `mutation { createFolder(path: "/archive", user: "default") { id } }`, reads: [LISTING] },
      { write: 'moveFile', mutation: () => `mutation { moveFile(from: "/events/wellfest-invitation.txt", to: "/events/wellfest.txt", user: "default") { id } }`, reads: [LISTING, SEARCH] },
      { write: 'addWebpage', mutation: () => `mutation { addWebpage(url: "${siteUrl}/reef", user: "default") { id } }`, reads: [LISTING] },
      // A refused write may still have been applied upstream: it drops the same reads.
      { write: 'addWebpage refused (422)', mutation: () => `mutation { addWebpage(url: "${siteUrl}/gone", user: "default") { id } }`, reads: [LISTING] },
    ];
    it.each(writes)('$write: a repeated read before it costs no call, the same read after it exactly one', async ({ mutation, reads }) => {
      const counts = () => reads.map((r) => h.calls('synvo', r.route, 'default'));
      for (const read of reads) await gw.post(read.query);
      const cached = counts();
      for (const read of reads) await gw.post(read.query);
      expect(counts()).toEqual(cached);
      await gw.post(mutation());
      // Counted from after the write: moveFile reads the destination's folder itself to answer.
      const written = counts();
      for (const read of reads) expect((await gw.post(read.query)).json.errors).toBeUndefined();
      expect(counts()).toEqual(written.map((n) => n + 1));
    });
  });

  describe('UserFile.downloadUrl and UserFile.thumbnail', () => {
    it('gives a working signed URL and a PNG data: URL, each one call, none when read again', async () => {
      const query = `{ user(name: "default") { file(id: "f_default_campus_photo") { downloadUrl thumbnail(maxSize: 64) } } }`;
      const res = await gw.post(query);
      const { downloadUrl, thumbnail } = res.json.data.user.file;
      const image = await fetch(downloadUrl);
      expect(image.status).toBe(200);
      expect(PNG.sync.read(Buffer.from(await image.arrayBuffer())).width).toBe(320);
      expect(thumbnail).toMatch(/^data:image\/png;base64,/);
      const png = PNG.sync.read(Buffer.from(thumbnail.split(',')[1], 'base64'));
      expect([png.width, png.height]).toEqual([64, 48]);
      await gw.post(query);
      expect([h.calls('synvo', 'download'), h.calls('synvo', 'thumbnail')]).toEqual([1, 1]);
    });

    it('is null for a file without a thumbnail and for folders, without asking Synvo about folders', async () => {
      const res = await gw.post(`{ user(name: "default") { file(id: "f_default_wellfest") { thumbnail } files(path: "/", recursive: false) { isDir downloadUrl thumbnail } } }`);
      expect(res.json.errors).toBeUndefined();
      expect(res.json.data.user.file.thumbnail).toBeNull();
      expect(res.json.data.user.files.every((f: { downloadUrl: null; thumbnail: null }) => f.downloadUrl === null && f.thumbnail === null)).toBe(true);
      expect(h.calls('synvo', 'thumbnail')).toBe(1);
      expect(h.calls('synvo', 'download')).toBe(0);
    });

    it('refuses a bad thumbnail size before calling Synvo', async () => {
      const res = await gw.post(`{ user(name: "default") { file(id: "f_default_campus_photo") { thumbnail(maxSize: 5000) } } }`);
      expect(res.json.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'maxSize' });
      expect(h.calls('synvo', 'thumbnail')).toBe(0);
    });

    it('does not keep a download URL past a move (the write drops it)', async () => {
      const query = `{ user(name: "default") { file(id: "f_default_wellfest") { downloadUrl } } }`;
      await gw.post(query);
      await gw.post(`mutation { moveFile(from: "/events/wellfest-invitation.txt", to: "/events/wellfest.txt", user: "default") { id } }`);
      const after = await gw.post(query);
      expect(after.json.data.user.file.downloadUrl).toContain('/wellfest.txt?');
      expect(h.calls('synvo', 'download')).toBe(2);
    });
  });

  describe('addWebpage', () => {
    it('adds a page, followed by fileStatus until COMPLETED, then answerable with the page as the source', async () => {
      const added = await gw.post(`mutation($url: String!) { addWebpage(url: $url, user: "newcomer") { id name path } }`, { url: `${siteUrl}/reef` });
      expect(added.json.data.addWebpage).toEqual({ id: expect.stringMatching(/^f_/), name: 'coral-reefs.html', path: '/web/coral-reefs.html' });
      const id = added.json.data.addWebpage.id;
      const statuses: string[] = [];
      for await (const result of gw.ws().iterate({ query: `subscription($id: ID!) { fileStatus(id: $id, user: "newcomer") { status } }`, variables: { id } })) {
        statuses.push((result.data as { fileStatus: { status: string } }).fileStatus.status);
      }
      expect(statuses.at(-1)).toBe('COMPLETED');
      const answer = await gw.post(`{ user(name: "newcomer") { ask(question: "How much of the ocean floor do coral reefs cover?") { text sources { fileId name } } } }`);
      expect(answer.json.data.user.ask.text).toContain('less than one percent');
      expect(answer.json.data.user.ask.sources).toEqual([{ fileId: id, name: 'coral-reefs.html' }]);
    });

    it("maps Synvo's 422 (the URL cannot be fetched) to BAD_USER_INPUT with the service, sent once", async () => {
      const res = await gw.post(`mutation($url: String!) { addWebpage(url: $url, user: "newcomer") { id } }`, { url: `${siteUrl}/gone` });
      expect(res.json.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', service: 'synvo', upstreamStatus: 422 });
      expect(h.calls('synvo', 'webpage')).toBe(1);
      const bad = await gw.post(`mutation { addWebpage(url: "javascript:alert(1)", user: "newcomer") { id } }`);
      expect(bad.json.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'url' });
      expect(h.calls('synvo', 'webpage')).toBe(1);
    });
  });

  describe('ask as a conversation', () => {
    it('answers a follow-up (parentId = the last messageId) with its sources, and threads over Subscription.ask too', async () => {
      const first = await gw.post(`{ user(name: "default") { ask(question: "What is operating profit margin?") { messageId sources { fileId path } } } }`);
      const { messageId, sources } = first.json.data.user.ask;
      expect(sources).toEqual([{ fileId: 'f_default_operating_margin', path: '/lectures/operating-profit-margin-notes.txt' }]);
      const followUp = await gw.post(`query($parent: ID) { user(name: "default") { ask(question: "How is it calculated?", parentId: $parent) { text sources { fileId } } } }`, { parent: messageId });
      expect(followUp.json.data.user.ask.text).toContain('operating profit');
      const chunks: Array<{ token: string; answer: { sources: Array<{ fileId: string }> } | null }> = [];
      for await (const result of gw.ws().iterate({
        query: `subscription($parent: ID) { ask(question: "How is it calculated?", parentId: $parent, user: "default") { token answer { sources { fileId } } } }`,
        variables: { parent: messageId },
      })) chunks.push((result.data as { ask: (typeof chunks)[number] }).ask);
      expect(chunks.at(-1)?.answer?.sources.map((s) => s.fileId)).toContain('f_default_operating_margin');
    });

    it("answers from the files named, and refuses another user's file id as FORBIDDEN before asking Synvo", async () => {
      const own = await gw.post(`{ user(name: "default") { ask(question: "What is a neural network?", fileIds: ["f_default_neural_networks"], forceSearch: true, history: [{ role: USER, content: "I study AI." }]) { sources { fileId } } } }`);
      expect(own.json.data.user.ask.sources).toEqual([{ fileId: 'f_default_neural_networks' }]);
      const queries = h.calls('synvo', 'query');
      const foreign = await gw.post(`{ user(name: "default") { ask(question: "What is in my resume?", fileIds: ["f_alex_resume"]) { text } } }`);
      expect(foreign.json.data.user.ask).toBeNull();
      expect(foreign.json.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', argument: 'fileIds' });
      expect(h.calls('synvo', 'query')).toBe(queries);
      // Over graphql-ws the subscription fails before it opens: an error result or an error message, FORBIDDEN either way.
      let code: unknown;
      try {
        for await (const result of gw.ws().iterate({ query: `subscription { ask(question: "x", fileIds: ["f_alex_resume"], user: "default") { token } }` })) {
          code = result.errors?.[0]?.extensions?.['code'];
          break;
        }
      } catch (errors) {
        code = (errors as Array<{ extensions?: { code?: string } }>)[0]?.extensions?.code;
      }
      expect(code).toBe('FORBIDDEN');
      expect(h.calls('synvo', 'query')).toBe(queries);
    });

    it('refuses more than 50 history messages', async () => {
      const history = Array.from({ length: 51 }, () => ({ role: 'USER', content: 'x' }));
      const res = await gw.post(`query($h: [MessageInput!]) { user(name: "default") { ask(question: "q", history: $h) { text } } }`, { h: history });
      expect(res.json.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'history' });
    });
  });

  // The gateway keeps a download URL until a minute before it expires: a URL that lives less than
  // that minute is asked for at every read, one that lives an hour once.
  it.each([
    { life: 'shorter than the margin', downloadUrlTtlMs: 30_000, calls: 2 },
    { life: 'an hour', downloadUrlTtlMs: 3_600_000, calls: 1 },
  ])('never keeps a download URL past its life: a URL living $life is asked for $calls time(s) by two reads', async ({ downloadUrlTtlMs, calls }) => {
    const own = await startWritesHarness({ synvo: { downloadUrlTtlMs } });
    try {
      const query = `{ user(name: "default") { file(id: "f_default_campus_photo") { downloadUrl } } }`;
      for (let i = 0; i < 2; i++) expect((await own.instances[0]!.post(query)).json.data.user.file.downloadUrl).toMatch(/^http/);
      expect(own.calls('synvo', 'download')).toBe(calls);
    } finally {
      await own.stop();
    }
  });

  it('takes MEMGATE_MAX_UPLOAD_MB as the upload limit', async () => {
    const small = await startWritesHarness({ env: { MEMGATE_MAX_UPLOAD_MB: '0.001' } });
    try {
      const res = await small.instances[0]!.multipart(
        { operations: { query: 'mutation($f: File!) { uploadFile(file: $f, user: "newcomer") { id } }', variables: { f: null } }, map: { 0: ['variables.f'] }, files: { 0: new File([new Uint8Array(2000).fill(97)], 'big.txt') } },
        { ...asService },
      );
      // 0.001 MiB is 1048.576 bytes, rounded to 1049.
      expect(res.status).toBe(413);
      expect(res.json.errors).toEqual([{ message: expect.stringContaining('(1049 bytes)'), extensions: { code: 'BAD_USER_INPUT' } }]);
      expect(small.calls('synvo', 'upload')).toBe(0);
    } finally {
      await small.stop();
    }
  });
});
