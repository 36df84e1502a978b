/** An answer to a question (whole, or a stream's `done` event): its text and the files it drew on. */
import { z } from 'zod';
import { nullableUtcDate, parseResponse } from '../../response-schema.js';
import type { AnswerSource, SynvoAnswer } from '../types.js';

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
