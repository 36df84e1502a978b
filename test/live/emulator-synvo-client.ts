/**
 * Just enough of a SynvoClient over real HTTP for the live-update tests (statuses, events, file
 * list, uploads), so they run against the real emulator without depending on the full client.
 */
import { FormData, fetch } from 'undici';
import type { FileStatus, SynvoClient, SynvoEvent, SynvoFileEntry, UploadResult } from '../../src/upstream/types.js';

export function emulatorSynvoClient(baseUrl: string, apiKey = 'synvo-dev-key'): SynvoClient & { upload(user: string, name: string, text: string): Promise<UploadResult> } {
  const headers = { 'x-api-key': apiKey };
  const get = async (path: string, query: Record<string, string>) => {
    const res = await fetch(`${baseUrl}${path}?${new URLSearchParams(query)}`, { headers });
    if (!res.ok && res.status !== 404) throw new Error(`${path}: ${res.status}`);
    return res.status === 404 ? null : ((await res.json()) as unknown);
  };
  const utc = (s: string) => new Date(/[zZ]|[+-]\d\d:\d\d$/.test(s) ? s : `${s}Z`);
  const unsupported = () => {
    throw new Error('not used by these tests');
  };
  const client = {
    service: 'synvo' as const,
    async getFileStatus(user: string, fileId: string) {
      const body = (await get(`/file/status/${fileId}`, { sub_user_name: user })) as { file_id: string; status: FileStatus };
      return { fileId: body.file_id, status: body.status };
    },
    async getEvents(user: string, query: { limit?: number } = {}) {
      const body = (await get('/metadata/get_user_event/', { sub_user_name: user, limit: String(query.limit ?? 10) })) as Array<{
        event_type: string; content: string; happen_time: string | null; mention_time: string;
      }> | null;
      return (body ?? []).map((e): SynvoEvent => ({
        type: e.event_type, content: e.content, happenTime: e.happen_time ? utc(e.happen_time) : null, mentionTime: utc(e.mention_time),
      }));
    },
    async getProfile(user: string) {
      const body = await get('/metadata/get_user_profile/', { sub_user_name: user });
      return body === null ? null : { attributes: [{ category: 'raw', subtopic: 'json', values: [JSON.stringify(body)] }] };
    },
    async listFiles(user: string) {
      const body = (await get('/file/list', { sub_user_name: user })) as { items: Array<{ is_dir: boolean; name: string; path: string; file_id: string | null; size: number | null; status: FileStatus | null; created_at: string | null }> };
      return body.items.map((i): SynvoFileEntry => ({
        isDir: i.is_dir, name: i.name, path: i.path, fileId: i.file_id, size: i.size, status: i.status, createdAt: i.created_at ? utc(i.created_at) : null,
      }));
    },
    async upload(user: string, name: string, text: string): Promise<UploadResult> {
      const form = new FormData();
      form.set('file', new Blob([text], { type: 'text/plain' }), name);
      form.set('sub_user_name', user);
      const res = await fetch(`${baseUrl}/file/upload`, { method: 'POST', headers, body: form });
      if (!res.ok) throw new Error(`upload: ${res.status}`);
      const body = (await res.json()) as { file_id: string; filename: string; path: string; renamed: boolean; timestamp: string };
      return { fileId: body.file_id, filename: body.filename, path: body.path, renamed: body.renamed, timestamp: utc(body.timestamp) };
    },
    ask: unsupported,
    askStream: unsupported,
    searchFiles: unsupported,
    uploadFile: unsupported,
    deleteFile: unsupported,
    close: async () => {},
  };
  return client as unknown as SynvoClient & { upload(user: string, name: string, text: string): Promise<UploadResult> };
}
