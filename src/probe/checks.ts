/**
 * The probe's checks of each upstream: which endpoints it calls, and what it expects of each
 * answer (emulators/README.md, "The upstreams' behaviour"). `runProbe` (./probe.ts) gives them the raw call and the judge.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { FormData } from 'undici';
import { readErrorBody } from '../upstream/errors.js';
import { readBio, readMemorySearch, readStoredMemories } from '../upstream/memsync/schemas.js';
import { readAnswer } from '../upstream/synvo/schemas/answer.js';
import { readEvents } from '../upstream/synvo/schemas/events.js';
import { readFileList, readFileStatus, readSearch, readUpload } from '../upstream/synvo/schemas/files.js';
import { readProfile } from '../upstream/synvo/schemas/profile.js';
import { isRecord, type Answer, type ProbeOptions, type ProbeRow } from './probe.js';

export type Call = (base: string, key: string, method: 'GET' | 'POST' | 'DELETE', path: string, body?: { json?: unknown; form?: URLSearchParams; multipart?: FormData }) => Promise<Answer | string>;
export type Judge = (
  service: ProbeRow['service'],
  endpoint: string,
  answer: Answer | string,
  read: (body: unknown) => unknown,
  describe: (body: unknown) => string,
  own404?: (body: unknown) => boolean,
  own404Detail?: string,
) => Answer | null;
export type AuthRow = (service: ProbeRow['service'], endpoint: string, answer: Answer | string) => void;

const qs = (params: Record<string, string>) => `?${new URLSearchParams(params)}`;
const probeName = () => `memgate-probe-${randomUUID().slice(0, 8)}`;

export async function probeSynvo(
  synvo: NonNullable<ProbeOptions['synvo']>,
  options: ProbeOptions,
  call: Call,
  judge: Judge,
  authRow: AuthRow,
  add: (row: ProbeRow) => void,
): Promise<void> {
  const { baseUrl, apiKey } = synvo;
  const user = synvo.user ?? 'default';
  const get = (path: string) => call(baseUrl, apiKey, 'GET', path);
  const userNotFound = (body: unknown) => /not found/i.test(readErrorBody(body).message ?? '');

  judge('synvo', 'GET /metadata/get_user_profile/', await get(`/metadata/get_user_profile/${qs({ sub_user_name: user })}`), readProfile, (body) => {
    const categories = isRecord(body) ? Object.values(body) : [];
    const standard = categories.some((c) => isRecord(c) && 'sub_topics' in c);
    return `${categories.length} categories, ${standard ? 'the {sub_topics: {value}} shape' : 'the alternate {subtopic: value} shape'}`;
  }, userNotFound, 'its own 404: the sub-user has no data yet');

  judge('synvo', 'GET /metadata/get_user_event/', await get(`/metadata/get_user_event/${qs({ sub_user_name: user, limit: '5' })}`), readEvents, (body) =>
    Array.isArray(body) ? `${body.length} events (a list)` : 'events in the {total_count, events} shape', userNotFound, 'its own 404: the sub-user has no data yet');

  const searchAs = (subUser: string, message: string) =>
    call(baseUrl, apiKey, 'POST', '/ai/search', { form: new URLSearchParams({ message, sub_user_name: subUser }) });
  const question = 'What do my files say about my work?';
  const own = judge('synvo', 'POST /ai/search', await searchAs(user, question), readSearch, (body) => `${(body as unknown[]).length} files`);

  // The one scoping rule not on the endpoint's own page: a sub-user who has nothing must find nothing.
  const stranger = probeName();
  const other = await searchAs(stranger, question);
  const scopeEndpoint = 'POST /ai/search (sub_user_name scoping)';
  if (typeof other === 'string' || other.text !== null || other.status !== 200 || !Array.isArray(other.body)) {
    add({ service: 'synvo', endpoint: scopeEndpoint, status: typeof other === 'string' ? other : String(other.status), verdict: 'differs', detail: 'a search as a sub-user with no files failed' });
  } else if (other.body.length > 0) {
    add({ service: 'synvo', endpoint: scopeEndpoint, status: '200', verdict: 'differs', detail: `a sub-user with no files found ${other.body.length} files: sub_user_name does not scope /ai/search` });
  } else if (own && Array.isArray(own.body) && own.body.length > 0) {
    add({ service: 'synvo', endpoint: scopeEndpoint, status: '200', verdict: 'ok', detail: `"${user}" finds files, a sub-user with no files finds none` });
  } else {
    add({ service: 'synvo', endpoint: scopeEndpoint, status: '200', verdict: 'unverified', detail: `"${user}" finds no files either: run with --write to check with a file of its own` });
  }

  const payload = JSON.stringify({ messages: [{ role: 'user', content: [{ type: 'text', text: question }] }] });
  const form = new FormData();
  form.set('payload', payload);
  form.set('sub_user_name', user);
  judge('synvo', 'POST /ai/query', await call(baseUrl, apiKey, 'POST', '/ai/query', { multipart: form }), (body) => readAnswer(body), (body) => {
    const response = isRecord(body) && isRecord(body['response']) ? body['response'] : {};
    const parts = Array.isArray(response['content']) ? response['content'].length : 0;
    return `an answer (${parts} content part${parts === 1 ? '' : 's'}${'searched_files' in response ? ', searched_files' : ''})`;
  });

  judge('synvo', 'GET /file/list', await get(`/file/list${qs({ sub_user_name: user, path: '/' })}`), readFileList, (body) =>
    `${isRecord(body) && Array.isArray(body['items']) ? body['items'].length : 0} entries`, (body) => /directory not found/i.test(readErrorBody(body).message ?? ''), 'its own 404: no files yet');

  authRow('synvo', 'auth (wrong key)', await call(baseUrl, `${apiKey}-memgate-probe-wrong`, 'GET', `/metadata/get_user_profile/${qs({ sub_user_name: user })}`));

  if (options.write) await probeSynvoWrites(synvo, options, call, judge, add, searchAs);
}

/** --write: a file of a fresh sub-user's own: processed, found by its sub-user, by nobody else; then deleted. */
async function probeSynvoWrites(
  synvo: NonNullable<ProbeOptions['synvo']>,
  options: ProbeOptions,
  call: Call,
  judge: Judge,
  add: (row: ProbeRow) => void,
  searchAs: (subUser: string, message: string) => Promise<Answer | string>,
): Promise<void> {
  const { baseUrl, apiKey } = synvo;
  const owner = probeName();
  const token = `memgateprobe${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const upload = new FormData();
  upload.set('file', new Blob([`memgate probe file. Probe word: ${token}.\n`], { type: 'text/plain' }), `${token}.txt`);
  upload.set('sub_user_name', owner);
  upload.set('path', '/');
  const uploaded = judge('synvo', 'POST /file/upload (--write)', await call(baseUrl, apiKey, 'POST', '/file/upload', { multipart: upload }), readUpload, () => 'accepted');
  const fileId = uploaded && isRecord(uploaded.body) && typeof uploaded.body['file_id'] === 'string' ? uploaded.body['file_id'] : null;
  if (!fileId) return;
  const deadline = Date.now() + (options.processingTimeoutMs ?? 180_000);
  let status = 'PENDING';
  let last: Answer | string = 'no answer';
  while (Date.now() < deadline) {
    last = await call(baseUrl, apiKey, 'GET', `/file/status/${encodeURIComponent(fileId)}${qs({ sub_user_name: owner })}`);
    if (typeof last === 'string' || last.status !== 200) break;
    status = isRecord(last.body) && typeof last.body['status'] === 'string' ? last.body['status'] : 'UNKNOWN';
    if (status !== 'PENDING') break;
    await sleep(1_000);
  }
  judge('synvo', 'GET /file/status/{id} (--write)', last, readFileStatus, () => `processed: ${status}`);
  if (status === 'COMPLETED') {
    const mine = await searchAs(owner, token);
    const theirs = await searchAs(probeName(), token);
    const found = (a: Answer | string) => (typeof a !== 'string' && Array.isArray(a.body) ? a.body.length : -1);
    const endpoint = 'POST /ai/search (scoping, --write)';
    if (found(mine) > 0 && found(theirs) === 0) add({ service: 'synvo', endpoint, status: '200', verdict: 'ok', detail: 'the owner finds the probe file, another sub-user does not' });
    else add({ service: 'synvo', endpoint, status: '200', verdict: 'differs', detail: `the owner found ${found(mine)} files, another sub-user ${found(theirs)}: sub_user_name does not scope /ai/search as the contract says` });
  } else {
    add({ service: 'synvo', endpoint: 'POST /ai/search (scoping, --write)', status: '-', verdict: 'unverified', detail: `the probe file was not processed in time (${status})` });
  }
  await call(baseUrl, apiKey, 'DELETE', `/file/delete/${encodeURIComponent(fileId)}${qs({ sub_user_name: owner })}`);
}

export async function probeMemSync(
  memsync: NonNullable<ProbeOptions['memsync']>,
  options: ProbeOptions,
  call: Call,
  judge: Judge,
  authRow: AuthRow,
  add: (row: ProbeRow) => void,
): Promise<void> {
  const { baseUrl, apiKey } = memsync;
  const code = (body: unknown) => readErrorBody(body).upstreamCode;

  const bio = judge('memsync', 'GET /profile/bio', await call(baseUrl, apiKey, 'GET', '/profile/bio'), readBio, (body) => `a bio of ${(body as { word_count?: number }).word_count ?? '?'} words`, (body) => code(body) === 'BIO_NOT_FOUND', 'its own 404 BIO_NOT_FOUND: no bio yet');

  // No user parameter: a key is one account, so `user_id` must change nothing.
  const withUser = await call(baseUrl, apiKey, 'GET', `/profile/bio${qs({ user_id: probeName() })}`);
  const scopeEndpoint = 'GET /profile/bio?user_id= (key scoping)';
  if (bio && typeof withUser !== 'string') {
    const same = withUser.status === bio.status;
    add({
      service: 'memsync',
      endpoint: scopeEndpoint,
      status: String(withUser.status),
      verdict: same ? 'ok' : 'differs',
      detail: same
        ? 'user_id changes nothing: the key alone says whose memory it is (one key per user)'
        : `user_id changes the answer (${bio.status} -> ${withUser.status}): this key partitions by user_id (MEMSYNC_SCOPING=user-param)`,
    });
  } else {
    add({ service: 'memsync', endpoint: scopeEndpoint, status: typeof withUser === 'string' ? withUser : String(withUser.status), verdict: 'unverified', detail: 'the bio read failed, nothing to compare' });
  }

  judge('memsync', 'POST /memories/search', await call(baseUrl, apiKey, 'POST', '/memories/search', { json: { query: 'work', limit: 1, include_bio: false } }), readMemorySearch, (body) => `${(body as { memories: unknown[] }).memories.length} memories`, (body) => code(body) === 'NO_MEMORIES_FOUND', 'its own 404 NO_MEMORIES_FOUND: no memories yet');

  authRow('memsync', 'auth (wrong key)', await call(baseUrl, `${apiKey}-memgate-probe-wrong`, 'GET', '/profile/bio'));

  if (!options.write) return;
  const fields = { agent_id: 'memgate-probe', thread_id: probeName(), source: 'chat' };
  const messages = [{ role: 'user', content: 'I am checking that memgate can store memories in MemSync (memgate probe).' }];
  judge('memsync', 'POST /memories (--write)', await call(baseUrl, apiKey, 'POST', '/memories', { json: { messages, ...fields } }), readStoredMemories, (body) => `${(body as { memories_created?: number }).memories_created ?? '?'} memories created`);
  const missing = await call(baseUrl, apiKey, 'POST', '/memories', { json: { messages, thread_id: fields.thread_id, source: 'chat' } });
  const endpoint = 'POST /memories without agent_id (--write)';
  if (typeof missing === 'string') add({ service: 'memsync', endpoint, status: missing, verdict: 'differs', detail: 'the upstream did not answer' });
  else if (missing.status === 400 && JSON.stringify(missing.body ?? '').includes('agent_id')) add({ service: 'memsync', endpoint, status: '400', verdict: 'ok', detail: 'refused, naming agent_id (a required field)' });
  else add({ service: 'memsync', endpoint, status: String(missing.status), verdict: 'differs', detail: 'expected 400 naming agent_id: agent_id may not be required' });
}

