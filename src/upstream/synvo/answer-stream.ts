/**
 * Decodes Synvo's answer stream (`POST /ai/query` with `streaming=true`): SSE whose `data:` lines
 * each hold one JSON object, `{"type":"token","content":"The"}` ... `{"type":"done","response":{...}}`,
 * or `{"type":"error","error":"...","code":"..."}`. A pure decoder fed byte chunks split anywhere
 * (inside a UTF-8 character, a line, a CRLF); the SSE framing itself is eventsource-parser's.
 * Keep-alive comments (`:` lines) produce no frame.
 */
import { createParser, type EventSourceParser } from 'eventsource-parser';
import { ResponseShapeError } from '../errors.js';

export type AnswerFrame =
  | { type: 'token'; token: string }
  /** The whole `done` object (its `response` is validated by the client). */
  | { type: 'done'; data: Record<string, unknown> }
  | { type: 'error'; message: string; code?: string };

/** One SSE event can hold at most this much text before the stream is refused (1 MiB). */
const MAX_EVENT_CHARS = 1 << 20;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Turns one SSE event into a frame; unknown event types are skipped (the protocol may grow). */
export function decodeAnswerEvent(eventName: string | undefined, data: string, index: number): AnswerFrame | undefined {
  let json: unknown;
  try {
    json = JSON.parse(data) as unknown;
  } catch {
    if (eventName === 'error') return { type: 'error', message: data || 'stream error' };
    throw new ResponseShapeError(`stream event ${index}: data is not valid JSON`);
  }
  if (!isRecord(json)) throw new ResponseShapeError(`stream event ${index}: expected object, received ${Array.isArray(json) ? 'array' : typeof json}`);
  const type = typeof json.type === 'string' ? json.type : eventName;
  switch (type) {
    case 'token': {
      const content = json.content ?? json.token;
      if (typeof content !== 'string') throw new ResponseShapeError(`stream event ${index}.content: expected string, received ${content === undefined ? 'nothing' : typeof content}`);
      return { type: 'token', token: content };
    }
    case 'done':
      return { type: 'done', data: json };
    case 'error': {
      const error = json.error;
      const inner = isRecord(error) ? error : undefined;
      const message = (inner ? inner.message : error) ?? json.message;
      const code = (inner ? inner.code : undefined) ?? json.code;
      return {
        type: 'error',
        message: typeof message === 'string' && message ? message : 'stream error',
        ...(typeof code === 'string' && code ? { code } : {}),
      };
    }
    default:
      return undefined;
  }
}

export class AnswerStreamDecoder {
  private readonly text = new TextDecoder('utf-8');
  private readonly parser: EventSourceParser;
  private pending: AnswerFrame[] = [];
  private failure: Error | undefined;
  private events = 0;

  constructor() {
    this.parser = createParser({
      maxBufferSize: MAX_EVENT_CHARS,
      onEvent: (event) => {
        if (this.failure) return;
        try {
          const frame = decodeAnswerEvent(event.event, event.data, this.events++);
          if (frame) this.pending.push(frame);
        } catch (error) {
          this.failure = error as Error;
        }
      },
      onError: (error) => {
        if (error.type === 'max-buffer-size-exceeded') this.failure ??= new ResponseShapeError(`stream: an event over ${MAX_EVENT_CHARS} characters`);
        // Unknown fields and bad `retry:` values are ignored, as EventSource does.
      },
    });
  }

  /** Feeds one chunk; returns the frames it completed (possibly none). Throws on a bad event. */
  push(chunk: Uint8Array | string): AnswerFrame[] {
    this.parser.feed(typeof chunk === 'string' ? chunk : this.text.decode(chunk, { stream: true }));
    return this.take();
  }

  /**
   * The body ended. As in EventSource, an event not closed by its blank line is discarded:
   * a stream cut in the middle of an event must not yield half of it.
   */
  end(): AnswerFrame[] {
    const rest = this.text.decode();
    if (rest) this.parser.feed(rest);
    return this.take();
  }

  private take(): AnswerFrame[] {
    if (this.failure) throw this.failure;
    const frames = this.pending;
    this.pending = [];
    return frames;
  }
}
