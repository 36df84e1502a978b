import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { EmulatorContext, RouteDefinition } from '../core/kit.js';
import { SynvoRanker } from './answer.js';
import { extensionOf, htmlText, supportedTypes, wireSubtopic } from './extract.js';
import { thumbnailOf } from './images.js';
import { normaliseDir, parseIsoTime, type StoredFile, type SynvoStore } from './store.js';
import { answerStream, tokenize } from './stream.js';

/** Largest accepted upload (emulators/README.md: the emulator refuses over 100 MiB). */
export const maxUploadBytes = 100 * 1024 * 1024;
/** Largest web page `/webpage/add` reads. */
export const maxWebpageBytes = 5 * 1024 * 1024;
/** Longest accepted text of all messages of a query. */
export const maxContextChars = 32_000;

export interface SynvoRouteOptions {
  store: SynvoStore;
  ranker: SynvoRanker;
  now: () => number;
  firstTokenDelayMs: number;
  tokenDelayMs: number;
  keepAliveMs: number;
  /** Largest accepted upload in bytes. */
  maxUploadBytes: number;
  /** How long a `/file/download` URL works. */
  downloadUrlTtlMs: number;
  /** Time `/webpage/add` gives the page to answer. */
  webpageTimeoutMs: number;
  /** Signs download URLs (random per emulator). */
  signingKey: Buffer;
}

type Form = Record<string, string | File>;

const iso = (ms: number) => new Date(ms).toISOString();
const newId = (prefix: string) => `${prefix}_${randomBytes(8).toString('hex')}`;

/** `{"error","detail"}`: the error body of the metadata and file endpoints. */
const detailError = (c: EmulatorContext, status: 400 | 403 | 404 | 409 | 413 | 422, error: string, detail: string) => c.json({ error, detail }, status);
/** `{"error","code"}`: the error body of the AI endpoints. */
const codeError = (c: EmulatorContext, status: 400, error: string, code: string) => c.json({ error, code }, status);

/** The parsed form body, or undefined when it is not a form or is malformed. */
async function formOf(c: EmulatorContext): Promise<Form | undefined> {
  try {
    const type = c.req.header('content-type') ?? '';
    if (!/^(multipart\/form-data|application\/x-www-form-urlencoded)/i.test(type)) return undefined;
    return (await c.req.parseBody()) as Form;
  } catch {
    return undefined;
  }
}

const queryUser = (c: EmulatorContext) => c.req.query('sub_user_name') || 'default';

async function formUser(c: EmulatorContext): Promise<string> {
  const value = (await formOf(c))?.sub_user_name;
  return typeof value === 'string' && value ? value : 'default';
}

/** `sub_user_name` of a form: a string, or absent; a file there is a wrong type. */
function formSubUser(form: Form): string | { wrongType: true } {
  const value = form.sub_user_name;
  if (value === undefined || value === '') return 'default';
  return typeof value === 'string' ? value : { wrongType: true };
}

/** `"true"`/`"false"` (any case), the default when absent, else undefined (a wrong type). */
function parseBoolean(value: string | File | undefined, fallback: boolean): boolean | undefined {
  if (value === undefined || value === '') return fallback;
  if (typeof value !== 'string') return undefined;
  const v = value.toLowerCase();
  return v === 'true' ? true : v === 'false' ? false : undefined;
}

const contentPart = z.union([
  z.object({ type: z.literal('text'), text: z.string() }).passthrough(),
  z.object({ type: z.literal('file'), file_id: z.string(), path: z.string().optional() }).passthrough(),
]);
const payloadSchema = z.object({
  messages: z
    .array(z.object({ role: z.string().min(1), content: z.array(contentPart) }).passthrough())
    .min(1),
}).passthrough();

function fileHit(f: StoredFile) {
  return { file_id: f.id, file_path: f.path, file_name: f.name, file_type: f.mimeType, created_at: iso(f.createdAt) };
}

/** Synvo's endpoints (emulators/README.md), by route id. */
export function synvoRoutes(o: SynvoRouteOptions): RouteDefinition[] {
  const { store, ranker } = o;

  const profile: RouteDefinition = {
    id: 'profile',
    faultKinds: ['shape'],
    shapeVariants: ['alternate'],
    method: 'GET',
    paths: ['/metadata/get_user_profile'],
    user: queryUser,
    handler: (c, tools) => {
      const user = queryUser(c);
      const data = store.get(user);
      if (!data || !store.hasData(user)) return detailError(c, 404, 'User not found', `No data for sub_user_name '${user}'`);
      const alternate = tools.fault(['shape'])?.variant === 'alternate';
      const body: Record<string, unknown> = {};
      for (const [category, topics] of data.profile) {
        const entries = [...topics].filter(([, values]) => values.length > 0);
        if (entries.length === 0) continue;
        body[category] = alternate
          ? Object.fromEntries(entries.map(([s, values]) => [wireSubtopic(s), values.length === 1 ? values[0] : [...values]]))
          : { sub_topics: Object.fromEntries(entries.map(([s, values]) => [wireSubtopic(s), { value: values.join('; ') }])) };
      }
      return c.json(body);
    },
  };

  const events: RouteDefinition = {
    id: 'events',
    faultKinds: ['shape'],
    shapeVariants: ['alternate'],
    method: 'GET',
    paths: ['/metadata/get_user_event'],
    user: queryUser,
    handler: (c, tools) => {
      const user = queryUser(c);
      const limitParam = c.req.query('limit');
      let limit = 10;
      if (limitParam !== undefined) {
        if (!/^\s*\d+\s*$/.test(limitParam) || Number(limitParam) < 1 || Number(limitParam) > 1000) {
          return detailError(c, 400, 'Invalid parameter', `limit must be an integer from 1 to 1000, got '${limitParam}'`);
        }
        limit = Number(limitParam);
      }
      const window: Record<'start_time' | 'end_time', number | undefined> = { start_time: undefined, end_time: undefined };
      for (const name of ['start_time', 'end_time'] as const) {
        const value = c.req.query(name);
        if (value === undefined || value === '') continue;
        const time = parseIsoTime(value);
        if (Number.isNaN(time)) return detailError(c, 400, 'Invalid parameter', `${name} must be an ISO 8601 date-time, got '${value}'`);
        window[name] = time;
      }
      const data = store.get(user);
      if (!data || !store.hasData(user)) return detailError(c, 404, 'User not found', `No data for sub_user_name '${user}'`);
      const inWindow = data.events
        .filter((e) => {
          const t = parseIsoTime(e.happenTime ?? e.mentionTime);
          return (window.start_time === undefined || t >= window.start_time) && (window.end_time === undefined || t <= window.end_time);
        })
        .sort((a, b) => (a.mentionTime < b.mentionTime ? -1 : a.mentionTime > b.mentionTime ? 1 : a.seq - b.seq))
        .slice(-limit)
        .map((e) => ({ event_type: e.type, content: e.content, happen_time: e.happenTime, mention_time: e.mentionTime }));
      const alternate = tools.fault(['shape'])?.variant === 'alternate';
      return c.json(alternate ? { total_count: inWindow.length, events: inWindow } : inWindow);
    },
  };

  const query: RouteDefinition = {
    id: 'query',
    faultKinds: ['slowStream', 'cutStream', 'stall', 'streamError'],
    method: 'POST',
    paths: ['/ai/query'],
    user: formUser,
    handler: async (c, tools) => {
      const form = await formOf(c);
      if (!form) return codeError(c, 400, 'Expected a multipart/form-data body', 'INVALID_PAYLOAD');
      const raw = form.payload;
      if (typeof raw !== 'string' || raw === '') return codeError(c, 400, 'Missing payload field', 'INVALID_PAYLOAD');
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        return codeError(c, 400, 'Invalid payload format: not JSON', 'INVALID_PAYLOAD');
      }
      const parsed = payloadSchema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        return codeError(c, 400, `Invalid payload format: ${issue.path.join('.') || 'payload'}: ${issue.message}`, 'INVALID_PAYLOAD');
      }
      const user = formSubUser(form);
      if (typeof user !== 'string') return codeError(c, 400, 'sub_user_name must be a string', 'INVALID_PAYLOAD');
      const model = form.model;
      if (model !== undefined && model !== '' && model !== 'synvo') {
        return codeError(c, 400, typeof model === 'string' ? `Model not available: ${model}` : 'Model not available', 'MODEL_UNAVAILABLE');
      }
      const streaming = parseBoolean(form.streaming, false);
      if (streaming === undefined) return codeError(c, 400, 'streaming must be "true" or "false"', 'INVALID_PAYLOAD');
      if (parseBoolean(form.final_answer, false) === undefined) return codeError(c, 400, 'final_answer must be "true" or "false"', 'INVALID_PAYLOAD');
      const forceSearch = parseBoolean(form.force_search, false);
      if (forceSearch === undefined) return codeError(c, 400, 'force_search must be "true" or "false"', 'INVALID_PAYLOAD');
      const parentCuid = form.parent_cuid;
      if (parentCuid !== undefined && typeof parentCuid !== 'string') return codeError(c, 400, 'parent_cuid must be a string', 'INVALID_PAYLOAD');

      const messages = parsed.data.messages;
      const texts = (m: (typeof messages)[number]) => m.content.flatMap((p) => (p.type === 'text' ? [p.text] : []));
      const contextChars = messages.reduce((n, m) => n + texts(m).reduce((k, t) => k + t.length, 0), 0);
      if (contextChars > maxContextChars) {
        return codeError(c, 400, `Message context exceeds limits: ${contextChars} characters, at most ${maxContextChars}`, 'CONTEXT_TOO_LONG');
      }
      const asking = [...messages].reverse().find((m) => m.role === 'user') ?? messages[messages.length - 1]!;
      const question = texts(asking).join('\n');
      const fileIds = messages.flatMap((m) => m.content.flatMap((p) => (p.type === 'file' ? [p.file_id] : [])));
      // A follow-up is understood in its conversation: the earlier user turns sent with it and the
      // question its parent answered (which holds its own parent's, and so on) join the question.
      const earlier = messages.filter((m) => m !== asking && m.role === 'user').map((m) => texts(m).join('\n'));
      const parentContext = parentCuid ? store.answerContext(user, parentCuid) : undefined;
      const context = [parentContext, ...earlier, question].filter((t): t is string => !!t && t.trim() !== '').join('\n').slice(-4000);

      const files = store.completedFiles(user);
      const only = fileIds.length ? new Set(fileIds) : undefined;
      const { text, sources } = question.trim()
        ? ranker.answer(user, store.version(user), files, context, only)
        : { text: '', sources: [] as StoredFile[] };
      // force_search: the files a search for the question finds are searched even when none gave a passage.
      const searched = forceSearch && question.trim()
        ? [...new Set([...sources, ...ranker.search(user, store.version(user), files, context).filter((f) => !only || only.has(f.id)).slice(0, 5)])]
        : sources;
      const cuid = newId('msg');
      store.rememberAnswer(cuid, user, context);
      const now = iso(o.now());
      const shortQuestion = question.replace(/\s+/g, ' ').trim();
      // The files a question named come back as `file` parts when the answer drew on them.
      const cited = only ? sources.map((f) => ({ type: 'file', file_id: f.id, path: f.path })) : [];
      const response = {
        success: true,
        response: {
          role: 'assistant',
          content: [{ type: 'text', text }, ...cited],
          cuid,
          created_at: now,
          searched_files: searched.map((f) => ({ file_id: f.id, file_name: f.name, file_path: f.path })),
        },
        suid: newId('sess'),
        summary: `Question about ${shortQuestion.length > 80 ? `${shortQuestion.slice(0, 77)}...` : shortQuestion}`,
        timestamp: now,
      };
      if (!streaming) return c.json(response);
      const slow = tools.fault(['slowStream']);
      const ending = tools.fault(['cutStream', 'stall', 'streamError']);
      return answerStream(c, tools, {
        tokens: tokenize(text),
        response: response.response,
        firstTokenDelayMs: o.firstTokenDelayMs,
        tokenDelayMs: slow?.tokenDelayMs ?? o.tokenDelayMs,
        keepAliveMs: o.keepAliveMs,
        ending,
      });
    },
  };

  const search: RouteDefinition = {
    id: 'search',
    method: 'POST',
    paths: ['/ai/search'],
    user: formUser,
    // `unscoped`: an upstream whose search ignores sub_user_name (what `npm run probe` checks for).
    faultKinds: ['shape'],
    shapeVariants: ['unscoped'],
    handler: async (c, tools) => {
      const unscoped = tools.fault(['shape'])?.variant === 'unscoped';
      const form = await formOf(c);
      const message = form?.message;
      if (typeof message !== 'string' || message.trim() === '') {
        return codeError(c, 400, 'message is required', 'INVALID_PAYLOAD');
      }
      const user = unscoped ? 'default' : formSubUser(form!);
      if (typeof user !== 'string') return codeError(c, 400, 'sub_user_name must be a string', 'INVALID_PAYLOAD');
      const files = store.completedFiles(user);
      return c.json(ranker.search(user, store.version(user), files, message).map(fileHit));
    },
  };

  const upload: RouteDefinition = {
    id: 'upload',
    method: 'POST',
    paths: ['/file/upload'],
    user: formUser,
    handler: async (c) => {
      const form = await formOf(c);
      if (!form) return detailError(c, 400, 'No file provided', 'Expected a multipart/form-data body with a file field');
      const file = form.file;
      if (file === undefined) return detailError(c, 400, 'No file provided', 'The file field is required');
      if (typeof file === 'string') return detailError(c, 400, 'Invalid file', 'The file field must be a file, not text');
      const user = formSubUser(form);
      if (typeof user !== 'string') return detailError(c, 400, 'Invalid parameter', 'sub_user_name must be a string');
      const pathField = form.path;
      if (pathField !== undefined && typeof pathField !== 'string') return detailError(c, 400, 'Invalid parameter', 'path must be a string');
      const dir = normaliseDir(pathField || '/');
      if (!dir) return detailError(c, 400, 'Invalid parameter', `Invalid path '${pathField}'`);
      const name = (file.name || '').split(/[\\/]/).pop()!.trim();
      if (!name) return detailError(c, 400, 'Invalid file', 'The file has no name');
      const ext = extensionOf(name);
      if (!(ext in supportedTypes)) {
        return detailError(c, 400, 'Unsupported file type', `'.${ext || name}' is not supported; supported types: ${Object.keys(supportedTypes).join(', ')}`);
      }
      if (file.size > o.maxUploadBytes) return detailError(c, 413, 'File too large', `${file.size} bytes; the limit is ${o.maxUploadBytes} bytes`);
      if (file.size === 0) return detailError(c, 400, 'Empty file', `${name} has no content`);
      const bytes = new Uint8Array(await file.arrayBuffer());
      const { file: stored, renamed } = store.upload(user, name, dir, bytes);
      return c.json({ filename: stored.name, path: stored.path, renamed, file_id: stored.id, timestamp: iso(stored.createdAt) });
    },
  };

  const fileStatus: RouteDefinition = {
    id: 'fileStatus',
    method: 'GET',
    paths: ['/file/status/:file_id'],
    user: queryUser,
    handler: (c) => {
      const id = c.req.param('file_id') ?? '';
      const file = store.get(queryUser(c))?.files.get(id);
      return c.json({ file_id: id, status: file?.status ?? 'UNKNOWN' });
    },
  };

  const fileList: RouteDefinition = {
    id: 'fileList',
    method: 'GET',
    paths: ['/file/list'],
    user: queryUser,
    handler: (c) => {
      const user = queryUser(c);
      const pathParam = c.req.query('path');
      const root = normaliseDir(pathParam || '/');
      if (!root) return detailError(c, 400, 'Invalid parameter', `Invalid path '${pathParam}'`);
      const recursive = parseBoolean(c.req.query('recursive'), true);
      if (recursive === undefined) return detailError(c, 400, 'Invalid parameter', `recursive must be true or false, got '${c.req.query('recursive')}'`);
      if (!store.dirExists(user, root)) return detailError(c, 404, 'Directory not found', `No folder '${root}' for this sub-user`);
      const below = (dir: string) => root === '/' || dir === root || dir.startsWith(`${root}/`);
      const depth = (path: string) => path.split('/').filter(Boolean).length;
      const rootDepth = depth(root);
      const parentOf = (path: string) => path.slice(0, path.lastIndexOf('/')) || '/';
      const dirs = store.dirs(user).filter((d) => d !== root && below(d) && (recursive || depth(d) === rootDepth + 1)).sort();
      const files = store.files(user).filter((f) => below(f.dir) && (recursive || f.dir === root))
        .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.seq - b.seq));
      // The tree: each folder listed (the root first) by its full path, holding its direct children.
      const tree: Record<string, Record<string, { file_id: string | null; is_dir: boolean }>> = { [root]: {} };
      for (const d of dirs) tree[d] = {};
      for (const d of dirs) tree[parentOf(d)]![d.slice(d.lastIndexOf('/') + 1)] = { file_id: null, is_dir: true };
      for (const f of files) (tree[f.dir] ??= {})[f.name] = { file_id: f.id, is_dir: false };
      const items = [
        ...dirs.map((d) => ({ is_dir: true, name: d.slice(d.lastIndexOf('/') + 1), path: d, file_id: null, size: null, status: null, created_at: null })),
        ...files.map((f) => ({ is_dir: false, name: f.name, path: f.path, file_id: f.id, size: f.size, status: f.status, created_at: iso(f.createdAt) })),
      ];
      const version = `v${store.version(user)}`;
      const previous = c.req.query('version');
      // With the caller's last version: whether anything changed since; without: whether a file is still processing.
      const needRefresh = previous ? previous !== version : store.files(user).some((f) => f.status === 'PENDING');
      return c.json({ items, tree, version, need_refresh_file: needRefresh });
    },
  };

  const createDir: RouteDefinition = {
    id: 'createDir',
    method: 'POST',
    paths: ['/file/create_dir'],
    user: formUser,
    handler: async (c) => {
      const form = await formOf(c);
      if (!form) return detailError(c, 400, 'Invalid parameter', 'Expected a form body with a path field');
      const user = formSubUser(form);
      if (typeof user !== 'string') return detailError(c, 400, 'Invalid parameter', 'sub_user_name must be a string');
      const raw = form.path;
      if (typeof raw !== 'string' || raw.trim() === '') return detailError(c, 400, 'Invalid parameter', 'path is required');
      const dir = normaliseDir(raw);
      if (!dir) return detailError(c, 400, 'Invalid parameter', `Invalid path '${raw}'`);
      const existed = store.dirExists(user, dir);
      if (!store.createDir(user, dir)) return detailError(c, 409, 'Path exists', `A file exists at '${dir}'`);
      return c.json({ message: existed ? `Directory ${dir} already exists` : `Directory ${dir} created` });
    },
  };

  const fileMove: RouteDefinition = {
    id: 'fileMove',
    method: 'POST',
    paths: ['/file/move'],
    user: formUser,
    handler: async (c) => {
      const form = await formOf(c);
      if (!form) return detailError(c, 400, 'Invalid parameter', 'Expected a form body with src and dest fields');
      const user = formSubUser(form);
      if (typeof user !== 'string') return detailError(c, 400, 'Invalid parameter', 'sub_user_name must be a string');
      const paths: Record<'src' | 'dest', string> = { src: '', dest: '' };
      for (const name of ['src', 'dest'] as const) {
        const raw = form[name];
        if (typeof raw !== 'string' || raw.trim() === '') return detailError(c, 400, 'Invalid parameter', `${name} is required`);
        const path = normaliseDir(raw);
        if (!path) return detailError(c, 400, 'Invalid parameter', `Invalid ${name} '${raw}'`);
        paths[name] = path;
      }
      const result = store.move(user, paths.src, paths.dest);
      if (!result.ok) return detailError(c, result.status, result.error, result.detail);
      return c.json({ message: `Moved ${paths.src} to ${paths.dest}`, file_moves: result.moves });
    },
  };

  /** The signature of a download URL: who, which file, until when. */
  const signature = (user: string, fileId: string, expires: number) =>
    createHmac('sha256', o.signingKey).update(`${user}\n${fileId}\n${expires}`).digest('base64url');

  const download: RouteDefinition = {
    id: 'download',
    method: 'GET',
    paths: ['/file/download'],
    user: queryUser,
    handler: (c) => {
      const user = queryUser(c);
      const id = c.req.query('file_id');
      if (!id) return detailError(c, 400, 'Invalid parameter', 'file_id is required');
      const file = store.get(user)?.files.get(id);
      if (!file) return detailError(c, 404, 'File not found', `No file '${id}' for this sub-user`);
      const expires = Math.floor((o.now() + o.downloadUrlTtlMs) / 1000);
      const url = new URL(`/file/content/${encodeURIComponent(file.id)}/${encodeURIComponent(file.name)}`, new URL(c.req.url).origin);
      url.search = new URLSearchParams({ sub_user_name: user, expires: String(expires), signature: signature(user, file.id, expires) }).toString();
      return c.json({ url: url.toString(), name: file.name, file_type: file.mimeType, file_id: file.id });
    },
  };

  const thumbnail: RouteDefinition = {
    id: 'thumbnail',
    method: 'GET',
    paths: ['/file/thumbnail'],
    user: queryUser,
    handler: (c) => {
      const user = queryUser(c);
      const id = c.req.query('file_id');
      if (!id) return detailError(c, 400, 'Invalid parameter', 'file_id is required');
      const sizeParam = c.req.query('max_size');
      let maxSize = 200;
      if (sizeParam !== undefined) {
        if (!/^\s*\d+\s*$/.test(sizeParam) || Number(sizeParam) < 16 || Number(sizeParam) > 1024) {
          return detailError(c, 400, 'Invalid parameter', `max_size must be an integer from 16 to 1024, got '${sizeParam}'`);
        }
        maxSize = Number(sizeParam);
      }
      const file = store.get(user)?.files.get(id);
      if (!file) return detailError(c, 404, 'File not found', `No file '${id}' for this sub-user`);
      const png = thumbnailOf(file.name, file.bytes, maxSize);
      if (!png) return detailError(c, 404, 'Thumbnail not available', `No thumbnail for a ${file.mimeType} file`);
      return c.body(png as Uint8Array<ArrayBuffer>, 200, { 'content-type': 'image/png', 'content-length': String(png.byteLength) });
    },
  };

  const webpage: RouteDefinition = {
    id: 'webpage',
    method: 'POST',
    paths: ['/webpage/add'],
    user: formUser,
    handler: async (c) => {
      const form = await formOf(c);
      if (!form) return detailError(c, 400, 'Invalid parameter', 'Expected a form body with a url field');
      const user = formSubUser(form);
      if (typeof user !== 'string') return detailError(c, 400, 'Invalid parameter', 'sub_user_name must be a string');
      const raw = form.url;
      if (typeof raw !== 'string' || raw.trim() === '') return detailError(c, 400, 'Invalid parameter', 'url is required');
      let target: URL;
      try {
        target = new URL(raw.trim());
      } catch {
        return detailError(c, 400, 'Invalid parameter', `url is not a URL: '${raw.slice(0, 200)}'`);
      }
      if (target.protocol !== 'http:' && target.protocol !== 'https:') return detailError(c, 400, 'Invalid parameter', 'url must be http or https');
      for (const name of ['path', 'name'] as const) {
        if (form[name] !== undefined && typeof form[name] !== 'string') return detailError(c, 400, 'Invalid parameter', `${name} must be a string`);
      }
      const dir = normaliseDir((form.path as string | undefined) || '/web');
      if (!dir) return detailError(c, 400, 'Invalid parameter', `Invalid path '${String(form.path)}'`);
      for (const flag of ['build_memory', 'disable_lazy_metadata'] as const) {
        if (parseBoolean(form[flag], flag === 'build_memory') === undefined) return detailError(c, 400, 'Invalid parameter', `${flag} must be true or false`);
      }

      const page = await fetchPage(target, o.webpageTimeoutMs);
      if (!page.ok) return detailError(c, 422, 'Could not fetch the URL', page.reason);
      const title = /<title[^>]*>([^<]*)<\/title>/i.exec(page.html)?.[1]?.trim();
      const given = (form.name as string | undefined)?.trim().split(/[\\/]/).pop();
      const name = withHtmlExtension(given || slug(title || `${target.hostname}${target.pathname}`));
      const { file } = store.upload(user, name, dir, new TextEncoder().encode(page.html), 'text/html');
      return c.json({ filename: file.name, path: file.path, file_id: file.id, timestamp: iso(file.createdAt) });
    },
  };

  const fileDelete: RouteDefinition = {
    id: 'fileDelete',
    method: 'DELETE',
    paths: ['/file/delete/:file_id'],
    user: queryUser,
    handler: (c) => {
      const id = c.req.param('file_id') ?? '';
      if (!store.delete(queryUser(c), id)) return detailError(c, 404, 'File not found', `No file '${id}' for this sub-user`);
      return c.json({ message: `File ${id} deleted` });
    },
  };

  return [profile, events, query, search, upload, fileStatus, fileList, fileDelete, createDir, fileMove, download, thumbnail, webpage];
}

/**
 * Serves what a `/file/download` URL points at: the file's bytes while the signature holds and the
 * URL has not expired (no API key: the URL is the credential), else 403; 404 once the file is gone.
 */
export function fileContentHandler(o: Pick<SynvoRouteOptions, 'store' | 'now' | 'signingKey'>) {
  return (c: EmulatorContext): Response => {
    const id = c.req.param('file_id') ?? '';
    const user = c.req.query('sub_user_name') || 'default';
    const expires = Number(c.req.query('expires'));
    const given = Buffer.from(c.req.query('signature') ?? '');
    const wanted = Buffer.from(createHmac('sha256', o.signingKey).update(`${user}\n${id}\n${expires}`).digest('base64url'));
    if (!Number.isInteger(expires) || given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
      return c.json({ error: 'Forbidden', detail: 'Invalid signature' }, 403);
    }
    if (o.now() / 1000 > expires) return c.json({ error: 'Forbidden', detail: 'This download URL has expired' }, 403);
    const file = o.store.get(user)?.files.get(id);
    if (!file) return c.json({ error: 'File not found', detail: `No file '${id}'` }, 404);
    return c.body(file.bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': file.mimeType,
      'content-length': String(file.bytes.byteLength),
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`,
      // The signature is the credential, as on a storage bucket's signed URL: any page may fetch it.
      'access-control-allow-origin': '*',
    });
  };
}

/** `My Page: Title!` -> `my-page-title`; at most 80 characters. */
function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'page';
}

function withHtmlExtension(name: string): string {
  return /\.html?$/i.test(name) ? name.replace(/\.htm$/i, '.html') : `${name}.html`;
}

/** GETs a page (following redirects), bounded in time and size; a failure says why, for the 422. */
async function fetchPage(url: URL, timeoutMs: number): Promise<{ ok: true; html: string } | { ok: false; reason: string }> {
  try {
    const res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'text/html, text/plain;q=0.9, */*;q=0.1' } });
    if (!res.ok) {
      await res.body?.cancel();
      return { ok: false, reason: `${url.origin} answered ${res.status}` };
    }
    const type = res.headers.get('content-type') ?? '';
    if (type && !/^text\/(html|plain)|xhtml/i.test(type)) {
      await res.body?.cancel();
      return { ok: false, reason: `Not a web page (${type.split(';')[0]})` };
    }
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.byteLength > maxWebpageBytes) return { ok: false, reason: `The page is over ${maxWebpageBytes} bytes` };
    const text = new TextDecoder().decode(bytes);
    const html = /^text\/plain/i.test(type) ? `<html><body><pre>${text.replace(/[<&]/g, (ch) => (ch === '<' ? '&lt;' : '&amp;'))}</pre></body></html>` : text;
    if (htmlText(html).trim() === '') return { ok: false, reason: 'The page has no readable text' };
    return { ok: true, html };
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    return { ok: false, reason: e.name === 'TimeoutError' ? `No answer within ${timeoutMs} ms` : `Could not connect (${e.cause?.code ?? e.name})` };
  }
}
