/**
 * A real multipart upload through the gateway, followed over graphql-ws to COMPLETED, after which
 * the user's profile, events, file search and answers reflect the file; cached reads make no
 * upstream call until a write invalidates them.
 */
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startWritesHarness, subscribe, SYNVO_KEY, textFile, type Instance, type WritesHarness } from './harness.js';
import {
  AskDocument, DeleteFileDocument, EventsDocument, EventsSubscriptionDocument, FileDocument, FileStatusDocument, ProfileDocument,
  SearchFilesDocument, UploadDocument, ViewerProfileDocument,
} from './operations.js';

const UPLOAD = print(UploadDocument);
const FILE_STATUS = FileStatusDocument;
const EVENTS = EventsSubscriptionDocument;
const PROFILE = ProfileDocument;
const EVENTS_QUERY = EventsDocument;
const SEARCH = SearchFilesDocument;
const ASK = AskDocument;
const FILES = FileDocument;
const DELETE = DeleteFileDocument;

const NOTES = 'City: Lisbon\nCompany: Initech\nI joined the Lisbon jazz club on 2025-03-14.\n';

let h: WritesHarness;
let gw: Instance;

beforeAll(async () => {
  h = await startWritesHarness({ env: { MEMGATE_MAX_UPLOAD_MB: '20' } });
  gw = h.instances[0]!;
});
afterAll(async () => {
  await h?.stop();
});

async function upload(user: string, file: File, extra: Record<string, unknown> = {}) {
  return gw.multipart({
    operations: { query: UPLOAD, variables: { file: null, user, ...extra } },
    map: { '0': ['variables.file'] },
    files: { '0': file },
  });
}

describe('uploadFile and live updates', () => {
  it('uploads a text file, follows it to COMPLETED over graphql-ws, and every read reflects it afterwards', async () => {
    const user = 'writer1';
    // Warm the cache with the "before" state.
    const before = await gw.post(PROFILE, { user });
    expect(before.json.data.user.profile).toBeNull();

    const ws = gw.ws();
    const events = subscribe<{ events: { content: string } }>(ws, EVENTS, { user }, 2);
    await events.started;
    // The events poller's first call shows the subscription is in place on the gateway.
    await vi.waitFor(() => expect(h.calls('synvo', 'events', user)).toBeGreaterThan(0));

    const res = await upload(user, textFile('notes.txt', NOTES), { path: '/diary' });
    expect(res.json.errors).toBeUndefined();
    const uploaded = res.json.data.uploadFile;
    expect(uploaded).toMatchObject({ name: 'notes.txt', path: '/diary/notes.txt', renamed: false, size: NOTES.length, mimeType: 'text/plain' });
    expect(h.calls('synvo', 'upload', user)).toBe(1);

    const statuses = await subscribe<{ fileStatus: { id: string; name: string; status: string } }>(ws, FILE_STATUS, { id: uploaded.id, user }).results;
    expect(statuses.every((r) => r.errors === undefined)).toBe(true);
    expect(statuses.at(-1)!.data!.fileStatus).toEqual({ id: uploaded.id, name: 'notes.txt', status: 'COMPLETED' });

    const announced = (await events.results).map((r) => r.data!.events.content);
    expect(announced).toEqual(expect.arrayContaining(['User uploaded notes.txt.']));

    const profile = await gw.post(PROFILE, { user });
    expect(profile.json.data.user.profile).toEqual({ contactInfo: { city: 'Lisbon' }, work: { company: 'Initech' } });
    const listed = await gw.post(EVENTS_QUERY, { user });
    expect(listed.json.data.user.events.map((e: { content: string }) => e.content)).toContain('I joined the Lisbon jazz club on 2025-03-14.');
    const search = await gw.post(SEARCH, { user, q: 'jazz club Lisbon' });
    expect(search.json.data.user.searchFiles[0]).toEqual({ id: uploaded.id, name: 'notes.txt' });
    const answer = await gw.post(ASK, { user, q: 'Which club did I join?' });
    expect(answer.json.data.user.ask.text).toMatch(/jazz/i);
  });

  it('serves a repeated read from the cache with no upstream call, while another user makes its own', async () => {
    h.synvo.controls.resetCalls();
    await gw.post(PROFILE, { user: 'default' });
    await gw.post(PROFILE, { user: 'default' });
    expect(h.calls('synvo', 'profile', 'default')).toBe(1);
    await gw.post(PROFILE, { user: 'alex' });
    expect(h.calls('synvo', 'profile', 'alex')).toBe(1);
    expect(h.calls('synvo', 'profile')).toBe(2);

    // A JWT caller reading its own data shares nothing with the service key's view of another user.
    const token = await h.jwt('newcomer');
    await gw.post(ViewerProfileDocument, {}, { authorization: `Bearer ${token}` });
    await gw.post(ViewerProfileDocument, {}, { authorization: `Bearer ${token}` });
    expect(h.calls('synvo', 'profile', 'newcomer')).toBe(1);
  });

  it('invalidates the profile, events, search and answers of that user when an upload finishes processing', async () => {
    const user = 'writer2';
    const first = await upload(user, textFile('first.txt', 'City: Porto\n'));
    // Processed (and its invalidation done) before the reads below warm the cache.
    const firstStatuses = await subscribe<{ fileStatus: { status: string } }>(gw.ws(), FILE_STATUS, { id: first.json.data.uploadFile.id, user }).results;
    expect(firstStatuses.at(-1)!.data!.fileStatus.status).toBe('COMPLETED');
    await gw.post(PROFILE, { user });
    await gw.post(EVENTS_QUERY, { user });
    await gw.post(SEARCH, { user, q: 'Porto' });
    await gw.post(ASK, { user, q: 'Where do I live?' });
    h.synvo.controls.resetCalls();
    await gw.post(PROFILE, { user });
    await gw.post(EVENTS_QUERY, { user });
    await gw.post(SEARCH, { user, q: 'Porto' });
    await gw.post(ASK, { user, q: 'Where do I live?' });
    expect(['profile', 'events', 'search', 'query'].map((r) => h.calls('synvo', r, user))).toEqual([0, 0, 0, 0]);

    const res = await upload(user, textFile('second.txt', 'Company: Globex\n'));
    const statuses = await subscribe<{ fileStatus: { status: string } }>(gw.ws(), FILE_STATUS, { id: res.json.data.uploadFile.id, user }).results;
    expect(statuses.at(-1)!.data!.fileStatus.status).toBe('COMPLETED');
    h.synvo.controls.resetCalls();
    const profile = await gw.post(PROFILE, { user });
    expect(profile.json.data.user.profile.work).toEqual({ company: 'Globex' });
    await gw.post(EVENTS_QUERY, { user });
    await gw.post(SEARCH, { user, q: 'Porto' });
    await gw.post(ASK, { user, q: 'Where do I live?' });
    expect(['profile', 'events', 'search', 'query'].map((r) => h.calls('synvo', r, user))).toEqual([1, 1, 1, 1]);
  });

  it('deletes a file, invalidating the file lookups and search, and says false for an unknown id', async () => {
    const user = 'writer3';
    const res = await upload(user, textFile('gone.txt', 'A note about gardening.'));
    const id = res.json.data.uploadFile.id as string;
    await subscribe(gw.ws(), FILE_STATUS, { id, user }).results;
    expect((await gw.post(FILES, { user, id })).json.data.user.file).toMatchObject({ id, name: 'gone.txt', status: 'COMPLETED' });
    expect((await gw.post(SEARCH, { user, q: 'gardening' })).json.data.user.searchFiles).toHaveLength(1);

    const deleted = await gw.post(DELETE, { id, user });
    expect(deleted.json).toEqual({ data: { deleteFile: true } });
    expect((await gw.post(FILES, { user, id })).json.data.user.file).toBeNull();
    expect((await gw.post(SEARCH, { user, q: 'gardening' })).json.data.user.searchFiles).toEqual([]);
    expect((await gw.post(DELETE, { id, user })).json).toEqual({ data: { deleteFile: false } });
  });

  it('streams a large file through to Synvo byte for byte', async () => {
    const user = 'writer5';
    const text = 'Lorem ipsum dolor sit amet. '.repeat(200_000);
    const res = await upload(user, textFile('large.txt', text));
    expect(res.json.errors).toBeUndefined();
    const { id, size } = res.json.data.uploadFile;
    expect(size).toBe(text.length);
    const listed = await gw.post(FILES, { user, id });
    expect(listed.json.data.user.file.size).toBe(text.length);
  });

  it('lets a JWT caller follow its own file without naming itself, and no one else\'s', async () => {
    const res = await upload('writer6', textFile('own.txt', 'My own file.'));
    const id = res.json.data.uploadFile.id as string;
    const ws = gw.ws({ authorization: `Bearer ${await h.jwt('writer6')}` });
    const own = await subscribe<{ fileStatus: { status: string } }>(ws, FILE_STATUS, { id }).results;
    expect(own.at(-1)!.data!.fileStatus.status).toBe('COMPLETED');
    const other = await subscribe(ws, FILE_STATUS, { id, user: 'writer1' }).results;
    expect(other[0]!.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN' });
    // Another user's id under one's own name is a file Synvo does not know for that user.
    const stranger = gw.ws({ authorization: `Bearer ${await h.jwt('writer7')}` });
    const unknown = await subscribe<{ fileStatus: { status: string } }>(stranger, FILE_STATUS, { id }).results;
    expect(unknown.map((r) => r.data!.fileStatus.status)).toEqual(['UNKNOWN']);
  });

  it('lets a JWT caller upload only as itself', async () => {
    const token = await h.jwt('writer4');
    const own = await upload('writer4', textFile('mine.txt', 'Mine.'));
    expect(own.json.errors).toBeUndefined();
    const res = await gw.multipart(
      { operations: { query: UPLOAD, variables: { file: null, user: 'someone-else' } }, map: { '0': ['variables.file'] }, files: { '0': textFile('x.txt', 'x') } },
      { authorization: `Bearer ${token}` },
    );
    expect(res.json.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(h.calls('synvo', 'upload', 'someone-else')).toBe(0);
  });
});

describe('bad uploads', () => {
  const user = 'badupload';
  beforeAll(async () => {
    await upload(user, textFile('kept.txt', 'Anything at all.'));
  });

  /** The user's files as Synvo lists them (straight from the emulator, bypassing the gateway). */
  async function synvoFiles(): Promise<string[]> {
    const res = await fetch(`${h.synvo.url}/file/list?sub_user_name=${user}`, { headers: { 'x-api-key': SYNVO_KEY } });
    const body = (await res.json()) as { items: Array<{ is_dir: boolean; path: string }> };
    return body.items.filter((i) => !i.is_dir).map((i) => i.path);
  }

  it.each([
    ['too large', () => textFile('big.txt', 'x'.repeat(20 * 1024 * 1024 + 1)), /^File too large: the limit is 20 MiB \(20971520 bytes\)$/],
    ['of an unsupported type', () => textFile('tool.exe', 'MZ', 'application/octet-stream'), /unsupported file type "\.exe"/],
    ['empty', () => textFile('empty.txt', ''), /empty/],
  ])('rejects a file that is %s with a clear error and stores nothing', async (_what, make, message) => {
    const before = h.calls('synvo', 'upload', user);
    const listed = await synvoFiles();
    expect(listed).toEqual(['/kept.txt']);
    const res = await upload(user, make());
    expect(res.json.data ?? null).toBeNull();
    expect(res.json.errors[0].message).toMatch(message);
    expect(res.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(h.calls('synvo', 'upload', user)).toBe(before);
    expect(await synvoFiles()).toEqual(listed);
  });

  it.each([
    ['a map naming a missing file part', { operations: { query: UPLOAD, variables: { file: null, user } }, map: { '1': ['variables.file'] }, files: { '0': textFile('a.txt', 'a') } }, /names the file part "1", which the request does not contain/],
    ['a map path leading nowhere', { operations: { query: UPLOAD, variables: { file: null, user } }, map: { '0': ['variables.nothing'] }, files: { '0': textFile('a.txt', 'a') } }, /does not lead to a variable/],
    ['two files', { operations: { query: UPLOAD, variables: { file: null, user } }, map: { '0': ['variables.file'] }, files: { '0': textFile('a.txt', 'a'), '1': textFile('b.txt', 'b') } }, /Too many files: at most 1/],
  ])('rejects a multipart request with %s, naming the problem, and stores nothing', async (_what, parts, message) => {
    const before = h.calls('synvo', 'upload', user);
    const res = await gw.multipart(parts);
    expect(res.json.errors[0].message).toMatch(message);
    expect(res.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(h.calls('synvo', 'upload', user)).toBe(before);
    expect(await synvoFiles()).toEqual(['/kept.txt']);
  });

  it('rejects a multipart request without its map with a clear error and stores nothing', async () => {
    const before = h.calls('synvo', 'upload', user);
    const res = await gw.multipart({ operations: { query: UPLOAD, variables: { file: null, user } }, files: { '0': textFile('a.txt', 'a') } });
    expect(res.json.errors[0].message).toMatch(/without a "map" field/);
    expect(res.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(h.calls('synvo', 'upload', user)).toBe(before);
    expect(await synvoFiles()).toEqual(['/kept.txt']);
  });
});
