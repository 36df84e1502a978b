import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PNG } from 'pngjs';
import { fetch } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunningEmulator } from '../../../emulators/core/types.js';
import { signedUrlExpiry } from '../../../src/upstream/synvo/schemas/files.js';
import { MAX_THUMBNAIL_BYTES } from '../../../src/upstream/synvo/thumbnail.js';
import type { SynvoClient } from '../../../src/upstream/types.js';
import { Harness, count, rejection } from './harness.js';

/** The file's status once its processing has ended, asked through the client until it is not PENDING. */
const processed = (synvo: SynvoClient, user: string, id: string): Promise<string> =>
  vi.waitFor(
    async () => {
      const { status } = await synvo.getFileStatus(user, id);
      if (status === 'PENDING') throw new Error(`${id} never processed`);
      return status;
    },
    { timeout: 10_000, interval: 10 },
  );

describe('Synvo client: folders, moves, downloads, thumbnails, web pages and conversations', () => {
  const h = new Harness();
  let emu: RunningEmulator;
  let synvo: SynvoClient;
  let site: Server;
  let siteUrl: string;

  beforeAll(async () => {
    emu = await h.synvoEmulator({ webpageTimeoutMs: 1_000 });
    synvo = h.synvo(emu.url, { maxAttempts: 3 });
    site = createServer((req, res) => {
      if (req.url === '/page') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html><head><title>Tide Pools</title></head><body><p>Sea anemones live in tide pools along rocky shores.</p></body></html>');
      } else res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => site.close(r));
    await h.dispose();
  });
  beforeEach(() => {
    emu.controls.reset();
    h.calls.length = 0;
  });

  describe('listFiles', () => {
    it('reads folders and files, for a path and without recursion', async () => {
      const all = await synvo.listFiles('default');
      expect(all.filter((f) => f.isDir).map((f) => f.path)).toEqual(['/events', '/lectures', '/photos', '/reports']);
      expect(all.find((f) => f.fileId === 'f_default_campus_photo')).toEqual({
        isDir: false, name: 'ntu-campus.png', path: '/photos/ntu-campus.png', fileId: 'f_default_campus_photo', size: expect.any(Number), status: 'COMPLETED', createdAt: expect.any(Date),
      });
      expect((await synvo.listFiles('default', { path: '/lectures', recursive: false })).map((f) => f.name)).toEqual([
        'neural-networks-lecture-notes.md', 'operating-profit-margin-notes.txt',
      ]);
    });

    it("reads / of a user with no files yet (Synvo's 404) as an empty list, and another missing folder as NOT_FOUND", async () => {
      expect(await synvo.listFiles('newcomer')).toEqual([]);
      expect(await rejection(synvo.listFiles('default', { path: '/nowhere' }))).toMatchObject({ code: 'NOT_FOUND', status: 404, service: 'synvo', endpoint: 'fileList' });
      expect(count(emu, 'fileList')).toBe(2);
    });

    it('takes a 404 that is not Synvo\'s own (a wrong base URL) for a bad response, not for "no files"', async () => {
      emu.controls.addFault({ route: 'fileList', kind: 'status', status: 404, body: { error: 'Not found', detail: 'GET /elsewhere' }, times: 1 });
      expect(await rejection(synvo.listFiles('newcomer'))).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', status: 404 });
    });
  });

  describe('createFolder and moveFile', () => {
    it('makes a folder and moves a file into it, each in one call', async () => {
      expect(await synvo.createFolder('default', '/archive')).toEqual({ message: expect.any(String) });
      const moved = await synvo.moveFile('default', '/events/wellfest-invitation.txt', '/archive/wellfest.txt');
      expect(moved.moves).toEqual([['/events/wellfest-invitation.txt', '/archive/wellfest.txt']]);
      expect((await synvo.listFiles('default', { path: '/archive' })).map((f) => [f.name, f.fileId])).toEqual([['wellfest.txt', 'f_default_wellfest']]);
      expect([count(emu, 'createDir'), count(emu, 'fileMove')]).toEqual([1, 1]);
    });

    it('maps a missing source to NOT_FOUND, an existing destination to CONFLICT and a folder into itself to BAD_USER_INPUT', async () => {
      expect(await rejection(synvo.moveFile('default', '/nothing.txt', '/x.txt'))).toMatchObject({ code: 'NOT_FOUND', status: 404, endpoint: 'fileMove' });
      expect(await rejection(synvo.moveFile('default', '/events/wellfest-invitation.txt', '/lectures'))).toMatchObject({ code: 'CONFLICT', status: 409 });
      expect(await rejection(synvo.moveFile('default', '/lectures', '/lectures/inner'))).toMatchObject({ code: 'BAD_USER_INPUT', status: 400 });
      expect(await rejection(synvo.createFolder('default', '/events/wellfest-invitation.txt'))).toMatchObject({ code: 'CONFLICT', status: 409 });
    });

    it('refuses a relative path or one with .. before calling Synvo', async () => {
      expect(await rejection(synvo.moveFile('default', 'events/a.txt', '/b.txt'))).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(await rejection(synvo.createFolder('default', '/a/../../b'))).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(count(emu, 'fileMove') + count(emu, 'createDir')).toBe(0);
    });

    it('never sends a move twice once it reached Synvo, even on a 503', async () => {
      emu.controls.addFault({ route: 'fileMove', kind: 'status', status: 503, times: 1 });
      expect(await rejection(synvo.moveFile('default', '/events/wellfest-invitation.txt', '/w.txt'))).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', status: 503 });
      emu.controls.addFault({ route: 'createDir', kind: 'reset', times: 1 });
      expect(await rejection(synvo.createFolder('default', '/x'))).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
      expect([count(emu, 'fileMove'), count(emu, 'createDir')]).toEqual([1, 1]);
    });
  });

  describe('getDownloadUrl', () => {
    it('reads the signed URL and when it expires; the URL serves the file', async () => {
      const link = await synvo.getDownloadUrl('default', 'f_default_campus_photo');
      expect(link).toMatchObject({ name: 'ntu-campus.png', mimeType: 'image/png', fileId: 'f_default_campus_photo' });
      expect(link.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 9 * 60_000);
      const res = await fetch(link.url);
      expect(res.status).toBe(200);
      expect(PNG.sync.read(Buffer.from(await res.arrayBuffer())).width).toBe(320);
    });

    it("maps an unknown file and another user's to NOT_FOUND", async () => {
      expect(await rejection(synvo.getDownloadUrl('default', 'nope'))).toMatchObject({ code: 'NOT_FOUND', status: 404, endpoint: 'download' });
      expect(await rejection(synvo.getDownloadUrl('default', 'f_alex_resume'))).toMatchObject({ code: 'NOT_FOUND' });
    });

    it('retries a read on a 503, and gives RATE_LIMITED with retryAfter on a 429 past the budget', async () => {
      emu.controls.addFault({ route: 'download', kind: 'status', status: 503, times: 1 });
      expect((await synvo.getDownloadUrl('default', 'f_default_wellfest')).fileId).toBe('f_default_wellfest');
      expect(count(emu, 'download')).toBe(2);
      emu.controls.addFault({ route: 'download', kind: 'rateLimit', retryAfter: 30, times: 1 });
      expect(await rejection(synvo.getDownloadUrl('default', 'f_default_wellfest'))).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 30, status: 429 });
    });

    it('reads the expiry of S3-style and epoch-style signed URLs, and none from a plain one', () => {
      expect(signedUrlExpiry('https://cdn.example/f?X-Amz-Date=20250101T000000Z&X-Amz-Expires=3600&X-Amz-Signature=x')).toEqual(new Date('2025-01-01T01:00:00Z'));
      expect(signedUrlExpiry('https://cdn.example/f?Expires=1735689600&Signature=x')).toEqual(new Date('2025-01-01T00:00:00Z'));
      expect(signedUrlExpiry('https://cdn.example/f')).toBeNull();
    });
  });

  describe('getThumbnail', () => {
    it('reads a PNG of at most the size asked', async () => {
      const thumb = await synvo.getThumbnail('default', 'f_default_campus_photo', 50);
      expect(thumb?.mimeType).toBe('image/png');
      const png = PNG.sync.read(Buffer.from(thumb!.bytes));
      expect([png.width, png.height]).toEqual([50, 38]);
      expect(h.calls.at(-1)).toMatchObject({ endpoint: 'thumbnail', status: 200, attempts: 1 });
    });

    it('reads "no thumbnail" (a text file, an unknown file) as null, and refuses a bad size before calling', async () => {
      expect(await synvo.getThumbnail('default', 'f_default_wellfest')).toBeNull();
      expect(await synvo.getThumbnail('default', 'nope')).toBeNull();
      expect(await rejection(synvo.getThumbnail('default', 'f_default_campus_photo', 5000))).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(count(emu, 'thumbnail')).toBe(2);
    });

    it('takes a body that is not an image for a bad response, and a 5xx as unavailable after its retries', async () => {
      emu.controls.addFault({ route: 'thumbnail', kind: 'malformed', times: 1 });
      expect(await rejection(synvo.getThumbnail('default', 'f_default_campus_photo'))).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE' });
      emu.controls.addFault({ route: 'thumbnail', kind: 'status', status: 502, times: 3 });
      expect(await rejection(synvo.getThumbnail('default', 'f_default_campus_photo'))).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', status: 502 });
      expect(count(emu, 'thumbnail')).toBe(4);
    });
  });

  it('reads a thumbnail of exactly the bound, and takes one byte more for a bad response, each asked once', async () => {
    // A loopback Synvo whose thumbnails are as large as the test says.
    let size = 0;
    let served = 0;
    const big = createServer((_req, res) => {
      served += 1;
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(Buffer.alloc(size, 1));
    });
    await new Promise<void>((resolve) => big.listen(0, '127.0.0.1', resolve));
    try {
      const client = h.synvo(`http://127.0.0.1:${(big.address() as AddressInfo).port}`, { maxAttempts: 3 });
      size = MAX_THUMBNAIL_BYTES;
      expect((await client.getThumbnail('default', 'f_default_campus_photo'))?.bytes.length).toBe(MAX_THUMBNAIL_BYTES);
      size = MAX_THUMBNAIL_BYTES + 1;
      expect(await rejection(client.getThumbnail('default', 'f_default_campus_photo'))).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE' });
      expect(served).toBe(2);
    } finally {
      await new Promise((r) => big.close(r));
    }
  });

  describe('addWebpage', () => {
    it('adds a page, processed like an upload and then answerable', async () => {
      const page = await synvo.addWebpage('newcomer', { url: `${siteUrl}/page` });
      expect(page).toEqual({ fileId: expect.stringMatching(/^f_/), filename: 'tide-pools.html', path: '/web/tide-pools.html', timestamp: expect.any(Date) });
      expect(await processed(synvo, 'newcomer', page.fileId)).toBe('COMPLETED');
      const answer = await synvo.ask('newcomer', 'Where do sea anemones live?');
      expect(answer.text).toContain('tide pools');
      expect(answer.sources).toEqual([{ fileId: page.fileId, name: 'tide-pools.html', path: '/web/tide-pools.html' }]);
    });

    it("maps Synvo's 422 (the URL could not be fetched) to BAD_USER_INPUT, sent once", async () => {
      const error = await rejection(synvo.addWebpage('newcomer', { url: `${siteUrl}/broken`, path: '/clips', name: 'broken' }));
      expect(error).toMatchObject({ code: 'BAD_USER_INPUT', status: 422, endpoint: 'webpage' });
      expect(count(emu, 'webpage')).toBe(1);
      expect(await rejection(synvo.addWebpage('newcomer', { url: 'ftp://example.com/x' }))).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(await rejection(synvo.addWebpage('newcomer', { url: `${siteUrl}/page`, name: 'a/b' }))).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(count(emu, 'webpage')).toBe(1);
    });

    it('never sends a page twice once it reached Synvo', async () => {
      emu.controls.addFault({ route: 'webpage', kind: 'status', status: 500, times: 1 });
      expect(await rejection(synvo.addWebpage('newcomer', { url: `${siteUrl}/page` }))).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
      expect(count(emu, 'webpage')).toBe(1);
    });
  });

  describe('ask with a conversation', () => {
    it('answers with the files it drew on as sources and a message id that threads the next question', async () => {
      const first = await synvo.ask('default', 'What is operating profit margin?');
      expect(first.sources).toEqual([{ fileId: 'f_default_operating_margin', name: 'operating-profit-margin-notes.txt', path: '/lectures/operating-profit-margin-notes.txt' }]);
      expect(first.messageId).toMatch(/^msg_/);
      const followUp = await synvo.ask('default', { question: 'How is it calculated?', parentId: first.messageId });
      expect(followUp.text).toContain('operating profit');
      expect(followUp.sources.map((s) => s.fileId)).toContain('f_default_operating_margin');
    });

    it('sends history as earlier messages, file ids as file parts and force_search, over the stream too', async () => {
      const answer = await synvo.ask('default', {
        question: 'When is it?',
        history: [{ role: 'user', content: 'Tell me about the WellFest event.' }, { role: 'assistant', content: 'A self-care event.' }],
        fileIds: ['f_default_wellfest'],
        forceSearch: true,
      });
      expect(answer.sources.map((s) => s.fileId)).toEqual(['f_default_wellfest']);
      const events = [];
      for await (const event of synvo.askStream('default', { question: 'What is a neural network?', fileIds: ['f_default_neural_networks'] })) events.push(event);
      const done = events.at(-1);
      expect(done?.type === 'done' && done.answer.sources).toEqual([{ fileId: 'f_default_neural_networks', name: 'neural-networks-lecture-notes.md', path: '/lectures/neural-networks-lecture-notes.md' }]);
    });

    it('refuses history over 50 messages, a bad role and a bad file id before calling Synvo', async () => {
      const turn = { role: 'user' as const, content: 'x' };
      expect(await rejection(synvo.ask('default', { question: 'q', history: Array.from({ length: 51 }, () => turn) }))).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(await rejection(synvo.ask('default', { question: 'q', history: [{ role: 'robot' as 'user', content: 'x' }] }))).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(await rejection(synvo.ask('default', { question: 'q', fileIds: ['../etc'] }))).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(count(emu, 'query')).toBe(0);
    });
  });
});
