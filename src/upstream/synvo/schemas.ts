/**
 * Synvo's wire types: one zod schema per response, each normalised to the types of ../types.ts.
 * Both shapes of the profile and of the events are read; keys are lower-cased; zone-less times
 * are UTC; unknown categories and subtopics are kept.
 */
import { z } from 'zod';
import { nullableUtcDate, parseResponse, typeName, utcDate } from '../response-schema.js';
import type {
  AnswerSource,
  DownloadLink,
  FileStatus,
  MoveResult,
  FileStatusResult,
  ProfileAttribute,
  SynvoAnswer,
  SynvoEvent,
  SynvoFileEntry,
  SynvoFileHit,
  SynvoProfile,
  UploadResult,
  WebpageResult,
} from '../types.js';

// ---------------------------------------------------------------- profile

const scalar = z.union([z.string(), z.number(), z.boolean()]);
/** A subtopic's value: one value, several, or null (no evidence). */
const profileValue = z.union([scalar, z.array(scalar), z.null()], {
  errorMap: (_, ctx) => ({ message: `expected string, string[] or null, received ${typeName(ctx.data)}` }),
});
type Leaf = z.infer<typeof profileValue>;

/** `{"sub_topics":{"school":{"value":"NTU"}}}` */
const standardCategory = z.object({ sub_topics: z.record(z.object({ value: profileValue }).passthrough()) }).passthrough();
/** `{"school":"NTU"}` or `{"school":["NTU","NUS"]}` */
const alternateCategory = z.record(profileValue);

/**
 * Either shape per category. A plain union (no transform re-parsing the category): the profile
 * is the gateway's hottest read, and this form costs a fraction of the per-category re-parse.
 */
export const profileResponse = z.record(z.union([standardCategory, alternateCategory], { errorMap: (_, ctx) => ({ message: `expected object, received ${typeName(ctx.data)}` }) }));

function valuesOf(leaf: Leaf): string[] {
  if (leaf === null) return [];
  const list = Array.isArray(leaf) ? leaf : [leaf];
  return list.map((v) => String(v).trim()).filter((v) => v !== '');
}

export function readProfile(body: unknown): SynvoProfile {
  const categories = parseResponse(profileResponse, body);
  const byKey = new Map<string, ProfileAttribute>();
  for (const [rawCategory, category] of Object.entries(categories)) {
    const categoryKey = rawCategory.trim().toLowerCase();
    const leaves: [string, Leaf][] =
      'sub_topics' in category && typeof category.sub_topics === 'object' && category.sub_topics !== null && !Array.isArray(category.sub_topics)
        ? Object.entries((category as z.infer<typeof standardCategory>).sub_topics).map(([sub, entry]) => [sub, entry.value])
        : Object.entries(category as z.infer<typeof alternateCategory>);
    for (const [rawSub, leaf] of leaves) {
      const subtopic = rawSub.trim().toLowerCase();
      const values = valuesOf(leaf);
      if (values.length === 0) continue;
      const key = `${categoryKey}\u0000${subtopic}`;
      const existing = byKey.get(key);
      if (existing) {
        for (const v of values) if (!existing.values.includes(v)) existing.values.push(v);
      } else {
        byKey.set(key, { category: categoryKey, subtopic, values });
      }
    }
  }
  return { attributes: [...byKey.values()] };
}

// ---------------------------------------------------------------- events

const event = z
  .object({
    event_type: z.string(),
    content: z.string(),
    happen_time: nullableUtcDate,
    mention_time: utcDate,
  })
  .passthrough();

export const eventsArrayResponse = z.array(event);
export const eventsObjectResponse = z.object({ total_count: z.number().optional(), events: z.array(event) }).passthrough();

export function readEvents(body: unknown): SynvoEvent[] {
  const raw = Array.isArray(body) ? parseResponse(eventsArrayResponse, body, 'events') : parseResponse(eventsObjectResponse, body).events;
  const events = raw.map((e) => ({
    type: e.event_type.trim().toLowerCase(),
    content: e.content,
    happenTime: e.happen_time,
    mentionTime: e.mention_time,
  }));
  // Chronological by the time the window applies to; stable, so the upstream's ties keep their order.
  const when = (e: SynvoEvent) => (e.happenTime ?? e.mentionTime).getTime();
  return events.sort((a, b) => when(a) - when(b));
}

// ---------------------------------------------------------------- answers

const contentPart = z
  .object({ type: z.string(), text: z.string().optional(), file_id: z.string().optional(), path: z.string().nullish(), file_name: z.string().nullish() })
  .passthrough();
const searchedFile = z.object({ file_id: z.string(), file_name: z.string().nullish(), file_path: z.string().nullish() }).passthrough();
const answerMessage = z
  .object({
    role: z.string().optional(),
    content: z.union([z.string(), z.array(contentPart)]),
    cuid: z.string().optional(),
    created_at: nullableUtcDate,
    searched_files: z.array(searchedFile).nullish(),
  })
  .passthrough();

export const answerResponse = z
  .object({
    success: z.boolean().optional(),
    response: answerMessage,
    suid: z.string().optional(),
    summary: z.string().nullish(),
    timestamp: nullableUtcDate,
  })
  .passthrough();

function textOf(content: z.infer<typeof answerMessage>['content']): string {
  if (typeof content === 'string') return content;
  return content
    .filter((part) => part.type === 'text' && typeof part.text === 'string')
    .map((part) => part.text)
    .join('');
}

/**
 * The files an answer drew on: `searched_files` first, then any `file` content part not already
 * named (a part may name only the id: its name is then taken from the path, or left empty).
 */
function sourcesOf(message: z.infer<typeof answerMessage>): AnswerSource[] {
  const byId = new Map<string, AnswerSource>();
  const add = (fileId: string, name: string | null | undefined, path: string | null | undefined) => {
    const existing = byId.get(fileId);
    const fromPath = path ? path.slice(path.lastIndexOf('/') + 1) : '';
    if (!existing) byId.set(fileId, { fileId, name: name || fromPath, path: path ?? '' });
    else {
      if (!existing.name) existing.name = name || fromPath;
      if (!existing.path && path) existing.path = path;
    }
  };
  for (const f of message.searched_files ?? []) add(f.file_id, f.file_name, f.file_path);
  if (Array.isArray(message.content)) {
    for (const part of message.content) if (part.type === 'file' && part.file_id) add(part.file_id, part.file_name, part.path);
  }
  return [...byId.values()];
}

/** Normalises a whole answer, or a stream's `done` event (which may lack `suid`/`timestamp`). */
export function readAnswer(body: unknown, root = ''): SynvoAnswer {
  const a = parseResponse(answerResponse, body, root);
  const createdAt = a.response.created_at ?? a.timestamp ?? new Date();
  return {
    text: textOf(a.response.content),
    sources: sourcesOf(a.response),
    role: a.response.role ?? 'assistant',
    messageId: a.response.cuid ?? '',
    sessionId: a.suid ?? '',
    summary: a.summary ?? null,
    createdAt,
    timestamp: a.timestamp ?? createdAt,
  };
}

// ---------------------------------------------------------------- files

export const searchResponse = z.array(
  z
    .object({
      file_id: z.string(),
      file_path: z.string(),
      file_name: z.string(),
      file_type: z.string(),
      created_at: utcDate,
    })
    .passthrough(),
);

export function readSearch(body: unknown): SynvoFileHit[] {
  return parseResponse(searchResponse, body, 'files').map((f) => ({
    id: f.file_id,
    path: f.file_path,
    name: f.file_name,
    mimeType: f.file_type,
    createdAt: f.created_at,
  }));
}

export const uploadResponse = z
  .object({
    filename: z.string(),
    path: z.string(),
    renamed: z.boolean(),
    file_id: z.string(),
    timestamp: utcDate,
  })
  .passthrough();

export function readUpload(body: unknown): UploadResult {
  const u = parseResponse(uploadResponse, body);
  return { fileId: u.file_id, filename: u.filename, path: u.path, renamed: u.renamed, timestamp: u.timestamp };
}

/** Upper-cased; an in-progress synonym counts as PENDING. */
const fileStatus = z
  .string()
  .transform((s) => s.trim().toUpperCase())
  .transform((s) => (s === 'PROCESSING' || s === 'QUEUED' ? 'PENDING' : s))
  .pipe(z.enum(['PENDING', 'COMPLETED', 'FAILED', 'UNKNOWN']));

export const fileStatusResponse = z.object({ file_id: z.string(), status: fileStatus }).passthrough();

export function readFileStatus(body: unknown): FileStatusResult {
  const s = parseResponse(fileStatusResponse, body);
  return { fileId: s.file_id, status: s.status };
}

export const fileListResponse = z
  .object({
    items: z.array(
      z
        .object({
          is_dir: z.boolean(),
          name: z.string(),
          path: z.string(),
          file_id: z.string().nullish(),
          size: z.number().nullish(),
          status: fileStatus.nullish(),
          created_at: nullableUtcDate,
        })
        .passthrough(),
    ),
  })
  .passthrough();

export function readFileList(body: unknown): SynvoFileEntry[] {
  return parseResponse(fileListResponse, body).items.map((i) => ({
    isDir: i.is_dir,
    name: i.name,
    path: i.path,
    fileId: i.file_id ?? null,
    size: i.size ?? null,
    status: (i.status ?? null) as FileStatus | null,
    createdAt: i.created_at,
  }));
}

export const createDirResponse = z.object({ message: z.string() }).passthrough();

export function readCreateDir(body: unknown): { message: string } {
  return { message: parseResponse(createDirResponse, body).message };
}

export const moveResponse = z
  .object({ message: z.string(), file_moves: z.array(z.tuple([z.string(), z.string()])).nullish() })
  .passthrough();

export function readMove(body: unknown): MoveResult {
  const m = parseResponse(moveResponse, body);
  return { message: m.message, moves: (m.file_moves ?? []).map(([from, to]) => [from, to] as [string, string]) };
}

export const downloadResponse = z
  .object({ url: z.string().url(), name: z.string(), file_type: z.string().nullish(), file_id: z.string() })
  .passthrough();

/**
 * When a signed URL stops working, as the URL itself says: `expires`/`Expires` (epoch seconds, the
 * emulator's and GCS/CloudFront's form) or `X-Amz-Date` + `X-Amz-Expires` (S3's); null otherwise.
 */
export function signedUrlExpiry(url: string): Date | null {
  const params = new URL(url).searchParams;
  const epoch = params.get('expires') ?? params.get('Expires');
  if (epoch && /^\d{9,11}$/.test(epoch)) return new Date(Number(epoch) * 1000);
  const amzDate = params.get('X-Amz-Date');
  const amzExpires = params.get('X-Amz-Expires');
  const m = amzDate ? /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate) : null;
  if (m && amzExpires && /^\d+$/.test(amzExpires)) {
    return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) + Number(amzExpires) * 1000);
  }
  return null;
}

export function readDownload(body: unknown): DownloadLink {
  const d = parseResponse(downloadResponse, body);
  return { url: d.url, name: d.name, mimeType: d.file_type ?? 'application/octet-stream', fileId: d.file_id, expiresAt: signedUrlExpiry(d.url) };
}

export const webpageResponse = z
  .object({ filename: z.string(), path: z.string(), file_id: z.string(), timestamp: utcDate })
  .passthrough();

export function readWebpage(body: unknown): WebpageResult {
  const w = parseResponse(webpageResponse, body);
  return { fileId: w.file_id, filename: w.filename, path: w.path, timestamp: w.timestamp };
}
