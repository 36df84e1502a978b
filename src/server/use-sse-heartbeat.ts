/**
 * Heartbeats on every `text/event-stream` response (yoga's SSE transport, graphql-sse's
 * distinct-connections mode). Yoga flushes a `:` comment as soon as the stream opens and then
 * pings on a fixed 12 s interval that silently drops to 300 ms whenever NODE_ENV is `test`. This
 * plugin makes the keep-alive explicit and configurable: after `intervalMs` without any byte sent,
 * a `:` comment goes out, so proxies and browsers keep a stream open while the upstream is silent
 * (an answer still thinking, a stall before the idle timeout ends it).
 */
import type { Plugin } from 'graphql-yoga';

export interface SSEHeartbeatOptions {
  /** Longest silence on an event stream before a `:` comment is sent. @default 12000 */
  intervalMs?: number;
}

const HEARTBEAT = new TextEncoder().encode(':\n\n');

function withHeartbeat(body: ReadableStream<Uint8Array>, intervalMs: number): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let timer: NodeJS.Timeout | undefined;
  let rearm = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const beat = () => {
        try {
          controller.enqueue(HEARTBEAT);
          timer = setTimeout(beat, intervalMs);
        } catch {
          // The stream is closed or errored: nothing left to keep alive.
        }
      };
      rearm = () => {
        clearTimeout(timer);
        timer = setTimeout(beat, intervalMs);
      };
      rearm();
    },
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          clearTimeout(timer);
          controller.close();
          return;
        }
        controller.enqueue(value);
        rearm();
      } catch (error) {
        clearTimeout(timer);
        controller.error(error);
      }
    },
    cancel(reason) {
      clearTimeout(timer);
      return reader.cancel(reason);
    },
  });
}

/** Sends a heartbeat comment on every SSE response after `intervalMs` of silence. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- yoga's own context constraint
export function useSSEHeartbeat<TContext extends Record<string, any>>(options: SSEHeartbeatOptions = {}): Plugin<TContext> {
  const intervalMs = options.intervalMs ?? 12_000;
  return {
    onResponse({ response, setResponse, fetchAPI }) {
      // The content type first: reading `body` of a whatwg-node Response made from a string builds a stream for it.
      if (!response.headers.get('content-type')?.startsWith('text/event-stream') || !response.body) return;
      const headers = new fetchAPI.Headers(response.headers);
      // Ask reverse proxies (nginx and kin) not to buffer the stream.
      headers.set('x-accel-buffering', 'no');
      setResponse(
        new fetchAPI.Response(withHeartbeat(response.body as ReadableStream<Uint8Array>, intervalMs), {
          status: response.status,
          statusText: response.statusText,
          headers,
        }),
      );
    },
  };
}
