/**
 * The responses of the file endpoints: search, upload, status, listing, folders, moves, downloads
 * and webpages. Statuses are upper-cased, an in-progress synonym reading as PENDING.
 */
import { z } from 'zod';
import { nullableUtcDate, parseResponse, utcDate } from '../../response-schema.js';
import type {
  DownloadLink,
  FileStatus,
  FileStatusResult,
  MoveResult,
  SynvoFileEntry,
  SynvoFileHit,
  UploadResult,
  WebpageResult,
} from '../types.js';

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
