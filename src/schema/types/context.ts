/**
 * `User.context` and `UserContext`: one prompt-ready block about a user from both upstreams,
 * ranked against a query, near-duplicates merged, cut to a token budget (src/context/).
 *
 * Partial failure: a source that fails leaves its pieces out; `complete` is false and its entry
 * in `sources` is null with the upstream's typed error (code, service) at that path in `errors`,
 * the way a failing upstream nulls its own field everywhere else in the graph.
 */
import type { ContextRead } from '../../context/gather.js';
import type { ContextSourceRef, RankedCandidate } from '../../context/types.js';
import { TOKENIZER_ENCODING } from '../../context/budget.js';
import { inputRules, type UserContext } from '../../memory/index.js';
import { builder } from '../builder.js';
import { UserType } from './user.js';

const CONTEXT_MAX_TOKENS = inputRules.CONTEXT_MAX_TOKENS;

export const ContextItemKindEnum = builder.enumType('ContextItemKind', {
  description: 'What a piece of context is.',
  values: {
    PROFILE: { value: 'profile', description: 'A Synvo profile attribute.' },
    EVENT: { value: 'event', description: 'A Synvo event.' },
    MEMORY: { value: 'memory', description: 'A MemSync memory.' },
    BIOGRAPHY: { value: 'biography', description: "MemSync's biography of the user." },
    FILE: { value: 'file', description: "One of the user's Synvo files that matches the query." },
  } as const,
});

export const UpstreamServiceEnum = builder.enumType('UpstreamService', {
  description: 'An upstream memory API.',
  values: {
    SYNVO: { value: 'synvo', description: "Synvo: memory built from the user's files." },
    MEMSYNC: { value: 'memsync', description: "MemSync: memory built from the user's conversations." },
  } as const,
});

export const ContextSourceStatusEnum = builder.enumType('ContextSourceStatus', {
  description: 'How a read of a context source went (a failed read is null, with its error).',
  values: {
    OK: { value: 'ok', description: 'Read.' },
    NOT_READY: { value: 'notReady', description: 'Nothing to read yet (MemSync has too few memories for a biography).' },
    NOT_CONNECTED: { value: 'notConnected', description: "The user's MemSync account is not connected." },
  } as const,
});

const ContextSourceRefType = builder.objectRef<ContextSourceRef>('ContextItemSource').implement({
  description: 'Where a piece of context came from.',
  fields: (t) => ({
    kind: t.field({ type: ContextItemKindEnum, description: 'What the piece is.', resolve: (r) => r.kind }),
    service: t.field({ type: UpstreamServiceEnum, description: 'The upstream it came from.', resolve: (r) => r.service }),
    sourceId: t.exposeString('sourceId', {
      description:
        "The upstream's id of the piece: a memory or file id, `bio`, `<category>.<subtopic>` for a profile attribute, " +
        'or an id made from an event (Synvo events have none).',
    }),
  }),
});

const ContextItemType = builder.objectRef<RankedCandidate>('ContextItem').implement({
  description: 'One piece of a context, with its source and score.',
  fields: (t) => ({
    text: t.exposeString('text', { description: 'The piece in words, as the upstream gave it.' }),
    kind: t.field({ type: ContextItemKindEnum, description: 'What the piece is.', resolve: (i) => i.kind }),
    service: t.field({ type: UpstreamServiceEnum, description: 'The upstream it came from.', resolve: (i) => i.service }),
    sourceId: t.exposeString('sourceId', { description: 'Its id at the upstream (see ContextItemSource.sourceId).' }),
    score: t.exposeFloat('score', {
      description: 'Its rank score, 0 to 1: 0.7 relevance + 0.2 recency + 0.1 a prior by kind (README, "Context for agents").',
    }),
    relevance: t.exposeFloat('relevance', {
      description: "Relevance to the query, 0 to 1: the stronger of BM25 over this context's pieces and the upstream's own ranking.",
    }),
    time: t.field({ type: 'DateTime', nullable: true, description: 'The time the fact is about, when it has one.', resolve: (i) => i.time }),
    duplicates: t.field({
      type: [ContextSourceRefType],
      description: 'Near-identical pieces (often from the other upstream) merged into this one.',
      resolve: (i) => i.duplicates,
    }),
  }),
});

const ContextSourceType = builder.objectRef<ContextRead>('ContextSource').implement({
  description: 'One upstream read a context drew on.',
  fields: (t) => ({
    kind: t.field({ type: ContextItemKindEnum, description: 'What the read gives.', resolve: (r) => r.kind }),
    service: t.field({ type: UpstreamServiceEnum, description: 'The upstream read.', resolve: (r) => r.service }),
    status: t.field({ type: ContextSourceStatusEnum, description: 'How the read went.', resolve: (r) => r.status }),
    found: t.exposeInt('found', { description: 'Pieces it gave, before ranking and the budget cut.' }),
  }),
});

const UserContextType = builder.objectRef<UserContext>('UserContext').implement({
  description: 'What is known about a user, from both upstreams, ranked for a query and cut to a token budget.',
  fields: (t) => ({
    text: t.exposeString('text', {
      description: 'The prompt-ready block: one line per item, best first, each "<Kind> (<date>): <text>".',
    }),
    tokens: t.exposeInt('tokens', { description: `Tokens of \`text\` (gpt-tokenizer, ${TOKENIZER_ENCODING}); at most maxTokens.` }),
    maxTokens: t.exposeInt('maxTokens', { description: 'The budget asked for.' }),
    items: t.field({ type: [ContextItemType], description: 'The items in `text`, in the same order.', resolve: (c) => c.items }),
    omitted: t.exposeInt('omitted', { description: 'Ranked items left out because they did not fit the budget.' }),
    complete: t.exposeBoolean('complete', { description: 'False when a source could not be read: the context is partial (see sources).' }),
    sources: t.field({
      type: [ContextSourceType],
      nullable: { list: false, items: true },
      description:
        'The reads, always in this order: PROFILE, EVENT, MEMORY, BIOGRAPHY, FILE. A read that failed is null, with its typed ' +
        'error (code, service, upstreamStatus) at its path in `errors`.',
      // graphql-js reports an Error in a list as that item's error (null, located, then mapped like any upstream error).
      resolve: (c) => c.reads as ContextRead[],
    }),
  }),
});

builder.objectField(UserType, 'context', (t) =>
  t.field({
    type: UserContextType,
    nullable: true,
    description:
      "One prompt-ready block about the user for an AI agent: profile attributes, recent and relevant events, matching memories, the " +
      'biography (when ready) and matching files, read in one round of parallel calls, ranked by relevance to the query and ' +
      'recency, near-duplicates across the upstreams merged, cut to maxTokens. A source that fails leaves a partial context ' +
      '(complete: false) with its error under `sources`.',
    args: {
      query: t.arg.string({ required: true, description: 'What the agent is about to do or answer, in words (not empty; at most 2000 characters).' }),
      maxTokens: t.arg.int({
        defaultValue: CONTEXT_MAX_TOKENS.default,
        description: `The token budget of \`text\`: ${CONTEXT_MAX_TOKENS.min} to ${CONTEXT_MAX_TOKENS.max}.`,
      }),
    },
    resolve: (user, args, ctx) => ctx.memory.context(user.name, args),
  }),
);
