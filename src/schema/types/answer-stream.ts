/**
 * `Subscription.ask` and `AnswerChunk`: Synvo's `/ai/query` token stream as a GraphQL
 * subscription, the same over graphql-ws and SSE.
 *
 * Ending rules: the stream completes after the chunk that carries the whole `Answer`. An upstream
 * failure (an `error` event, a cut stream, a stall past the idle timeout) is sent as one result
 * with a typed error (`extensions.code` and `service`, mapped in src/server/upstream-errors.ts) and
 * the subscription then completes. A client that unsubscribes or disconnects aborts the upstream
 * request at once: the source below is a Repeater, whose `return()` takes effect even while it
 * waits for the next token (an async generator's would wait for that token).
 */
import { Repeater } from 'graphql-yoga';
import { builder } from '../builder.js';
import { resolveTargetUser } from '../access.js';
import { conversationArgs } from './answer.js';
import type { GraphContext } from '../context.js';
import type { AnswerStreamEvent, SynvoAnswer } from '../../upstream/types.js';
import { AnswerType } from './answer.js';

/** One chunk as the resolvers see it. */
export interface AnswerChunkShape {
  token: string;
  answer: SynvoAnswer | null;
}

/** What the source stream yields: a chunk, or the failure that ends the stream. */
type StreamItem = { chunk: AnswerChunkShape } | { failure: unknown };

export const AnswerChunkType = builder.objectRef<AnswerChunkShape>('AnswerChunk').implement({
  description:
    'One piece of an answer as Synvo writes it. Every chunk but the last carries the next token; the last carries ' +
    'token "" and the whole `answer`, whose text equals the tokens joined.',
  fields: (t) => ({
    token: t.exposeString('token', {
      description: 'The next piece of the answer text, to append to what came before; "" on the last chunk.',
    }),
    answer: t.field({
      type: AnswerType,
      nullable: true,
      description: 'The whole answer, on the last chunk only (null on the others).',
      resolve: (chunk) => chunk.answer,
    }),
  }),
});

/**
 * Bridges the domain's answer stream to a Repeater. Ends (and aborts the upstream call through
 * `upstream`) when the consumer returns, when the request's own signal aborts, or when the upstream ends.
 */
function streamAnswer(ctx: GraphContext, answer: AsyncIterable<AnswerStreamEvent>, upstream: AbortController): Repeater<StreamItem> {
  return new Repeater<StreamItem>(async (push, stop) => {
    const abort = () => upstream.abort();
    void stop.then(abort);
    ctx.signal.addEventListener('abort', abort, { once: true });
    try {
      for await (const event of answer) {
        await push(
          event.type === 'token'
            ? { chunk: { token: event.token, answer: null } }
            : { chunk: { token: '', answer: event.answer } },
        );
        if (upstream.signal.aborted) break;
      }
    } catch (failure) {
      // A failure caused by our own abort is the end the consumer asked for, not an error to report.
      if (!upstream.signal.aborted) await push({ failure });
    } finally {
      ctx.signal.removeEventListener('abort', abort);
      abort();
    }
    stop();
  });
}

builder.subscriptionField('ask', (t) =>
  t.field({
    type: AnswerChunkType,
    description:
      "Asks Synvo a question about a user's files and streams the answer as it is written: one chunk per token, " +
      'then a last chunk with token "" and the whole `answer`, then completion. An upstream failure mid-stream ' +
      'arrives as a result with a typed error (UPSTREAM_TIMEOUT, UPSTREAM_UNAVAILABLE, ... with `service`), then ' +
      "completion. A JWT caller streams its own answers; a service key names the user. The stream ends with " +
      'UNAUTHENTICATED when the JWT expires, and with FORBIDDEN (reason USER_FORGOTTEN) when the user is forgotten.',
    args: {
      question: t.arg.string({ required: true, description: 'The question (not empty).' }),
      ...conversationArgs,
      user: t.arg.string({
        description: 'Whose files to answer from. Defaults to the JWT caller; required for service keys.',
      }),
    },
    subscribe: async (_root, args, ctx) => {
      const user = resolveTargetUser(ctx, args.user);
      const upstream = new AbortController();
      // The question (and its files, the user's own) is checked here, before the stream opens: a bad one fails the subscription.
      return streamAnswer(ctx, await ctx.memory.askStream(user, args, upstream.signal), upstream);
    },
    resolve: (item) => {
      if ('failure' in item) throw item.failure;
      return item.chunk;
    },
  }),
);
