/**
 * `--write` checks of Synvo, all on a fresh sub-user of the probe's own (nobody's data is touched):
 * an uploaded file is processed and found by its owner alone; a folder is made, the file moved
 * into it and listed there, a move onto it refused with 409; the file's download URL opens with
 * its content; an image's thumbnail; a web page added. Everything uploaded is deleted at the end.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { FormData } from 'undici';
import { readCreateDir, readFileList, readFileStatus, readMove, readUpload, readWebpage } from '../upstream/synvo/schemas/files.js';
import { expectRefusal, probeName, probeToken, qs, unverified, type ProbeKit } from './checks.js';
import { isRecord, type Answer } from './probe.js';
import { checkDownload, checkThumbnail, type SynvoProbe } from './synvo-checks.js';

/** A 1x1 PNG: an image Synvo makes a thumbnail of. */
const PROBE_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
/** The page `/webpage/add` is given unless the operator names one. */
export const DEFAULT_PROBE_WEBPAGE = 'https://example.com/';

const fileIdOf = (answer: Answer | null) => (answer && isRecord(answer.body) && typeof answer.body['file_id'] === 'string' ? answer.body['file_id'] : null);

export async function probeSynvoWrites(kit: ProbeKit, s: SynvoProbe): Promise<void> {
  const { judge, add, options } = kit;
  const owner = probeName();
  const token = probeToken();
  const upload = async (name: string, bytes: Blob) => {
    const form = new FormData();
    form.set('file', bytes, name);
    form.set('sub_user_name', owner);
    form.set('path', '/');
    return fileIdOf(judge('synvo', `POST /file/upload (--write, ${name.split('.').pop()})`, await s.post('/file/upload', { multipart: form }), readUpload, () => 'accepted'));
  };
  const created: string[] = [];
  const fileId = await upload(`${token}.txt`, new Blob([`memgate probe file. Probe word: ${token}.\n`], { type: 'text/plain' }));
  if (!fileId) return;
  created.push(fileId);
  try {
    const status = await waitProcessed(kit, s, owner, fileId);
    await checkScoping(kit, s, owner, token, status);
    const folder = `/${probeName()}`;
    const form = (fields: Record<string, string>) => ({ form: new URLSearchParams({ ...fields, sub_user_name: owner }) });
    judge('synvo', 'POST /file/create_dir (--write)', await s.post('/file/create_dir', form({ path: folder })), readCreateDir, () => 'created');
    const dest = `${folder}/${token}.txt`;
    judge('synvo', 'POST /file/move (--write)', await s.post('/file/move', form({ src: `/${token}.txt`, dest })), readMove, () => 'moved into the new folder');
    const inFolder = judge('synvo', 'GET /file/list (folder, --write)', await s.get(`/file/list${qs({ sub_user_name: owner, path: folder, recursive: 'true' })}`), readFileList, (body) =>
      `${isRecord(body) && Array.isArray(body['items']) ? body['items'].length : 0} entries`);
    if (inFolder && !readFileList(inFolder.body).some((f) => f.fileId === fileId)) {
      add({ service: 'synvo', endpoint: 'GET /file/list (folder, --write)', status: '200', verdict: 'differs', detail: 'the moved file is not listed in its new folder' });
    }
    const pictureId = await upload(`${token}.png`, new Blob([PROBE_PNG], { type: 'image/png' }));
    if (pictureId) created.push(pictureId);
    expectRefusal(kit, 'synvo', 'POST /file/move onto an existing file (--write)', await s.post('/file/move', form({ src: `/${token}.png`, dest })), {
      status: 409,
      okDetail: 'refused with 409: the destination exists',
      otherwise: 'expected 409 for a destination that exists',
    });
    await checkDownload(kit, s, owner, fileId, token);
    await checkThumbnail(kit, s, owner, pictureId, ' (--write)');
    const url = options.webpageUrl ?? DEFAULT_PROBE_WEBPAGE;
    const page = judge('synvo', 'POST /webpage/add (--write)', await s.post('/webpage/add', form({ url, path: folder })), readWebpage, (body) => `accepted as ${(body as { filename: string }).filename}`);
    const pageId = fileIdOf(page);
    if (pageId) created.push(pageId);
  } finally {
    await cleanUp(kit, s, owner, created);
  }
}

/** Polls the file's status until it is no longer PENDING (or the time runs out); returns the last. */
async function waitProcessed(kit: ProbeKit, s: SynvoProbe, owner: string, fileId: string): Promise<string> {
  const deadline = Date.now() + (kit.options.processingTimeoutMs ?? 180_000);
  let status = 'PENDING';
  let last: Answer | string = 'no answer';
  while (Date.now() < deadline) {
    last = await s.get(`/file/status/${encodeURIComponent(fileId)}${qs({ sub_user_name: owner })}`);
    if (typeof last === 'string' || last.status !== 200) break;
    status = isRecord(last.body) && typeof last.body['status'] === 'string' ? last.body['status'] : 'UNKNOWN';
    if (status !== 'PENDING') break;
    await sleep(1_000);
  }
  kit.judge('synvo', 'GET /file/status/{id} (--write)', last, readFileStatus, () => `processed: ${status}`);
  return status;
}

/** A processed file of the owner's own is found by the owner, by no other sub-user. */
async function checkScoping(kit: ProbeKit, s: SynvoProbe, owner: string, token: string, status: string): Promise<void> {
  const endpoint = 'POST /ai/search (scoping, --write)';
  if (status !== 'COMPLETED') return unverified(kit, 'synvo', endpoint, `the probe file was not processed in time (${status})`);
  const found = (a: Answer | string) => (typeof a !== 'string' && Array.isArray(a.body) ? a.body.length : -1);
  const [mine, theirs] = [found(await s.searchAs(owner, token)), found(await s.searchAs(probeName(), token))];
  if (mine > 0 && theirs === 0) kit.add({ service: 'synvo', endpoint, status: '200', verdict: 'ok', detail: 'the owner finds the probe file, another sub-user does not' });
  else kit.add({ service: 'synvo', endpoint, status: '200', verdict: 'differs', detail: `the owner found ${mine} files, another sub-user ${theirs}: sub_user_name does not scope /ai/search as the contract says` });
}

/** Deletes what the probe uploaded, then checks that the sub-user has no file left. */
async function cleanUp(kit: ProbeKit, s: SynvoProbe, owner: string, created: readonly string[]): Promise<void> {
  const failed: string[] = [];
  for (const id of created) {
    const deleted = await s.del(`/file/delete/${encodeURIComponent(id)}${qs({ sub_user_name: owner })}`);
    if (typeof deleted === 'string' || deleted.status !== 200) failed.push(id);
  }
  const left = await s.get(`/file/list${qs({ sub_user_name: owner, path: '/', recursive: 'true' })}`);
  const files = typeof left !== 'string' && left.status === 200 ? readFileList(left.body).filter((f) => !f.isDir) : [];
  const clean = failed.length === 0 && files.length === 0;
  kit.add({
    service: 'synvo',
    endpoint: 'DELETE /file/delete/{id} (--write clean-up)',
    status: clean ? '200' : '-',
    verdict: clean ? 'ok' : 'differs',
    detail: clean
      ? `the ${created.length} uploaded files deleted; the probe sub-user has no file left (Synvo has no call to remove its empty folder)`
      : `${failed.length} deletes failed, ${files.length} files left on sub-user ${owner}`,
  });
}
