/** A tiny HTTP client for the Synvo emulator tests (real HTTP over undici). */
import { createParser } from 'eventsource-parser';
import { fetch, FormData, request } from 'undici';
import { vi } from 'vitest';

export const apiKey = 'synvo-dev-key';

export interface Reply<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

/** A JSON call; the body is parsed when it is JSON, else left as text. */
export async function call<T = any>(
  base: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  init: { body?: FormData | URLSearchParams; key?: string | null; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key !== null) headers['x-api-key'] = init.key ?? apiKey;
  const res = await fetch(`${base}${path}`, { method, headers, body: init.body });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, headers: Object.fromEntries(res.headers), body: body as T };
}

export const get = <T = any>(base: string, path: string, key?: string | null) => call<T>(base, 'GET', path, { key });

export function queryForm(question: string, fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  form.append('payload', JSON.stringify({ messages: [{ role: 'user', content: [{ type: 'text', text: question }] }] }));
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  return form;
}

export function uploadForm(name: string, content: string | Uint8Array, fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  form.append('file', new Blob([typeof content === 'string' ? content : new Uint8Array(content)]), name);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  return form;
}

/** Uploads a file and waits until its processing has ended; returns the upload reply and final status. */
export async function uploadAndWait(base: string, name: string, content: string, fields: Record<string, string> = {}) {
  const up = await call(base, 'POST', '/file/upload', { body: uploadForm(name, content, fields) });
  if (up.status !== 200) throw new Error(`upload failed: ${up.status} ${JSON.stringify(up.body)}`);
  const user = fields.sub_user_name ?? 'default';
  const status = await vi.waitFor(
    async () => {
      const s = await get(base, `/file/status/${up.body.file_id}?sub_user_name=${encodeURIComponent(user)}`);
      if (s.body.status === 'PENDING') throw new Error(`processing of ${name} never ended`);
      return s.body.status as string;
    },
    { timeout: 10_000, interval: 10 },
  );
  return { upload: up.body, status };
}

export interface StreamResult {
  status: number;
  contentType: string | undefined;
  events: Array<Record<string, any>>;
  comments: string[];
}

/** Reads a whole answer stream (or JSON body) of POST /ai/query. */
export async function readStream(base: string, form: FormData): Promise<StreamResult> {
  const res = await request(`${base}/ai/query`, { method: 'POST', headers: { 'x-api-key': apiKey }, body: form });
  const events: Array<Record<string, any>> = [];
  const comments: string[] = [];
  const parser = createParser({
    onEvent: (e) => events.push(JSON.parse(e.data)),
    onComment: (c) => comments.push(c),
  });
  for await (const chunk of res.body) parser.feed(chunk.toString());
  return { status: res.statusCode, contentType: res.headers['content-type'] as string | undefined, events, comments };
}

export { eventually } from '../../support/eventually.js';
