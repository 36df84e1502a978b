/**
 * The probe's read-only checks of Synvo: profile, events, search (and its `sub_user_name`
 * scoping), a question and a follow-up (`parent_cuid`, `force_search`, `searched_files`), the file
 * list, a file's download URL and thumbnail, and a wrong key. `--write` adds synvo-write-checks.ts.
 */
import { FormData } from 'undici';
import { readErrorBody } from '../upstream/errors.js';
import { readAnswer } from '../upstream/synvo/schemas/answer.js';
import { readEvents } from '../upstream/synvo/schemas/events.js';
import { readDownload, readFileList, readSearch } from '../upstream/synvo/schemas/files.js';
import { readProfile } from '../upstream/synvo/schemas/profile.js';
import { expectWrongKeyRefused, probeName, qs, unverified, type ProbeKit } from './checks.js';
import { isRecord, type Answer, type ProbeOptions } from './probe.js';
import { probeSynvoWrites } from './synvo-write-checks.js';

/** Synvo as the checks call it: one account key, sub-users by name. */
export interface SynvoProbe {
  get(path: string, key?: string): Promise<Answer | string>;
  post(path: string, body: { form?: URLSearchParams; multipart?: FormData }): Promise<Answer | string>;
  del(path: string): Promise<Answer | string>;
  searchAs(subUser: string, message: string): Promise<Answer | string>;
  /** `/ai/query` as `subUser`; `extra` fields (parent_cuid, force_search) besides the payload. */
  ask(subUser: string, question: string, extra?: Record<string, string>): Promise<Answer | string>;
}

function synvoProbe(kit: ProbeKit, synvo: NonNullable<ProbeOptions['synvo']>): SynvoProbe {
  const { baseUrl, apiKey } = synvo;
  return {
    get: (path, key = apiKey) => kit.call(baseUrl, key, 'GET', path),
    post: (path, body) => kit.call(baseUrl, apiKey, 'POST', path, body),
    del: (path) => kit.call(baseUrl, apiKey, 'DELETE', path),
    searchAs: (subUser, message) => kit.call(baseUrl, apiKey, 'POST', '/ai/search', { form: new URLSearchParams({ message, sub_user_name: subUser }) }),
    ask(subUser, question, extra = {}) {
      const form = new FormData();
      form.set('payload', JSON.stringify({ messages: [{ role: 'user', content: [{ type: 'text', text: question }] }] }));
      form.set('sub_user_name', subUser);
      for (const [name, value] of Object.entries(extra)) form.set(name, value);
      return kit.call(baseUrl, apiKey, 'POST', '/ai/query', { multipart: form });
    },
  };
}

/** What an answer drew on, as the probe reports it. */
function describeAnswer(body: unknown): string {
  const response = isRecord(body) && isRecord(body['response']) ? body['response'] : {};
  const parts = Array.isArray(response['content']) ? response['content'].length : 0;
  const searched = Array.isArray(response['searched_files']) ? `, searched_files: ${response['searched_files'].length}` : ', no searched_files';
  return `an answer (${parts} content part${parts === 1 ? '' : 's'}${searched})`;
}

export async function probeSynvo(kit: ProbeKit, synvo: NonNullable<ProbeOptions['synvo']>): Promise<void> {
  const { judge, add } = kit;
  const s = synvoProbe(kit, synvo);
  const user = synvo.user ?? 'default';
  const userNotFound = (body: unknown) => /not found/i.test(readErrorBody(body).message ?? '');

  judge('synvo', 'GET /metadata/get_user_profile/', await s.get(`/metadata/get_user_profile/${qs({ sub_user_name: user })}`), readProfile, (body) => {
    const categories = isRecord(body) ? Object.values(body) : [];
    const standard = categories.some((c) => isRecord(c) && 'sub_topics' in c);
    return `${categories.length} categories, ${standard ? 'the {sub_topics: {value}} shape' : 'the alternate {subtopic: value} shape'}`;
  }, userNotFound, 'its own 404: the sub-user has no data yet');

  judge('synvo', 'GET /metadata/get_user_event/', await s.get(`/metadata/get_user_event/${qs({ sub_user_name: user, limit: '5' })}`), readEvents, (body) =>
    Array.isArray(body) ? `${body.length} events (a list)` : 'events in the {total_count, events} shape', userNotFound, 'its own 404: the sub-user has no data yet');

  const question = 'What do my files say about my work?';
  const own = judge('synvo', 'POST /ai/search', await s.searchAs(user, question), readSearch, (body) => `${(body as unknown[]).length} files`);

  // The one scoping rule not on the endpoint's own page: a sub-user who has nothing must find nothing.
  const other = await s.searchAs(probeName(), question);
  const scopeEndpoint = 'POST /ai/search (sub_user_name scoping)';
  if (typeof other === 'string' || other.text !== null || other.status !== 200 || !Array.isArray(other.body)) {
    add({ service: 'synvo', endpoint: scopeEndpoint, status: typeof other === 'string' ? other : String(other.status), verdict: 'differs', detail: 'a search as a sub-user with no files failed' });
  } else if (other.body.length > 0) {
    add({ service: 'synvo', endpoint: scopeEndpoint, status: '200', verdict: 'differs', detail: `a sub-user with no files found ${other.body.length} files: sub_user_name does not scope /ai/search` });
  } else if (own && Array.isArray(own.body) && own.body.length > 0) {
    add({ service: 'synvo', endpoint: scopeEndpoint, status: '200', verdict: 'ok', detail: `"${user}" finds files, a sub-user with no files finds none` });
  } else {
    unverified(kit, 'synvo', scopeEndpoint, `"${user}" finds no files either: run with --write to check with a file of its own`);
  }

  const first = judge('synvo', 'POST /ai/query', await s.ask(user, question), (body) => readAnswer(body), describeAnswer);
  const cuid = first ? readAnswer(first.body).messageId : null;
  const followUp = 'POST /ai/query (parent_cuid, force_search)';
  if (cuid) judge('synvo', followUp, await s.ask(user, 'And which of them is the most recent?', { parent_cuid: cuid, force_search: 'true' }), (body) => readAnswer(body), describeAnswer);
  else unverified(kit, 'synvo', followUp, 'the first question got no answer id (cuid) to follow');

  const listed = judge('synvo', 'GET /file/list', await s.get(`/file/list${qs({ sub_user_name: user, path: '/' })}`), readFileList, (body) =>
    `${isRecord(body) && Array.isArray(body['items']) ? body['items'].length : 0} entries`, (body) => /directory not found/i.test(readErrorBody(body).message ?? ''), 'its own 404: no files yet');
  const files = listed?.status === 200 ? readFileList(listed.body).filter((f) => !f.isDir && f.fileId) : [];
  await checkDownload(kit, s, user, files[0]?.fileId ?? null, null);
  const picture = files.find((f) => /\.(png|jpe?g|gif|webp|pdf|mp4|mov)$/i.test(f.name));
  await checkThumbnail(kit, s, user, picture?.fileId ?? null);

  expectWrongKeyRefused(kit, 'synvo', await s.get(`/metadata/get_user_profile/${qs({ sub_user_name: user })}`, `${synvo.apiKey}-memgate-probe-wrong`));

  if (kit.options.write) await probeSynvoWrites(kit, s);
}

/** `/file/download` of a file, then its signed URL fetched without any key: 200 (and `expected` in it, when given). */
export async function checkDownload(kit: ProbeKit, s: SynvoProbe, user: string, fileId: string | null, expected: string | null): Promise<void> {
  const tag = expected === null ? '' : ' (--write)';
  const endpoint = `GET /file/download${tag}`;
  if (!fileId) return unverified(kit, 'synvo', endpoint, 'the sub-user has no file to download: run with --write to check with a file of its own');
  const link = kit.judge('synvo', endpoint, await s.get(`/file/download${qs({ file_id: fileId, sub_user_name: user })}`), readDownload, (body) => `a signed URL for ${(body as { name: string }).name}`);
  if (!link) return;
  const { url, expiresAt } = readDownload(link.body);
  const opened = await kit.call(url, '', 'GET', '');
  const body = typeof opened === 'string' ? '' : opened.text ?? JSON.stringify(opened.body ?? '');
  const ok = typeof opened !== 'string' && opened.status === 200 && (expected === null || body.includes(expected));
  kit.add({
    service: 'synvo',
    endpoint: `GET <signed download URL>${tag}`,
    status: typeof opened === 'string' ? opened : String(opened.status),
    verdict: ok ? 'ok' : 'differs',
    detail: ok
      ? `opens without a key${expected ? ', with the file\'s content' : ''}${expiresAt ? `; expires ${expiresAt.toISOString()}` : '; no expiry the gateway can read (it caches the URL briefly)'}`
      : 'the signed URL does not open (or not with the file)',
  });
}

/** `/file/thumbnail` of an image, PDF or video: PNG or JPEG bytes. */
export async function checkThumbnail(kit: ProbeKit, s: SynvoProbe, user: string, fileId: string | null, tag = ''): Promise<void> {
  const endpoint = `GET /file/thumbnail${tag}`;
  if (!fileId) return unverified(kit, 'synvo', endpoint, 'the sub-user has no image, PDF or video: run with --write to check with one of its own');
  const answer = await s.get(`/file/thumbnail${qs({ file_id: fileId, max_size: '64', sub_user_name: user })}`);
  if (typeof answer === 'string') return kit.add({ service: 'synvo', endpoint, status: answer, verdict: 'differs', detail: 'the upstream did not answer' });
  const head = answer.bytes.subarray(0, 4).toString('hex');
  const image = head === '89504e47' ? 'PNG' : head.startsWith('ffd8ff') ? 'JPEG' : null;
  const ok = answer.status === 200 && image !== null && /^image\/(png|jpeg)/.test(answer.contentType ?? '');
  kit.add({
    service: 'synvo',
    endpoint,
    status: String(answer.status),
    verdict: ok ? 'ok' : 'differs',
    detail: ok ? `${image} bytes (${answer.bytes.length}), ${answer.contentType}` : `expected 200 with PNG or JPEG bytes, got ${answer.contentType ?? 'no content type'}`,
  });
}
