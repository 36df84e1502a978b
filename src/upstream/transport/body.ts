/**
 * Reading response bodies: bounded, so a huge or endless body cannot exhaust memory; a status the
 * call does not accept becomes an `HttpStatusFailure` carrying the parsed error body.
 */
import type { Dispatcher } from 'undici';
import { readErrorBody } from '../error-body.js';
import { HttpStatusFailure, ResponseShapeError } from '../failures.js';
import type { JsonResult, UpstreamRequest } from './request.js';

const MAX_JSON_BYTES = 16 * 1024 * 1024;

export function headerString(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/** Reads a whole body as text, bounded. */
export async function readText(body: Dispatcher.ResponseData['body'], contentLength?: string | string[]): Promise<string> {
  const declared = Number(headerString(contentLength));
  // The common case, a declared and modest length: undici's own reader, no per-chunk iteration.
  if (declared > 0 && declared <= MAX_JSON_BYTES) return body.text();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_BYTES) {
      body.destroy();
      throw new ResponseShapeError(`body: larger than ${MAX_JSON_BYTES} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJsonText(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ResponseShapeError('body: not valid JSON');
  }
}

/** A 404 whose body is not the endpoint's own (see `UpstreamRequest.ownNotFound`). */
function isForeign404(req: UpstreamRequest, status: number, body: unknown): boolean {
  return status === 404 && req.ownNotFound !== undefined && !req.ownNotFound(readErrorBody(body));
}

const accepted = (req: UpstreamRequest, status: number) => (status >= 200 && status < 300) || !!req.acceptStatuses?.includes(status);

/** Hands back a response of an accepted status; any other is read and thrown as an HttpStatusFailure. */
export async function acceptedResponse(req: UpstreamRequest, res: Dispatcher.ResponseData): Promise<Dispatcher.ResponseData> {
  if (accepted(req, res.statusCode)) return res;
  const text = await readText(res.body, res.headers['content-length']);
  let parsed: unknown = text;
  try {
    parsed = text.trim() ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    // Error bodies need not be JSON; the text is read as the message.
  }
  throw new HttpStatusFailure(res.statusCode, res.headers, parsed, isForeign404(req, res.statusCode, parsed));
}

/** The parsed JSON of an accepted response; an accepted 404 counts only with the endpoint's own body. */
export async function readJson(req: UpstreamRequest, res: Dispatcher.ResponseData): Promise<JsonResult> {
  const contentType = headerString(res.headers['content-type']);
  const body = parseJsonText(await readText(res.body, res.headers['content-length']));
  if (isForeign404(req, res.statusCode, body)) throw new HttpStatusFailure(res.statusCode, res.headers, body, true);
  return { status: res.statusCode, body, contentType };
}
