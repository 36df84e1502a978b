import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PNG } from 'pngjs';
import { fetch, FormData } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../emulators/core/types.js';
import { startSynvoEmulator } from '../../../emulators/synvo/index.js';
import { apiKey, call, eventually, get, uploadAndWait, uploadForm } from './synvo-client.js';

const form = (fields: Record<string, string>) => new URLSearchParams(fields);
const names = (res: { body: { items: Array<{ path: string }> } }) => res.body.items.map((i) => i.path);
const ask = (base: string, messages: Array<{ role: string; text: string; fileIds?: string[] }>, fields: Record<string, string> = {}) => {
  const body = new FormData();
  body.append(
    'payload',
    JSON.stringify({
      messages: messages.map((m) => ({
        role: m.role,
        content: [{ type: 'text', text: m.text }, ...(m.fileIds ?? []).map((id) => ({ type: 'file', file_id: id }))],
      })),
    }),
  );
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  return call(base, 'POST', '/ai/query', { body });
};

/** A GET of binary content (thumbnails, downloads), with or without the API key. */
async function bytes(url: string, key: string | null = apiKey) {
  const res = await fetch(url, { headers: key ? { 'x-api-key': key } : {} });
  return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), body: new Uint8Array(await res.arrayBuffer()) };
}

describe('Synvo emulator: folders, moves, downloads, thumbnails and web pages', () => {
  let emu: RunningEmulator;
  let clock = Date.now();
  /** A web site on loopback for /webpage/add. */
  let site: Server;
  let siteUrl: string;
  beforeAll(async () => {
    emu = await startSynvoEmulator({ processingDelayMs: 10, now: () => clock, webpageTimeoutMs: 500 });
    site = createServer((req, res) => {
      if (req.url === '/octopus') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<html><head><title>Octopus Facts</title></head><body><h1>Octopus facts</h1><p>The octopus has three hearts and blue blood.</p><script>var x = 1;</script></body></html>');
      } else if (req.url === '/plain') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('Axolotls can regrow their limbs.');
      } else if (req.url === '/image') {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(Buffer.from([0x89, 0x50]));
      } else if (req.url === '/hang') {
        // never answers: the emulator's timeout gives 422
      } else {
        res.writeHead(404).end('gone');
      }
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    site.closeAllConnections();
    await new Promise((r) => site.close(r));
    await emu.stop();
  });
  beforeEach(() => {
    clock = Date.now();
    emu.controls.reset();
  });

  describe('POST /file/create_dir', () => {
    it('makes an empty folder (with its parents) that the listing shows, and answers 200 again when it exists', async () => {
      const made = await call(emu.url, 'POST', '/file/create_dir', { body: form({ path: '/projects/2025/', sub_user_name: 'newcomer' }) });
      expect(made.status).toBe(200);
      expect(made.body).toEqual({ message: expect.stringContaining('/projects/2025') });
      const listed = await get(emu.url, '/file/list?sub_user_name=newcomer');
      expect(listed.status).toBe(200);
      expect(names(listed)).toEqual(['/projects', '/projects/2025']);
      expect(listed.body.tree).toEqual({ '/': { projects: { file_id: null, is_dir: true } }, '/projects': { '2025': { file_id: null, is_dir: true } }, '/projects/2025': {} });
      expect((await get(emu.url, '/file/list?sub_user_name=newcomer&path=/projects/2025')).body.items).toEqual([]);
      const again = await call(emu.url, 'POST', '/file/create_dir', { body: form({ path: '/projects/2025', sub_user_name: 'newcomer' }) });
      expect(again.status).toBe(200);
      expect(again.body.message).toMatch(/exists/);
    });

    it('makes / of a sub-user with no files an empty listing instead of a 404', async () => {
      expect((await get(emu.url, '/file/list?sub_user_name=newcomer')).status).toBe(404);
      expect((await call(emu.url, 'POST', '/file/create_dir', { body: form({ path: '/', sub_user_name: 'newcomer' }) })).status).toBe(200);
      const listed = await get(emu.url, '/file/list?sub_user_name=newcomer');
      expect(listed.status).toBe(200);
      expect(listed.body.items).toEqual([]);
    });

    it('answers 400 without a path or with .., and 409 where a file is', async () => {
      expect((await call(emu.url, 'POST', '/file/create_dir', { body: form({}) })).status).toBe(400);
      expect((await call(emu.url, 'POST', '/file/create_dir', { body: form({ path: '/a/../../b' }) })).status).toBe(400);
      const clash = await call(emu.url, 'POST', '/file/create_dir', { body: form({ path: '/events/wellfest-invitation.txt' }) });
      expect(clash.status).toBe(409);
      expect(clash.body).toEqual({ error: 'Path exists', detail: expect.any(String) });
    });
  });

  describe('POST /file/move', () => {
    it('renames a file in place, and keeps its id, status, search and answers', async () => {
      const moved = await call(emu.url, 'POST', '/file/move', { body: form({ src: '/events/wellfest-invitation.txt', dest: '/events/wellfest-2025.txt' }) });
      expect(moved.status).toBe(200);
      expect(moved.body).toEqual({ message: expect.any(String), file_moves: [['/events/wellfest-invitation.txt', '/events/wellfest-2025.txt']] });
      const listed = await get(emu.url, '/file/list?path=/events');
      expect(listed.body.items).toEqual([expect.objectContaining({ name: 'wellfest-2025.txt', path: '/events/wellfest-2025.txt', file_id: 'f_default_wellfest', status: 'COMPLETED' })]);
      const found = await call(emu.url, 'POST', '/ai/search', { body: form({ message: 'wellfest' }) });
      expect(found.body[0]).toMatchObject({ file_id: 'f_default_wellfest', file_path: '/events/wellfest-2025.txt', file_name: 'wellfest-2025.txt' });
    });

    it('moves a file into another folder, making the folder', async () => {
      const moved = await call(emu.url, 'POST', '/file/move', { body: form({ src: '/reports/ntu-annual-report-2024.txt', dest: '/archive/2024/report.txt' }) });
      expect(moved.status).toBe(200);
      expect(names(await get(emu.url, '/file/list'))).toContain('/archive/2024/report.txt');
      // The folder it left is gone with it: it held nothing else and was never made on its own.
      expect(names(await get(emu.url, '/file/list'))).not.toContain('/reports');
    });

    it('moves a folder with everything in it, listing each file it took along', async () => {
      const moved = await call(emu.url, 'POST', '/file/move', { body: form({ src: '/lectures', dest: '/study/lectures' }) });
      expect(moved.status).toBe(200);
      expect(moved.body.file_moves).toEqual([
        ['/lectures', '/study/lectures'],
        ['/lectures/neural-networks-lecture-notes.md', '/study/lectures/neural-networks-lecture-notes.md'],
        ['/lectures/operating-profit-margin-notes.txt', '/study/lectures/operating-profit-margin-notes.txt'],
      ]);
      expect((await get(emu.url, '/file/list?path=/lectures')).status).toBe(404);
      expect(names(await get(emu.url, '/file/list?path=/study'))).toEqual([
        '/study/lectures', '/study/lectures/neural-networks-lecture-notes.md', '/study/lectures/operating-profit-margin-notes.txt',
      ]);
    });

    it('answers 404 for a missing source (or another sub-user\'s), 409 for an existing destination, 400 for a folder into itself', async () => {
      const missing = await call(emu.url, 'POST', '/file/move', { body: form({ src: '/nothing.txt', dest: '/x.txt' }) });
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({ error: 'Source not found', detail: expect.any(String) });
      expect((await call(emu.url, 'POST', '/file/move', { body: form({ src: '/career/resume.txt', dest: '/x.txt' }) })).status).toBe(404);
      const clash = await call(emu.url, 'POST', '/file/move', { body: form({ src: '/events/wellfest-invitation.txt', dest: '/lectures/operating-profit-margin-notes.txt' }) });
      expect(clash.status).toBe(409);
      expect(clash.body).toEqual({ error: 'Destination exists', detail: expect.any(String) });
      expect((await call(emu.url, 'POST', '/file/move', { body: form({ src: '/events/wellfest-invitation.txt', dest: '/lectures' }) })).status).toBe(409);
      expect((await call(emu.url, 'POST', '/file/move', { body: form({ src: '/lectures', dest: '/lectures/inner' }) })).status).toBe(400);
      expect((await call(emu.url, 'POST', '/file/move', { body: form({ src: '/lectures' }) })).status).toBe(400);
      // Nothing moved.
      expect(names(await get(emu.url, '/file/list?path=/lectures'))).toHaveLength(2);
    });
  });

  describe('GET /file/download', () => {
    it('answers a signed URL that the emulator serves without an API key, with the file itself', async () => {
      const res = await get(emu.url, '/file/download?file_id=f_default_campus_photo');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/file\/content\//), name: 'ntu-campus.png', file_type: 'image/png', file_id: 'f_default_campus_photo' });
      const file = await bytes(res.body.url, null);
      expect(file.status).toBe(200);
      expect(file.type).toBe('image/png');
      expect(file.disposition).toContain('ntu-campus.png');
      const png = PNG.sync.read(Buffer.from(file.body));
      expect([png.width, png.height]).toEqual([320, 240]);
      expect(emu.controls.calls().routes).toMatchObject({ download: { total: 1 }, fileContent: { total: 1 } });
    });

    it('serves a text file byte for byte', async () => {
      const { upload } = await uploadAndWait(emu.url, 'notes.txt', 'Exactly these bytes.', { sub_user_name: 'dora' });
      const res = await get(emu.url, `/file/download?file_id=${upload.file_id}&sub_user_name=dora`);
      expect(new TextDecoder().decode((await bytes(res.body.url, null)).body)).toBe('Exactly these bytes.');
    });

    it('refuses a URL past its life or with a changed signature (403), and one of a deleted file (404)', async () => {
      const { url } = (await get(emu.url, '/file/download?file_id=f_default_wellfest')).body;
      const tampered = new URL(url);
      tampered.searchParams.set('sub_user_name', 'alex');
      expect((await bytes(tampered.toString(), null)).status).toBe(403);
      clock += 11 * 60_000;
      expect((await bytes(url, null)).status).toBe(403);
      clock -= 11 * 60_000;
      expect((await bytes(url, null)).status).toBe(200);
      await call(emu.url, 'DELETE', '/file/delete/f_default_wellfest');
      expect((await bytes(url, null)).status).toBe(404);
    });

    it("answers 404 for an unknown file and another sub-user's, 400 without file_id", async () => {
      expect((await get(emu.url, '/file/download?file_id=nope')).status).toBe(404);
      expect((await get(emu.url, '/file/download?file_id=f_alex_resume')).status).toBe(404);
      expect((await get(emu.url, '/file/download')).status).toBe(400);
    });
  });

  describe('GET /file/thumbnail', () => {
    it('answers a real PNG of a seed image, scaled to max_size on its longer side', async () => {
      for (const [maxSize, expected] of [[undefined, [200, 150]], ['64', [64, 48]], ['1024', [320, 240]]] as const) {
        const res = await bytes(`${emu.url}/file/thumbnail?file_id=f_default_campus_photo${maxSize ? `&max_size=${maxSize}` : ''}`);
        expect(res.status).toBe(200);
        expect(res.type).toBe('image/png');
        const png = PNG.sync.read(Buffer.from(res.body));
        expect([png.width, png.height]).toEqual(expected);
      }
      const alex = PNG.sync.read(Buffer.from((await bytes(`${emu.url}/file/thumbnail?file_id=f_alex_trail_photo&sub_user_name=alex&max_size=100`)).body));
      expect([alex.width, alex.height]).toEqual([100, 75]);
    });

    it('scales an uploaded PNG and draws a page for a PDF', async () => {
      const image = new PNG({ width: 40, height: 80 });
      image.data.fill(200);
      await call(emu.url, 'POST', '/file/upload', { body: uploadForm('tall.png', new Uint8Array(PNG.sync.write(image)), { sub_user_name: 'ivy' }) });
      const listed = await get(emu.url, '/file/list?sub_user_name=ivy');
      const id = listed.body.items[0].file_id;
      const thumb = PNG.sync.read(Buffer.from((await bytes(`${emu.url}/file/thumbnail?file_id=${id}&sub_user_name=ivy&max_size=20`)).body));
      expect([thumb.width, thumb.height]).toEqual([10, 20]);
      await call(emu.url, 'POST', '/file/upload', { body: uploadForm('paper.pdf', '%PDF-1.4 nothing', { sub_user_name: 'ivy' }) });
      const pdfId = (await get(emu.url, '/file/list?sub_user_name=ivy')).body.items.find((i: { name: string }) => i.name === 'paper.pdf').file_id;
      const page = await bytes(`${emu.url}/file/thumbnail?file_id=${pdfId}&sub_user_name=ivy`);
      expect(page.status).toBe(200);
      expect(PNG.sync.read(Buffer.from(page.body)).height).toBe(200);
    });

    it('answers 404 for a type without a thumbnail, an unknown file and another sub-user\'s; 400 for a bad max_size', async () => {
      const text = await get(emu.url, '/file/thumbnail?file_id=f_default_wellfest');
      expect(text.status).toBe(404);
      expect(text.body).toEqual({ error: 'Thumbnail not available', detail: expect.any(String) });
      expect((await get(emu.url, '/file/thumbnail?file_id=nope')).body.error).toBe('File not found');
      expect((await get(emu.url, '/file/thumbnail?file_id=f_alex_trail_photo')).status).toBe(404);
      for (const size of ['0', '2000', 'big']) expect((await get(emu.url, `/file/thumbnail?file_id=f_default_campus_photo&max_size=${size}`)).status).toBe(400);
    });
  });

  describe('POST /webpage/add', () => {
    it('fetches the page, stores it under /web named after its title, and processes it like an upload', async () => {
      const res = await call(emu.url, 'POST', '/webpage/add', { body: form({ url: `${siteUrl}/octopus`, sub_user_name: 'wendy' }) });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ filename: 'octopus-facts.html', path: '/web/octopus-facts.html', file_id: expect.stringMatching(/^f_/), timestamp: expect.stringMatching(/Z$/) });
      await eventually(async () => (await get(emu.url, `/file/status/${res.body.file_id}?sub_user_name=wendy`)).body.status === 'COMPLETED', 'page processed');
      const answer = await ask(emu.url, [{ role: 'user', text: 'How many hearts does an octopus have?' }], { sub_user_name: 'wendy' });
      expect(answer.body.response.content[0].text).toContain('The octopus has three hearts and blue blood.');
      expect(answer.body.response.content[0].text).not.toContain('var x');
      expect(answer.body.response.searched_files).toEqual([{ file_id: res.body.file_id, file_name: 'octopus-facts.html', file_path: '/web/octopus-facts.html' }]);
      const listed = await get(emu.url, '/file/list?sub_user_name=wendy');
      expect(listed.body.items).toContainEqual(expect.objectContaining({ name: 'octopus-facts.html', status: 'COMPLETED' }));
      const events = await get(emu.url, '/metadata/get_user_event?sub_user_name=wendy');
      expect(events.body.map((e: { content: string }) => e.content)).toContain('User uploaded octopus-facts.html.');
    });

    it('takes the path and name given, and reads a plain-text page', async () => {
      const res = await call(emu.url, 'POST', '/webpage/add', { body: form({ url: `${siteUrl}/plain`, path: '/clips', name: 'axolotl', sub_user_name: 'wendy' }) });
      expect(res.body).toMatchObject({ filename: 'axolotl.html', path: '/clips/axolotl.html' });
      await eventually(async () => (await get(emu.url, `/file/status/${res.body.file_id}?sub_user_name=wendy`)).body.status === 'COMPLETED', 'page processed');
      const found = await call(emu.url, 'POST', '/ai/search', { body: form({ message: 'regrow limbs', sub_user_name: 'wendy' }) });
      expect(found.body.map((f: { file_id: string }) => f.file_id)).toEqual([res.body.file_id]);
    });

    it('answers 422 when the URL cannot be fetched: refused, an error status, not a page, no answer in time', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
      await new Promise((r) => closed.close(r));
      for (const url of [closedUrl, `${siteUrl}/missing`, `${siteUrl}/image`, `${siteUrl}/hang`]) {
        const res = await call(emu.url, 'POST', '/webpage/add', { body: form({ url }) });
        expect(res.status, url).toBe(422);
        expect(res.body).toEqual({ error: 'Could not fetch the URL', detail: expect.any(String) });
      }
      expect(names(await get(emu.url, '/file/list'))).not.toContain('/web');
      expect(emu.controls.calls().routes.webpage?.total).toBe(4);
    });

    it('answers 400 without a url, or with one that is not http(s)', async () => {
      for (const fields of [{}, { url: 'not a url' }, { url: 'file:///etc/passwd' }, { url: `${siteUrl}/octopus`, build_memory: 'maybe' }] as Array<Record<string, string>>) {
        expect((await call(emu.url, 'POST', '/webpage/add', { body: form(fields) })).status).toBe(400);
      }
    });
  });

  describe('POST /ai/query conversations', () => {
    it('answers a follow-up (parent_cuid) in the light of the question it follows', async () => {
      const alone = await ask(emu.url, [{ role: 'user', text: 'How is it calculated?' }]);
      const first = await ask(emu.url, [{ role: 'user', text: 'What is operating profit margin?' }]);
      const followUp = await ask(emu.url, [{ role: 'user', text: 'How is it calculated?' }], { parent_cuid: first.body.response.cuid });
      expect(followUp.body.response.content[0].text).toContain('operating profit');
      expect(followUp.body.response.content[0].text).not.toBe(alone.body.response.content[0].text);
      expect(followUp.body.response.searched_files.map((f: { file_id: string }) => f.file_id)).toContain('f_default_operating_margin');
      // Another sub-user cannot follow this answer: its parent is unknown to them.
      const foreign = await ask(emu.url, [{ role: 'user', text: 'How is it calculated?' }], { parent_cuid: first.body.response.cuid, sub_user_name: 'newcomer' });
      expect(foreign.body.response.content[0].text).toBe('');
    });

    it('reads earlier user turns as the context of the last one', async () => {
      const res = await ask(emu.url, [
        { role: 'user', text: 'Tell me about the WellFest event.' },
        { role: 'assistant', text: 'It is a self-care event.' },
        { role: 'user', text: 'When is it?' },
      ]);
      expect(res.body.response.searched_files.map((f: { file_id: string }) => f.file_id)).toContain('f_default_wellfest');
    });

    it('cites the files a question names as file parts, and force_search lists the files searched', async () => {
      const named = await ask(emu.url, [{ role: 'user', text: 'What is a neural network?', fileIds: ['f_default_neural_networks'] }]);
      expect(named.body.response.content.slice(1)).toEqual([{ type: 'file', file_id: 'f_default_neural_networks', path: '/lectures/neural-networks-lecture-notes.md' }]);
      const plain = await ask(emu.url, [{ role: 'user', text: 'WellFest' }]);
      const forced = await ask(emu.url, [{ role: 'user', text: 'WellFest' }], { force_search: 'true' });
      expect(forced.body.response.searched_files.length).toBeGreaterThanOrEqual(plain.body.response.searched_files.length);
      expect((await ask(emu.url, [{ role: 'user', text: 'x' }], { force_search: 'maybe' })).status).toBe(400);
    });
  });

  it('counts every new route by sub-user, and honours faults on them', async () => {
    await call(emu.url, 'POST', '/file/create_dir', { body: form({ path: '/a', sub_user_name: 'kim' }) });
    await call(emu.url, 'POST', '/file/move', { body: form({ src: '/a', dest: '/b', sub_user_name: 'kim' }) });
    await get(emu.url, '/file/thumbnail?file_id=nope&sub_user_name=kim');
    emu.controls.addFault({ route: 'fileMove', kind: 'status', status: 503, times: 1 });
    expect((await call(emu.url, 'POST', '/file/move', { body: form({ src: '/b', dest: '/c', sub_user_name: 'kim' }) })).status).toBe(503);
    emu.controls.addFault({ route: 'webpage', kind: 'rateLimit', retryAfter: 4, times: 1 });
    const limited = await call(emu.url, 'POST', '/webpage/add', { body: form({ url: `${siteUrl}/octopus`, sub_user_name: 'kim' }) });
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('4');
    expect(emu.controls.calls().routes).toMatchObject({
      createDir: { total: 1, byUser: { kim: 1 } },
      fileMove: { total: 2, byUser: { kim: 2 } },
      thumbnail: { total: 1, byUser: { kim: 1 } },
      webpage: { total: 1, byUser: { kim: 1 } },
    });
  });
});
