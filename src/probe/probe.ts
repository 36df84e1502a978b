/**
 * The upstream probe (`npm run probe`): for an operator holding real keys (Synvo's key, one MemSync
 * user's key), calls each upstream endpoint once and reports every answer that differs from
 * shared/upstream-api.md: its status, its shape (read with the clients' own response schemas),
 * MemSync's envelope, and the scoping rules the gateway's isolation rests on (`sub_user_name` on
 * Synvo's /ai/search; no user parameter on MemSync). Read-only unless `write` is set.
 *
 * Raw HTTP (undici), not the gateway's clients: the probe must see what the upstream really sends,
 * before any retry, normalisation or envelope unwrapping.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, FormData, request } from 'undici';
import { readErrorBody } from '../upstream/errors.js';
import { readBio, readMemorySearch, readStoredMemories } from '../upstream/memsync/schemas.js';
import { readAnswer, readEvents, readFileList, readFileStatus, readProfile, readSearch, readUpload } from '../upstream/synvo/schemas.js';

export interface ProbeOptions {
  /** Synvo's base URL and the account's key; absent: Synvo is not probed. */
  synvo?: { baseUrl: string; apiKey: string; /** The sub-user read. @default 'default' */ user?: string };
  /** MemSync's base URL (with /v1) and one MemSync user's key; absent: MemSync is not probed. */
  memsync?: { baseUrl: string; apiKey: string };
  /** Also call the endpoints that write (a probe file to a fresh Synvo sub-user, one MemSync memory). @default false */
  write?: boolean;
  /** How long an uploaded probe file may take to be processed (Synvo: 30 to 60 s). @default 180000 */
  processingTimeoutMs?: number;
  /** Time per call. @default 30000 */
  callTimeoutMs?: number;
  /** Told about each row as it is found (progress). */
  onRow?: (row: ProbeRow) => void;
}

export type ProbeVerdict = 'ok' | 'differs' | 'unverified';

export interface ProbeRow {
  service: 'synvo' | 'memsync';
  /** `METHOD path` (what was checked). */
  endpoint: string;
  /** The HTTP status, or what happened instead (`no answer`). */
  status: string;
  verdict: ProbeVerdict;
  /** What was seen: the shape as the contract says, or what differed. */
  detail: string;
}

interface Answer {
  status: number;
  body: unknown;
  /** The body was not JSON. */
  text: string | null;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The validation message of a reader (ResponseShapeError names the field), or null when it fits. */
function shapeProblem(read: (body: unknown) => unknown, body: unknown): string | null {
  try {
    read(body);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function isEnvelope(body: unknown): boolean {
  return isRecord(body) && (body['status'] === 'success' || body['status'] === 'error') && ('data' in body || isRecord(body['error']));
}

export async function runProbe(options: ProbeOptions): Promise<ProbeRow[]> {
  const rows: ProbeRow[] = [];
  const dispatcher = new Agent({ keepAliveTimeout: 1_000, connect: { timeout: 10_000 } });
  const callTimeoutMs = options.callTimeoutMs ?? 30_000;
  const add = (row: ProbeRow) => {
    rows.push(row);
    options.onRow?.(row);
  };

  const call = async (
    base: string,
    key: string,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: { json?: unknown; form?: URLSearchParams; multipart?: FormData },
  ): Promise<Answer | string> => {
    const headers: Record<string, string> = { 'x-api-key': key, accept: 'application/json' };
    let payload: string | FormData | undefined;
    if (body?.json !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body.json);
    } else if (body?.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      payload = body.form.toString();
    } else if (body?.multipart) {
      payload = body.multipart;
    }
    try {
      const res = await request(`${base}${path}`, {
        method,
        headers,
        body: payload,
        dispatcher,
        headersTimeout: callTimeoutMs,
        bodyTimeout: callTimeoutMs,
      });
      const text = await res.body.text();
      try {
        return { status: res.statusCode, body: text.trim() ? (JSON.parse(text) as unknown) : undefined, text: null };
      } catch {
        return { status: res.statusCode, body: undefined, text: text.slice(0, 80) };
      }
    } catch (error) {
      // Never the URL or the key: the code of the failure only.
      const code = (error as { code?: unknown }).code;
      return `no answer (${typeof code === 'string' ? code : error instanceof Error ? error.name : 'error'})`;
    }
  };

  /**
   * One row for an answer: `ok` when the status is one the contract gives this endpoint and the
   * body fits; `accept404` names the endpoint's own 404 (checked by its error code or text).
   */
  const judge = (
    service: ProbeRow['service'],
    endpoint: string,
    answer: Answer | string,
    read: (body: unknown) => unknown,
    describe: (body: unknown) => string,
    own404?: (body: unknown) => boolean,
    own404Detail?: string,
  ): Answer | null => {
    if (typeof answer === 'string') {
      add({ service, endpoint, status: answer, verdict: 'differs', detail: 'the upstream did not answer' });
      return null;
    }
    const status = String(answer.status);
    if (answer.text !== null) {
      add({ service, endpoint, status, verdict: 'differs', detail: `body is not JSON (${JSON.stringify(answer.text)})` });
      return null;
    }
    const enveloped = service === 'memsync' && isEnvelope(answer.body);
    const body = enveloped && isRecord(answer.body) && 'data' in answer.body ? answer.body['data'] : answer.body;
    const envelopeNote = enveloped ? 'wrapped in the {"data","status","timestamp"} envelope, where the endpoint page shows a bare object (memgate reads both)' : '';
    if (answer.status === 404 && own404) {
      if (own404(answer.body)) {
        add({ service, endpoint, status, verdict: enveloped ? 'differs' : 'ok', detail: [own404Detail ?? 'its own 404 (no data yet)', envelopeNote].filter(Boolean).join('; ') });
        return answer;
      }
      add({ service, endpoint, status, verdict: 'differs', detail: "a 404 without the endpoint's own error body: is the base URL right?" });
      return null;
    }
    if (answer.status < 200 || answer.status >= 300) {
      const info = readErrorBody(answer.body);
      const what = [info.upstreamCode, info.message].filter(Boolean).join(': ');
      add({ service, endpoint, status, verdict: 'differs', detail: `expected 200${own404 ? ' (or its own 404)' : ''}${what ? `, got ${what.slice(0, 120)}` : ''}` });
      return null;
    }
    const problem = shapeProblem(read, body);
    if (problem) {
      add({ service, endpoint, status, verdict: 'differs', detail: `shape: ${problem}${enveloped ? ` (${envelopeNote})` : ''}` });
      return null;
    }
    add({ service, endpoint, status, verdict: enveloped ? 'differs' : 'ok', detail: [describe(body), envelopeNote].filter(Boolean).join('; ') });
    return { ...answer, body };
  };

  const authRow = (service: ProbeRow['service'], endpoint: string, answer: Answer | string) => {
    if (typeof answer === 'string') add({ service, endpoint, status: answer, verdict: 'differs', detail: 'the upstream did not answer' });
    else if (answer.status === 401) add({ service, endpoint, status: '401', verdict: 'ok', detail: 'a wrong API key is refused with 401' });
    else add({ service, endpoint, status: String(answer.status), verdict: 'differs', detail: 'expected 401 for a wrong API key' });
  };

  try {
    if (options.synvo) await probeSynvo(options.synvo, options, call, judge, authRow, add);
    if (options.memsync) await probeMemSync(options.memsync, options, call, judge, authRow, add);
  } finally {
    await dispatcher.close();
  }
  return rows;
}

type Call = (base: string, key: string, method: 'GET' | 'POST' | 'DELETE', path: string, body?: { json?: unknown; form?: URLSearchParams; multipart?: FormData }) => Promise<Answer | string>;
type Judge = (
  service: ProbeRow['service'],
  endpoint: string,
  answer: Answer | string,
  read: (body: unknown) => unknown,
  describe: (body: unknown) => string,
  own404?: (body: unknown) => boolean,
  own404Detail?: string,
) => Answer | null;
type AuthRow = (service: ProbeRow['service'], endpoint: string, answer: Answer | string) => void;

const qs = (params: Record<string, string>) => `?${new URLSearchParams(params)}`;
const probeName = () => `memgate-probe-${randomUUID().slice(0, 8)}`;

async function probeSynvo(
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

  if (!options.write) return;

  // A file of a fresh sub-user's own: processed, found by its sub-user, by nobody else; then deleted.
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

async function probeMemSync(
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

/** The rows as an aligned text table, then one line saying how many differ. */
export function formatProbeTable(rows: readonly ProbeRow[]): string {
  const header = ['service', 'endpoint', 'status', 'result', 'detail'];
  const cells = rows.map((r) => [r.service, r.endpoint, r.status, r.verdict, r.detail]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]!))).join('  ');
  const differ = rows.filter((r) => r.verdict === 'differs').length;
  const unverified = rows.filter((r) => r.verdict === 'unverified').length;
  const summary =
    differ > 0
      ? `${differ} of ${rows.length} checks differ from upstream-api.md`
      : `all ${rows.length} checks match upstream-api.md${unverified ? ` (${unverified} unverified)` : ''}`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line), '', summary].join('\n');
}
