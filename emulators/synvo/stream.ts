import { setTimeout as sleep } from 'node:timers/promises';
import type { EmulatorContext, RouteTools } from '../core/kit.js';
import type { FaultSpec } from '../core/types.js';

export interface AnswerStreamPlan {
  tokens: string[];
  /** The `response` object of the final `done` event. */
  response: Record<string, unknown>;
  firstTokenDelayMs: number;
  tokenDelayMs: number;
  /** Idle time after which a `:` keep-alive comment is sent. */
  keepAliveMs: number;
  /** A cutStream, stall or streamError fault taken for this call. */
  ending?: FaultSpec;
}

/** `"The capital of"` -> `["The", " capital", " of"]`: joined, the tokens are the text exactly. */
export function tokenize(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [];
}

/**
 * The SSE answer of POST /ai/query with `streaming=true`. The stream counts itself open in the
 * counters until it ends or the client goes; a client disconnect stops the generation at once,
 * and the emulator's full reset ends it (closed without `done`).
 */
export function answerStream(c: EmulatorContext, tools: RouteTools, plan: AnswerStreamPlan): Response {
  const encoder = new TextEncoder();
  const gone = new AbortController();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let finished = false;
  let wroteSinceTick = false;
  let silent = false;

  const finish = () => {
    if (finished) return;
    finished = true;
    clearInterval(keepAlive);
    gone.abort();
    tools.counters.streamClosed(end);
  };
  const write = (chunk: string) => {
    if (finished) return;
    wroteSinceTick = true;
    try {
      controller.enqueue(encoder.encode(chunk));
    } catch {
      finish();
    }
  };
  const send = (event: Record<string, unknown>) => write(`data: ${JSON.stringify(event)}\n\n`);
  const end = () => {
    if (finished) return;
    try {
      controller.close();
    } catch {
      // already closed by a cancel
    }
    finish();
  };
  /** Waits, unless the client goes first; false when it went. */
  const wait = async (ms: number) => {
    if (ms <= 0) return !finished;
    try {
      await sleep(ms, undefined, { signal: gone.signal });
      return true;
    } catch {
      return false;
    }
  };

  const keepAlive = setInterval(() => {
    if (!wroteSinceTick && !silent) write(': keep-alive\n\n');
    wroteSinceTick = false;
  }, Math.max(1, plan.keepAliveMs));
  keepAlive.unref();

  const run = async () => {
    const { tokens, ending } = plan;
    const stopAt = ending ? Math.min(ending.afterTokens ?? 0, tokens.length) : Number.POSITIVE_INFINITY;
    if (!(await wait(plan.firstTokenDelayMs))) return;
    for (let i = 0; i <= tokens.length; i++) {
      if (i === stopAt && ending) {
        if (ending.kind === 'stall') {
          silent = true;
          // Nothing more, not even keep-alives, until the client gives up.
          if (!gone.signal.aborted) await new Promise((resolve) => gone.signal.addEventListener('abort', resolve, { once: true }));
          return;
        }
        if (ending.kind === 'streamError') {
          const body = (ending.body && typeof ending.body === 'object' ? ending.body : {}) as Record<string, unknown>;
          send({ type: 'error', error: 'Stream failed', code: 'STREAM_ERROR', ...body });
        }
        end();
        return;
      }
      if (i === tokens.length) break;
      if (i > 0 && !(await wait(plan.tokenDelayMs))) return;
      send({ type: 'token', content: tokens[i] });
    }
    send({ type: 'done', response: plan.response });
    end();
  };

  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      tools.counters.streamOpened(end);
      void run().catch(() => end());
    },
    cancel() {
      finish();
    },
  });
  // A client that goes away closes the node response: stop at once.
  c.env?.outgoing?.once('close', finish);

  return c.body(body, 200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache',
    'X-Accel-Buffering': 'no',
  });
}
