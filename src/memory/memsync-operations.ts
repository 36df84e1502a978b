/** MemSync's memory management, for `UserMemory`: the memory list, edits, deletes and the biography written by hand. */
import type { DeletedMemoriesResult, MemoryCategoryName, MemoryPage, UpdatedMemory } from '../upstream/types.js';
import { isUpstreamError } from '../upstream/errors.js';
import * as rules from './input-rules.js';
import type { Operation } from './operation.js';
import type { BiographyArgs } from './user-memory-types.js';
import { biographyNotReady, isNotFound, memsyncNotConnected, toBiography, type BiographyResult } from './states.js';

export interface MemoryListArgs {
  page?: number | null;
  pageSize?: number | null;
  category?: string | null;
}

export interface UpdateMemoryArgs {
  id: string | number;
  content?: string | null;
  category?: string | null;
  importance?: number | null;
}

export interface UpdateBiographyArgs {
  text?: string | null;
  format?: string | null;
  style?: string | null;
  manualOverride?: boolean | null;
}

/** The user's memories, newest first, a page at a time. */
export function memoryList(op: Operation, user: string, args: MemoryListArgs): Promise<MemoryPage> {
  const page = rules.intInRange('page', args.page, 1, 1, 1_000_000);
  const { default: fallback, min, max } = rules.MEMORY_PAGE_SIZE;
  const pageSize = rules.intInRange('pageSize', args.pageSize, fallback, min, max);
  const category = rules.memoryCategory('category', args.category) as MemoryCategoryName | undefined;
  return op.load.memoryList.load({ user, page, pageSize, category: category ?? null });
}

/** Changes one memory; BAD_USER_INPUT on `id` when the user has no such memory. */
export async function updateMemory(op: Operation, user: string, args: UpdateMemoryArgs): Promise<UpdatedMemory> {
  const id = rules.fileId('id', args.id);
  const content = args.content === null || args.content === undefined ? undefined : rules.nonEmptyText('content', args.content, rules.MAX_MESSAGE_CHARS);
  const category = rules.memoryCategory('category', args.category);
  const importance = rules.unitInterval('importance', args.importance);
  if (content === undefined && category === undefined && importance === undefined) {
    throw new rules.InputError('content', 'give at least one of content, category and importance');
  }
  try {
    return await op.deps.clients.memsync.updateMemory(
      user,
      id,
      { ...(content !== undefined ? { content } : {}), ...(category ? { category } : {}), ...(importance !== undefined ? { importance } : {}) },
      { signal: op.signal },
    );
  } catch (error) {
    if (isNotFound(error)) throw new rules.InputError('id', 'the user has no memory with this id');
    throw error;
  } finally {
    await op.deps.invalidator.after('updateMemory', user);
  }
}

/** Deletes memories by id; ids the user does not have come back in `notFound`. */
export async function deleteMemories(op: Operation, user: string, ids: readonly (string | number)[]): Promise<DeletedMemoriesResult> {
  const checked = rules.idList('ids', ids, rules.MAX_MEMORY_IDS, rules.MEMORY_ID)!;
  try {
    return await op.deps.clients.memsync.deleteMemories(user, checked, { signal: op.signal });
  } finally {
    await op.deps.invalidator.after('deleteMemories', user);
  }
}

/**
 * Writes the biography by hand (`text`, kept through new memories with `manualOverride`) or, without
 * text, regenerates it in a format and style. A text over MemSync's limit is BAD_USER_INPUT naming it.
 */
export async function updateBiography(op: Operation, user: string, args: UpdateBiographyArgs): Promise<BiographyResult> {
  const format = rules.bioFormat('format', args.format);
  const style = rules.bioStyle('style', args.style);
  const text = args.text === null || args.text === undefined ? undefined : rules.nonEmptyText('text', args.text, rules.MAX_MESSAGE_CHARS);
  const query = { format, style };
  let result: BiographyResult;
  try {
    const updated = await op.deps.clients.memsync.updateBio(
      user,
      text !== undefined
        ? { text, format, style, ...(args.manualOverride !== null && args.manualOverride !== undefined ? { manualOverride: args.manualOverride } : {}) }
        : { regenerate: true, format, style },
      { signal: op.signal },
    );
    result = toBiography(
      {
        text: updated.text,
        format: updated.format,
        style: updated.style,
        wordCount: updated.wordCount,
        characterCount: updated.characterCount,
        confidence: updated.isManual ? 1 : 0,
        sourceMemories: 0,
        categoriesIncluded: [],
        keyThemes: [],
        generatedAt: updated.updatedAt,
        // A manual text holds until replaced; a regenerated one for MemSync's week.
        expiresAt: new Date(updated.updatedAt.getTime() + 7 * 24 * 3600 * 1000),
        isManual: updated.isManual,
      },
      query,
    );
  } catch (error) {
    const state = biographyNotReady(error) ?? memsyncNotConnected(error);
    if (state) return state;
    if (isUpstreamError(error) && error.upstreamCode === 'BIO_TOO_LONG') {
      const limit = error.details?.['maxLength'];
      throw new rules.InputError('text', `is too long for MemSync: at most ${typeof limit === 'number' ? limit : 500} words`);
    }
    throw error;
  } finally {
    await op.deps.invalidator.after('updateBiography', user);
  }
  return result;
}

/** Regenerates the biography now; MemSync's cooldown is a RATE_LIMITED failure (endpoint `bioRefresh`). */
export async function refreshBiography(op: Operation, user: string, args: Pick<BiographyArgs, 'format' | 'style'>): Promise<BiographyResult> {
  const query = { format: rules.bioFormat('format', args.format), style: rules.bioStyle('style', args.style) };
  const { clients, invalidator, reads } = op.deps;
  let result: BiographyResult;
  try {
    result = toBiography(await clients.memsync.getBio(user, { ...query, refresh: true }, { signal: op.signal }), query);
  } catch (error) {
    const state = biographyNotReady(error) ?? memsyncNotConnected(error);
    if (!state) throw error;
    return state;
  }
  await invalidator.after('refreshBiography', user);
  await reads.rememberBiography(user, query, result);
  return result;
}
