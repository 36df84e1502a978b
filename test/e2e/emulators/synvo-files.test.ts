import { FormData } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../emulators/core/types.js';
import { startSynvoEmulator } from '../../../emulators/synvo/index.js';
import { call, get, queryForm, uploadAndWait, uploadForm } from './synvo-client.js';

const upload = (base: string, form: FormData) => call(base, 'POST', '/file/upload', { body: form });
const list = (base: string, query = '') => get(base, `/file/list${query}`);
const names = (items: Array<{ name: string }>) => items.map((i) => i.name);

describe('Synvo emulator: files', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startSynvoEmulator({ processingDelayMs: 10 });
  });
  afterAll(() => emu.stop());
  beforeEach(() => emu.controls.reset());

  it('processes an upload, after which it is listed, searchable, answerable and in the profile and events', async () => {
    const note = [
      '# About me',
      'Name: Maya Lin',
      'Working industry: Renewable energy',
      'Work skills: Solar panel design',
      'I joined the Sunbeam cooperative on 2025-06-01 to work on rooftop arrays.',
    ].join('\n');
    const { upload: up, status } = await uploadAndWait(emu.url, 'about-me.md', note, { sub_user_name: 'maya', path: '/notes' });
    expect(up).toEqual({ filename: 'about-me.md', path: '/notes/about-me.md', renamed: false, file_id: expect.any(String), timestamp: expect.stringMatching(/Z$/) });
    expect(status).toBe('COMPLETED');

    const listed = await list(emu.url, '?sub_user_name=maya');
    expect(listed.body.items).toContainEqual({
      is_dir: false, name: 'about-me.md', path: '/notes/about-me.md', file_id: up.file_id, size: Buffer.byteLength(note),
      status: 'COMPLETED', created_at: up.timestamp,
    });

    const found = await call(emu.url, 'POST', '/ai/search', { body: new URLSearchParams({ message: 'rooftop solar', sub_user_name: 'maya' }) });
    expect(found.body.map((f: { file_id: string }) => f.file_id)).toEqual([up.file_id]);

    const answer = await call(emu.url, 'POST', '/ai/query', { body: queryForm('Which cooperative did I join?', { sub_user_name: 'maya' }) });
    expect(answer.body.response.content[0].text).toContain('Sunbeam cooperative');

    const profile = await get(emu.url, '/metadata/get_user_profile?sub_user_name=maya');
    expect(profile.body).toEqual({
      basic_info: { sub_topics: { Name: { value: 'Maya Lin' } } },
      work: { sub_topics: { working_industry: { value: 'Renewable energy' }, work_skills: { value: 'Solar panel design' } } },
    });

    const events = await get(emu.url, '/metadata/get_user_event?sub_user_name=maya');
    expect(events.body).toEqual([
      { event_type: expect.any(String), content: 'User uploaded about-me.md.', happen_time: null, mention_time: expect.any(String) },
      { event_type: 'professional', content: 'I joined the Sunbeam cooperative on 2025-06-01 to work on rooftop arrays.', happen_time: '2025-06-01T00:00:00', mention_time: events.body[0].mention_time },
    ]);
  });

  it('applies the documented extraction rules to markdown keys, dates and event types', async () => {
    const note = [
      '## Details',
      '- **Birth-date:** 1999-04-02',
      '* LANGUAGE SPOKEN: English',
      'language_spoken: Mandarin',
      'Favourite colour: green',
      'Hobbies.Pets: a cat called Miso',
      'Dr. Martinez: not a profile key',
      'The budget review with the bank is at 2025-12-01T09:30. Then lunch with friends on 2025-12-02!',
      'Nothing dated in this sentence.',
    ].join('\n');
    await uploadAndWait(emu.url, 'rules.md', note, { sub_user_name: 'rita' });
    const alternate = await (async () => {
      emu.controls.addFault({ route: 'profile', kind: 'shape', variant: 'alternate', times: 1 });
      return (await get(emu.url, '/metadata/get_user_profile?sub_user_name=rita')).body;
    })();
    expect(alternate).toEqual({
      basic_info: { birth_date: '1999-04-02', language_spoken: ['English', 'Mandarin'] },
      hobbies: { pets: 'a cat called Miso' },
    });
    const events = (await get(emu.url, '/metadata/get_user_event?sub_user_name=rita')).body;
    expect(events.map((e: Record<string, unknown>) => [e.event_type, e.content, e.happen_time])).toEqual([
      ['financial', 'User uploaded rules.md.', null],
      ['financial', 'The budget review with the bank is at 2025-12-01T09:30.', '2025-12-01T09:30:00'],
      ['social', 'Then lunch with friends on 2025-12-02!', '2025-12-02T00:00:00'],
    ]);
  });

  it('renames an upload whose name already exists in that path', async () => {
    const first = await upload(emu.url, uploadForm('notes.txt', 'one', { sub_user_name: 'ren' }));
    const second = await upload(emu.url, uploadForm('notes.txt', 'two', { sub_user_name: 'ren' }));
    const third = await upload(emu.url, uploadForm('notes.txt', 'three', { sub_user_name: 'ren' }));
    const elsewhere = await upload(emu.url, uploadForm('notes.txt', 'four', { sub_user_name: 'ren', path: '/other' }));
    const otherUser = await upload(emu.url, uploadForm('notes.txt', 'five', { sub_user_name: 'someone' }));
    expect([first, second, third, elsewhere, otherUser].map((r) => [r.body.filename, r.body.renamed])).toEqual([
      ['notes.txt', false], ['notes (1).txt', true], ['notes (2).txt', true], ['notes.txt', false], ['notes.txt', false],
    ]);
    expect(second.body.path).toBe('/notes (1).txt');
  });

  it('marks a .json that does not parse FAILED, and reads a valid one as key: value lines', async () => {
    const bad = await uploadAndWait(emu.url, 'broken.json', '{"name": ', { sub_user_name: 'jo' });
    expect(bad.status).toBe('FAILED');
    const good = await uploadAndWait(emu.url, 'card.json', JSON.stringify({ person: { name: 'Jo Park', email: 'jo@example.com' }, hobbies: ['chess'] }), { sub_user_name: 'jo' });
    expect(good.status).toBe('COMPLETED');
    const lines = await uploadAndWait(emu.url, 'log.jsonl', '{"city":"Lisbon"}\n{"note":"Booked a flight on 2025-07-14."}\n', { sub_user_name: 'jo' });
    expect(lines.status).toBe('COMPLETED');
    const badLines = await uploadAndWait(emu.url, 'bad.jsonl', '{"city":"Lisbon"}\nnot json\n', { sub_user_name: 'jo' });
    expect(badLines.status).toBe('FAILED');
    const profile = await get(emu.url, '/metadata/get_user_profile?sub_user_name=jo');
    expect(profile.body.basic_info.sub_topics.Name).toEqual({ value: 'Jo Park' });
    expect(profile.body.contact_info.sub_topics).toEqual({ email: { value: 'jo@example.com' }, city: { value: 'Lisbon' } });
    const events = await get(emu.url, '/metadata/get_user_event?sub_user_name=jo');
    expect(events.body).toContainEqual(expect.objectContaining({ content: 'note: Booked a flight on 2025-07-14.', happen_time: '2025-07-14T00:00:00' }));
    const listed = await list(emu.url, '?sub_user_name=jo');
    expect(listed.body.items.find((i: { name: string }) => i.name === 'broken.json').status).toBe('FAILED');
  });

  it.each([
    ['no file field', () => { const f = new FormData(); f.append('path', '/'); return f; }, 'No file provided'],
    ['a text value in the file field', () => { const f = new FormData(); f.append('file', 'just text'); return f; }, 'Invalid file'],
    ['an unsupported extension', () => uploadForm('tool.exe', 'MZ'), 'Unsupported file type'],
    ['a name without extension', () => uploadForm('README', 'hello'), 'Unsupported file type'],
    ['an empty file', () => uploadForm('empty.txt', ''), 'Empty file'],
    ['a path with ..', () => uploadForm('a.txt', 'x', { path: '/docs/../../etc' }), 'Invalid parameter'],
  ])('rejects an upload with %s with 400', async (_name, makeForm, error) => {
    const res = await upload(emu.url, makeForm());
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error, detail: expect.any(String) });
  });

  it('rejects an upload over the size limit (100 MiB unless configured) with 413', async () => {
    const small = await startSynvoEmulator({ maxUploadBytes: 1024 });
    try {
      const res = await upload(small.url, uploadForm('big.txt', new Uint8Array(1025).fill(97)));
      expect(res.status).toBe(413);
      expect(res.body).toEqual({ error: 'File too large', detail: expect.stringContaining('1024 bytes') });
      expect((await list(small.url, '?sub_user_name=default')).body.items.some((i: { name: string }) => i.name === 'big.txt')).toBe(false);
      expect((await upload(small.url, uploadForm('fits.txt', new Uint8Array(1024).fill(97)))).status).toBe(200);
    } finally {
      await small.stop();
    }
  });

  it("answers UNKNOWN for an unknown file id and for another sub-user's file", async () => {
    expect((await get(emu.url, '/file/status/nope')).body).toEqual({ file_id: 'nope', status: 'UNKNOWN' });
    expect((await get(emu.url, '/file/status/f_default_wellfest')).body).toEqual({ file_id: 'f_default_wellfest', status: 'COMPLETED' });
    expect((await get(emu.url, '/file/status/f_default_wellfest?sub_user_name=alex')).body.status).toBe('UNKNOWN');
  });

  it('lists folders and files with a tree keyed by folder path, by path and recursion', async () => {
    const all = await list(emu.url);
    expect(all.status).toBe(200);
    expect(names(all.body.items)).toEqual([
      'events', 'lectures', 'photos', 'reports',
      'wellfest-invitation.txt', 'neural-networks-lecture-notes.md', 'operating-profit-margin-notes.txt', 'ntu-campus.png', 'ntu-annual-report-2024.txt',
    ]);
    expect(all.body.items[0]).toEqual({ is_dir: true, name: 'events', path: '/events', file_id: null, size: null, status: null, created_at: null });
    expect(all.body.tree).toEqual({
      '/': { events: { file_id: null, is_dir: true }, lectures: { file_id: null, is_dir: true }, photos: { file_id: null, is_dir: true }, reports: { file_id: null, is_dir: true } },
      '/events': { 'wellfest-invitation.txt': { file_id: 'f_default_wellfest', is_dir: false } },
      '/lectures': {
        'neural-networks-lecture-notes.md': { file_id: 'f_default_neural_networks', is_dir: false },
        'operating-profit-margin-notes.txt': { file_id: 'f_default_operating_margin', is_dir: false },
      },
      '/photos': { 'ntu-campus.png': { file_id: 'f_default_campus_photo', is_dir: false } },
      '/reports': { 'ntu-annual-report-2024.txt': { file_id: 'f_default_ntu_annual_report', is_dir: false } },
    });
    expect(all.body.need_refresh_file).toBe(false);
    expect(all.body.version).toMatch(/^v\d+$/);

    const lectures = await list(emu.url, '?path=/lectures/');
    expect(names(lectures.body.items)).toEqual(['neural-networks-lecture-notes.md', 'operating-profit-margin-notes.txt']);

    await uploadAndWait(emu.url, 'deep.txt', 'deep down', { path: '/lectures/2025/week1' });
    const shallow = await list(emu.url, '?path=/lectures&recursive=false');
    expect(names(shallow.body.items)).toEqual(['2025', 'neural-networks-lecture-notes.md', 'operating-profit-margin-notes.txt']);
    expect(Object.keys(shallow.body.tree)).toEqual(['/lectures', '/lectures/2025']);
    const deep = await list(emu.url, '?path=/lectures&recursive=true');
    expect(names(deep.body.items)).toEqual(['2025', 'week1', 'deep.txt', 'neural-networks-lecture-notes.md', 'operating-profit-margin-notes.txt']);
    expect(deep.body.tree['/lectures/2025']).toEqual({ week1: { file_id: null, is_dir: true } });
    expect(deep.body.tree['/lectures/2025/week1']).toEqual({ 'deep.txt': { file_id: expect.any(String), is_dir: false } });
  });

  it('answers 404 Directory not found for a missing folder, and for / of a sub-user with no files', async () => {
    for (const query of ['?path=/nowhere', '?sub_user_name=newcomer', '?sub_user_name=newcomer&path=/']) {
      const res = await list(emu.url, query);
      expect(res.status, query).toBe(404);
      expect(res.body).toEqual({ error: 'Directory not found', detail: expect.any(String) });
    }
  });

  it('says with need_refresh_file whether anything changed since the version a caller passes', async () => {
    const before = (await list(emu.url)).body.version;
    expect((await list(emu.url, `?version=${before}`)).body.need_refresh_file).toBe(false);
    await call(emu.url, 'POST', '/file/create_dir', { body: new URLSearchParams({ path: '/new' }) });
    const after = await list(emu.url, `?version=${before}`);
    expect(after.body.need_refresh_file).toBe(true);
    expect(after.body.version).not.toBe(before);
  });

  it('rejects recursive=maybe and a path with .. with 400', async () => {
    const bad = await list(emu.url, '?recursive=maybe');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: 'Invalid parameter', detail: expect.stringContaining('recursive') });
    expect((await list(emu.url, '?path=/a/../..')).status).toBe(400);
  });

  it('deletes a file from the list, status, search and answers', async () => {
    const { upload: up } = await uploadAndWait(emu.url, 'octopus.txt', 'The octopus has three hearts and blue blood.');
    expect((await call(emu.url, 'POST', '/ai/query', { body: queryForm('How many hearts does an octopus have?') })).body.response.content[0].text).toContain('three hearts');
    const res = await call(emu.url, 'DELETE', `/file/delete/${up.file_id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: expect.any(String) });
    expect((await get(emu.url, `/file/status/${up.file_id}`)).body.status).toBe('UNKNOWN');
    expect(names((await list(emu.url)).body.items)).not.toContain('octopus.txt');
    expect((await call(emu.url, 'POST', '/ai/search', { body: new URLSearchParams({ message: 'octopus' }) })).body).toEqual([]);
    expect((await call(emu.url, 'POST', '/ai/query', { body: queryForm('How many hearts does an octopus have?') })).body.response.content[0].text).toBe('');
    expect((await call(emu.url, 'DELETE', `/file/delete/${up.file_id}`)).status).toBe(404);
  });

  it("answers 404 to deleting an unknown file or another sub-user's, which stays", async () => {
    const unknown = await call(emu.url, 'DELETE', '/file/delete/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: 'File not found', detail: expect.any(String) });
    expect((await call(emu.url, 'DELETE', '/file/delete/f_alex_resume')).status).toBe(404);
    expect((await get(emu.url, '/file/status/f_alex_resume?sub_user_name=alex')).body.status).toBe('COMPLETED');
  });

  it("keeps one sub-user's files out of another's list", async () => {
    await uploadAndWait(emu.url, 'private.txt', 'mine only', { sub_user_name: 'sam' });
    expect(names((await list(emu.url, '?sub_user_name=sam')).body.items)).toEqual(['private.txt']);
    for (const other of ['default', 'alex']) {
      expect(names((await list(emu.url, `?sub_user_name=${other}`)).body.items)).not.toContain('private.txt');
    }
    expect((await list(emu.url, '?sub_user_name=newcomer')).status).toBe(404);
  });
});
