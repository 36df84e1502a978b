/**
 * The probe's checks of MemSync, with one user's own key: the biography and that a `user_id`
 * changes nothing (the key alone says whose memory it is), memory search, the profile, the memory
 * list, a wrong key. `--write` stores memories of the probe's own, edits one, deletes one and the
 * rest in a batch (so it leaves nothing behind), and checks that `agent_id` is required and that a
 * manual biography over the limit is refused (a valid one would replace the account's biography:
 * not sent).
 */
import { readBatchDelete, readBio, readMemoryPage, readMemorySearch, readProfile, readStoredMemories, readUpdatedMemory } from '../upstream/memsync/schemas.js';
import { expectRefusal, expectWrongKeyRefused, probeName, qs, unverified, upstreamCodeOf, type ProbeKit } from './checks.js';
import { isRecord, type ProbeOptions } from './probe.js';

type MemSyncCall = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, json?: unknown) => ReturnType<ProbeKit['call']>;

export async function probeMemSync(kit: ProbeKit, memsync: NonNullable<ProbeOptions['memsync']>): Promise<void> {
  const { judge, add } = kit;
  const { baseUrl, apiKey } = memsync;
  const call: MemSyncCall = (method, path, json) => kit.call(baseUrl, apiKey, method, path, json === undefined ? undefined : { json });
  const own = (code: string) => (body: unknown) => upstreamCodeOf(body) === code;

  const bio = judge('memsync', 'GET /profile/bio', await call('GET', '/profile/bio'), readBio, (body) => `a bio of ${(body as { word_count?: number }).word_count ?? '?'} words`, own('BIO_NOT_FOUND'), 'its own 404 BIO_NOT_FOUND: no bio yet');

  // No user parameter: a key is one account, so `user_id` must change nothing.
  const withUser = await call('GET', `/profile/bio${qs({ user_id: probeName() })}`);
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

  judge('memsync', 'POST /memories/search', await call('POST', '/memories/search', { query: 'work', limit: 1, include_bio: false }), readMemorySearch, (body) => `${(body as { memories: unknown[] }).memories.length} memories`, own('NO_MEMORIES_FOUND'), 'its own 404 NO_MEMORIES_FOUND: no memories yet');
  judge('memsync', 'GET /profile', await call('GET', `/profile${qs({ include: 'bio,categories,insights,stats,traits' })}`), readProfile, (body) => {
    const categories = isRecord(body) && isRecord(body['categories']) ? Object.keys(body['categories']).length : 0;
    return `a profile with ${categories} categories`;
  }, own('PROFILE_NOT_FOUND'), 'its own 404 PROFILE_NOT_FOUND: a new account');
  judge('memsync', 'GET /memories', await call('GET', `/memories${qs({ page: '1', page_size: '5' })}`), readMemoryPage, (body) => {
    const total = isRecord(body) && isRecord(body['pagination']) ? body['pagination']['total'] : '?';
    return `page 1 of the memories, ${String(total)} in all`;
  });

  expectWrongKeyRefused(kit, 'memsync', await kit.call(baseUrl, `${apiKey}-memgate-probe-wrong`, 'GET', '/profile/bio'));

  if (kit.options.write) await probeMemSyncWrites(kit, call);
}

async function probeMemSyncWrites(kit: ProbeKit, call: MemSyncCall): Promise<void> {
  const { judge } = kit;
  const fields = { agent_id: 'memgate-probe', thread_id: probeName(), source: 'chat' };
  const messages = [{ role: 'user', content: 'I am checking that memgate can store memories in MemSync (memgate probe). I like testing software every morning.' }];
  const stored = judge('memsync', 'POST /memories (--write)', await call('POST', '/memories', { messages, ...fields }), readStoredMemories, (body) => `${(body as { memories_created?: number }).memories_created ?? '?'} memories created`);
  expectRefusal(kit, 'memsync', 'POST /memories without agent_id (--write)', await call('POST', '/memories', { messages, thread_id: fields.thread_id, source: 'chat' }), {
    status: 400,
    fits: (body) => JSON.stringify(body ?? '').includes('agent_id'),
    okDetail: 'refused, naming agent_id (a required field)',
    otherwise: 'expected 400 naming agent_id: agent_id may not be required',
  });
  const words = Array.from({ length: 520 }, (_v, i) => `word${i}`).join(' ');
  expectRefusal(kit, 'memsync', 'PATCH /profile/bio over the limit (--write)', await call('PATCH', '/profile/bio', { bio: words, manual_override: true }), {
    status: 400,
    fits: (body) => upstreamCodeOf(body) === 'BIO_TOO_LONG',
    okDetail: 'a 520-word biography refused with BIO_TOO_LONG (the account\'s biography is left as it was)',
    otherwise: 'expected 400 BIO_TOO_LONG for a 520-word biography',
  });

  const ids = stored ? readStoredMemories(stored.body).memories.map((m) => m.id) : [];
  if (ids.length === 0) {
    for (const endpoint of ['PATCH /memories/{id}', 'DELETE /memories/{id}', 'POST /memories/batch-delete']) unverified(kit, 'memsync', `${endpoint} (--write)`, 'no memory of the probe\'s own to change');
    return;
  }
  const [first, ...rest] = ids as [string, ...string[]];
  judge('memsync', 'PATCH /memories/{id} (--write)', await call('PATCH', `/memories/${encodeURIComponent(first)}`, { content: 'The memgate probe edited this memory.', importance: 0.1 }), readUpdatedMemory, () => 'edited');
  judge('memsync', 'DELETE /memories/{id} (--write)', await call('DELETE', `/memories/${encodeURIComponent(first)}`), (body) => {
    if (!isRecord(body) || body['success'] !== true || body['memory_id'] !== first) throw new Error('body: expected {"success": true, "memory_id": the id}');
    return body;
  }, () => 'deleted');
  // The one already deleted comes back as not found; the rest are deleted.
  const batch = judge('memsync', 'POST /memories/batch-delete (--write)', await call('POST', '/memories/batch-delete', { memory_ids: [...rest, first] }), readBatchDelete, (body) => {
    const { deleted, notFound } = readBatchDelete(body);
    return `${deleted.length} deleted, ${notFound.length} not found`;
  });
  if (batch) {
    const { deleted, notFound } = readBatchDelete(batch.body);
    const right = deleted.length === rest.length && notFound.includes(first);
    if (!right) kit.add({ service: 'memsync', endpoint: 'POST /memories/batch-delete (--write)', status: '200', verdict: 'differs', detail: 'expected the probe\'s memories deleted and the one deleted before in not_found' });
  }
}
