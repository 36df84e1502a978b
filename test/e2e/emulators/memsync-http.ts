/** A tiny real-HTTP client (undici) for the MemSync emulator tests. */
import { request } from 'undici';

export const MEMSYNC_KEY = 'memsync-dev-key';

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // Emulator bodies are free-form JSON; tests read them by path.
  body: any;
}

export async function call(
  base: string,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  options: { json?: unknown; raw?: string; key?: string | null; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== null) headers['x-api-key'] = options.key ?? MEMSYNC_KEY;
  let body: string | undefined;
  if (options.json !== undefined || options.raw !== undefined) {
    headers['content-type'] = 'application/json';
    body = options.raw ?? JSON.stringify(options.json);
  }
  const res = await request(`${base}${path}`, { method, headers, body });
  const text = await res.body.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, body: parsed };
}

export const getBio = (base: string, query: Record<string, string> = {}) =>
  call(base, 'GET', `/v1/profile/bio?${new URLSearchParams(query)}`);

/** The fields MemSync requires of every store besides the messages. */
export const STORE_FIELDS = { agent_id: 'emulator-test', thread_id: 'thread-1', source: 'chat' } as const;

/** Stores `contents` as user messages with the app key, `user_id` naming the account (the user-param mode). */
export const storeMemories = (base: string, user: string, contents: string[], extra: Record<string, unknown> = {}) =>
  call(base, 'POST', '/v1/memories', {
    json: { user_id: user, messages: contents.map((content) => ({ role: 'user', content })), ...STORE_FIELDS, ...extra },
  });

export const searchMemories = (base: string, body: Record<string, unknown>) =>
  call(base, 'POST', '/v1/memories/search', { json: body });

/** Words as the bio rules count them. */
export const wordsIn = (text: string) => text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
