/**
 * `forgetUser`: a user's files and memories deleted in both upstreams, their MemSync key, cached
 * reads and live state (open subscriptions, pollers, statuses; on every instance) dropped.
 */
import { isUpstreamError } from '../upstream/errors.js';
import { BATCH_DELETE_SIZE } from '../upstream/memsync/memories.js';
import * as rules from './input-rules.js';
import type { Operation } from './operation.js';
import { isNotFound, memsyncNotConnected } from './states.js';

/** One thing `forgetUser` could not delete, with the code of why. */
export interface ForgetFailure {
  service: 'synvo' | 'memsync';
  /** The file path or memory id, or null for a failure that stopped a whole step (a listing). */
  target: string | null;
  code: string;
  message: string;
}

export interface ForgetReport {
  user: string;
  filesDeleted: number;
  memoriesDeleted: number;
  memsyncDisconnected: boolean;
  failures: ForgetFailure[];
}

/**
 * Ends the user's live streams and drops their live state on every instance, deletes every file
 * of the user in Synvo and every memory in MemSync (batch delete), disconnects the MemSync key and
 * drops every cached read of the user. Reads upstream afresh (never the cache),
 * so running it again after a partial failure finishes the job; each failure is reported with its code.
 */
export async function forgetUser(op: Operation, user: string): Promise<ForgetReport> {
  const { clients, invalidator } = op.deps;
  const call = { signal: op.signal };
  const report: ForgetReport = { user, filesDeleted: 0, memoriesDeleted: 0, memsyncDisconnected: false, failures: [] };
  const fail = (service: ForgetFailure['service'], target: string | null, error: unknown) => {
    report.failures.push({
      service,
      target,
      code: isUpstreamError(error) ? error.code : 'INTERNAL_SERVER_ERROR',
      message: isUpstreamError(error) ? `${service === 'synvo' ? 'Synvo' : 'MemSync'} (${error.endpoint}) failed with ${error.code}` : 'an unexpected failure',
    });
  };
  // Live state first: subscribers hear why their streams end (not a deleted file's UNKNOWN), pollers stop.
  await op.deps.live.forgetUser(user);
  try {
    const files = (await clients.synvo.listFiles(user, { path: '/', recursive: true }, call)).filter((f) => !f.isDir && f.fileId);
    for (const file of files) {
      try {
        await clients.synvo.deleteFile(user, file.fileId!, call);
        report.filesDeleted += 1;
      } catch (error) {
        // Gone already (a concurrent delete): nothing left to do.
        if (!isNotFound(error)) fail('synvo', file.path, error);
      }
    }
  } catch (error) {
    fail('synvo', null, error);
  }
  try {
    const ids: string[] = [];
    for (let page = 1; ; page++) {
      const listed = await clients.memsync.listMemories(user, { page, pageSize: rules.MEMORY_PAGE_SIZE.max }, call);
      ids.push(...listed.items.map((m) => m.id));
      if (page >= listed.totalPages || listed.items.length === 0) break;
    }
    // One batch per call, counted as it goes: a later batch failing leaves the earlier ones counted.
    for (let i = 0; i < ids.length; i += BATCH_DELETE_SIZE) {
      report.memoriesDeleted += (await clients.memsync.deleteMemories(user, ids.slice(i, i + BATCH_DELETE_SIZE), call)).deleted.length;
    }
  } catch (error) {
    // No MemSync account linked: MemSync holds nothing of the user through this gateway.
    if (!memsyncNotConnected(error)) fail('memsync', null, error);
  }
  // The key goes last, and only once the memories are gone: a re-run still needs it to finish.
  const accounts = op.deps.memsyncAccounts;
  if (accounts.scoping === 'key' && !report.failures.some((f) => f.service === 'memsync')) {
    try {
      if ((await accounts.status(user)).connected) {
        await accounts.disconnect(user);
        report.memsyncDisconnected = true;
      }
    } catch (error) {
      fail('memsync', null, error);
    }
  }
  await invalidator.after('forgetUser', user);
  return report;
}
