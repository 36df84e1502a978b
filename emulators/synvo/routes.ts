import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { EmulatorContext, RouteDefinition } from '../core/kit.js';
import { SynvoRanker } from './answer.js';
import { extensionOf, supportedTypes, wireSubtopic } from './extract.js';
import { normaliseDir, parseIsoTime, type StoredFile, type SynvoStore } from './store.js';
import { answerStream, tokenize } from './stream.js';

/** Largest accepted upload. */
export const maxUploadBytes = 20 * 1024 * 1024;
/** Longest accepted text of all messages of a query. */
export const maxContextChars = 32_000;

export interface SynvoRouteOptions {
  store: SynvoStore;
  ranker: SynvoRanker;
  now: () => number;
  firstTokenDelayMs: number;
  tokenDelayMs: number;
  keepAliveMs: number;
}

type Form = Record<string, string | File>;

const iso = (ms: number) => new Date(ms).toISOString();
const newId = (prefix: string) => `${prefix}_${randomBytes(8).toString('hex')}`;

/** `{"error","detail"}`: the error body of the metadata and file endpoints. */
const detailError = (c: EmulatorContext, status: 400 | 404 | 413, error: string, detail: string) => c.json({ error, detail }, status);
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

/** The Synvo endpoints of upstream-api.md, by route id. */
export function synvoRoutes(o: SynvoRouteOptions): RouteDefinition[] {
  const { store, ranker } = o;

  const profile: RouteDefinition = {
    id: 'profile',
    faultKinds: ['shape'],
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

      const messages = parsed.data.messages;
      const texts = (m: (typeof messages)[number]) => m.content.flatMap((p) => (p.type === 'text' ? [p.text] : []));
      const contextChars = messages.reduce((n, m) => n + texts(m).reduce((k, t) => k + t.length, 0), 0);
      if (contextChars > maxContextChars) {
        return codeError(c, 400, `Message context exceeds limits: ${contextChars} characters, at most ${maxContextChars}`, 'CONTEXT_TOO_LONG');
      }
      const asking = [...messages].reverse().find((m) => m.role === 'user') ?? messages[messages.length - 1]!;
      const question = texts(asking).join('\n');
      const fileIds = messages.flatMap((m) => m.content.flatMap((p) => (p.type === 'file' ? [p.file_id] : [])));

      const files = store.completedFiles(user);
      const text = question.trim()
        ? ranker.answer(user, store.version(user), files, question, fileIds.length ? new Set(fileIds) : undefined)
        : '';
      const now = iso(o.now());
      const shortQuestion = question.replace(/\s+/g, ' ').trim();
      const response = {
        success: true,
        response: { role: 'assistant', content: [{ type: 'text', text }], cuid: newId('msg'), created_at: now },
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
    handler: async (c) => {
      const form = await formOf(c);
      const message = form?.message;
      if (typeof message !== 'string' || message.trim() === '') {
        return codeError(c, 400, 'message is required', 'INVALID_PAYLOAD');
      }
      const user = formSubUser(form!);
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
      if (file.size > maxUploadBytes) return detailError(c, 413, 'File too large', `${file.size} bytes; the limit is ${maxUploadBytes} bytes (20 MiB)`);
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
      const all = store.files(user);
      const below = (dir: string) => (root === '/' ? true : dir === root || dir.startsWith(`${root}/`));
      const relative = (dir: string) => (root === '/' ? dir.slice(1) : dir.slice(root.length + 1)).split('/').filter(Boolean);
      const files = all.filter((f) => below(f.dir) && (recursive || f.dir === root));
      const dirs = new Set<string>();
      for (const f of all.filter((f) => below(f.dir))) {
        const parts = relative(f.dir);
        for (let i = 1; i <= (recursive ? parts.length : Math.min(1, parts.length)); i++) {
          dirs.add(`${root === '/' ? '' : root}/${parts.slice(0, i).join('/')}`);
        }
      }
      const tree: Record<string, unknown> = {};
      const nodeFor = (dir: string) => {
        let node = tree;
        for (const part of relative(dir)) node = (node[part] ??= {}) as Record<string, unknown>;
        return node;
      };
      for (const d of dirs) nodeFor(d);
      for (const f of files) nodeFor(f.dir)[f.name] = f.id;
      const items = [
        ...[...dirs].sort().map((d) => ({
          is_dir: true, name: d.slice(d.lastIndexOf('/') + 1), path: d, file_id: null, size: null, status: null, created_at: null,
        })),
        ...files
          .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.seq - b.seq))
          .map((f) => ({ is_dir: false, name: f.name, path: f.path, file_id: f.id, size: f.size, status: f.status, created_at: iso(f.createdAt) })),
      ];
      return c.json({ items, tree, version: store.version(user), need_refresh_file: all.some((f) => f.status === 'PENDING') });
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

  return [profile, events, query, search, upload, fileStatus, fileList, fileDelete];
}
