/**
 * Synvo's file tree and conversations, for `UserMemory`: listings, folders, moves, download URLs,
 * thumbnails, web pages, and the checks of a question with its conversation (the files it names
 * must be the user's own).
 */
import type { AskInput, ConversationTurn, DownloadLink, SynvoFileEntry, UploadInput, WebpageResult } from '../upstream/types.js';
import * as rules from './input-rules.js';
import type { Operation } from './operation.js';
import { isNotFound } from './states.js';
import type { UploadedFile } from './user-memory-types.js';

export interface AskArgs {
  question: string;
  history?: readonly ConversationTurn[] | null;
  parentId?: string | number | null;
  fileIds?: readonly (string | number)[] | null;
  forceSearch?: boolean | null;
}

export interface FilesArgs {
  path?: string | null;
  recursive?: boolean | null;
}

export interface WebpageArgs {
  url: string;
  path?: string | null;
  name?: string | null;
}

/** A folder or file as a write leaves it (the schema's UserFile). */
export interface FileItem extends SynvoFileEntry {
  mimeType?: string | null;
}

/** The checked question and conversation of `ask` and `askStream`. */
export async function question(op: Operation, user: string, args: AskArgs): Promise<{ text: string; conversation: Omit<AskInput, 'question'> | null }> {
  const text = rules.nonEmptyText('question', args.question, rules.MAX_QUESTION_CHARS);
  const history = rules.history('history', args.history);
  const parentId = args.parentId === null || args.parentId === undefined ? undefined : rules.messageId('parentId', args.parentId);
  const fileIds = rules.idList('fileIds', args.fileIds, rules.MAX_ASK_FILES);
  if (fileIds) {
    // Only the user's own files: a listing (shared with file(id) and files()) says which are theirs.
    const own = new Set((await op.load.fileList.load(user)).filter((f) => !f.isDir && f.fileId).map((f) => f.fileId));
    const foreign = fileIds.filter((id) => !own.has(id));
    if (foreign.length > 0) throw new rules.InputError('fileIds', `names files the user does not have: ${foreign.join(', ')}`, 'FORBIDDEN');
  }
  const conversation: Omit<AskInput, 'question'> = {
    ...(history?.length ? { history } : {}),
    ...(parentId ? { parentId } : {}),
    ...(fileIds ? { fileIds } : {}),
    ...(args.forceSearch ? { forceSearch: true } : {}),
  };
  return { text, conversation: Object.keys(conversation).length > 0 ? conversation : null };
}

/**
 * Folders and files under `path`. `[]` for `/` of a user with no files yet; a folder that does not
 * exist is BAD_USER_INPUT on `path`.
 */
export async function files(op: Operation, user: string, args: FilesArgs): Promise<SynvoFileEntry[]> {
  const path = args.path === null || args.path === undefined || args.path.trim() === '/' ? '/' : rules.itemPath('path', args.path);
  try {
    return await op.load.folder.load({ user, path, recursive: args.recursive ?? true });
  } catch (error) {
    if (isNotFound(error)) throw new rules.InputError('path', `the user has no folder "${path}"`);
    throw error;
  }
}

/** A signed URL of the file, good for a short while; null when the user has no such file. */
export async function downloadUrl(op: Operation, user: string, fileId: string): Promise<DownloadLink | null> {
  return op.load.download.load({ user, id: rules.fileId('id', fileId) });
}

/** The thumbnail as a `data:` URL; null for a file without one (not an image, PDF or video). */
export async function thumbnail(op: Operation, user: string, fileId: string, maxSize: number | null | undefined): Promise<string | null> {
  const { default: fallback, min, max } = rules.THUMBNAIL_SIZE;
  const size = rules.intInRange('maxSize', maxSize, fallback, min, max);
  const thumb = await op.load.thumbnail.load({ user, id: rules.fileId('id', fileId), maxSize: size });
  return thumb ? `data:${thumb.mimeType};base64,${Buffer.from(thumb.bytes).toString('base64')}` : null;
}

/** Makes a folder (and its parents); CONFLICT where a file is. */
export async function createFolder(op: Operation, user: string, path: string): Promise<FileItem> {
  const folder = rules.itemPath('path', path);
  try {
    await op.deps.clients.synvo.createFolder(user, folder, { signal: op.signal });
  } finally {
    await op.deps.invalidator.after('createFolder', user);
  }
  return { isDir: true, name: folder.slice(folder.lastIndexOf('/') + 1), path: folder, fileId: null, size: null, status: null, createdAt: null };
}

/**
 * Moves or renames a file or folder to the full path `to`; CONFLICT when `to` exists, BAD_USER_INPUT
 * on `from` when there is nothing there. Returns the item where it now is (read from the fresh listing).
 */
export async function moveFile(op: Operation, user: string, from: string, to: string): Promise<FileItem> {
  const source = rules.itemPath('from', from);
  const target = rules.itemPath('to', to);
  try {
    await op.deps.clients.synvo.moveFile(user, source, target, { signal: op.signal });
  } catch (error) {
    if (isNotFound(error)) throw new rules.InputError('from', `the user has no file or folder at "${source}"`);
    throw error;
  } finally {
    // Even a failed move may have happened upstream (timeout after the fact).
    await op.deps.invalidator.after('moveFile', user);
  }
  const parent = target.slice(0, target.lastIndexOf('/')) || '/';
  const moved = (await op.load.folder.load({ user, path: parent, recursive: false })).find((f) => f.path === target);
  return moved ?? { isDir: false, name: target.slice(target.lastIndexOf('/') + 1), path: target, fileId: null, size: null, status: null, createdAt: null };
}

/** Adds a web page as a source, followed until processed like an upload. BAD_USER_INPUT when Synvo cannot fetch it. */
export async function addWebpage(op: Operation, user: string, args: WebpageArgs): Promise<UploadedFile> {
  const url = rules.webUrl('url', args.url);
  const folder = rules.folder('path', args.path);
  const name = rules.fileName('name', args.name);
  const { clients, invalidator, live } = op.deps;
  let result: WebpageResult;
  try {
    result = await clients.synvo.addWebpage(user, { url, ...(folder ? { path: folder } : {}), ...(name ? { name } : {}) }, { signal: op.signal });
  } finally {
    // Even a failed add may have happened upstream (timeout after the fact).
    await invalidator.after('addWebpage', user);
  }
  await live.trackUpload(user, result.fileId, result.timestamp);
  return { ...result, renamed: false, size: 0, mimeType: 'text/html' };
}

/** Hands the file to Synvo and follows it until processed (which refreshes the user's reads). */
export async function uploadFile(op: Operation, user: string, file: UploadInput, path: string | null | undefined): Promise<UploadedFile> {
  rules.upload('file', file, op.deps.maxUploadBytes);
  const folder = rules.folder('path', path);
  const { clients, invalidator, live } = op.deps;
  const result = await clients.synvo.uploadFile(user, file, folder, { signal: op.signal });
  await invalidator.after('uploadFile', user);
  await live.trackUpload(user, result.fileId, result.timestamp);
  return { ...result, size: file.size, mimeType: file.type || null };
}

/** True when the file was deleted, false when the user has no such file. */
export async function deleteFile(op: Operation, user: string, id: string): Promise<boolean> {
  const fileId = rules.fileId('id', id);
  try {
    await op.deps.clients.synvo.deleteFile(user, fileId, { signal: op.signal });
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  } finally {
    // Even a failed delete may have removed the file upstream (timeout after the fact).
    await op.deps.invalidator.after('deleteFile', user);
  }
}
