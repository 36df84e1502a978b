/**
 * Limits on what one request may ask for: body size, query length, tokens, depth, aliases,
 * directives and cost (graphql-armor for the document rules). graphql-armor alone answers a
 * rejection with HTTP 200 and no code; here every rejection is HTTP 400 (413 for a body that is too
 * large) with a GraphQL error carrying a stable `extensions.code` and the limit.
 */
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { GraphQLError, Lexer, Source, TokenKind, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';

export type LimitCode =
  | 'REQUEST_ENTITY_TOO_LARGE'
  | 'QUERY_TOO_LONG'
  | 'TOKEN_LIMIT_EXCEEDED'
  | 'DEPTH_LIMIT_EXCEEDED'
  | 'ALIAS_LIMIT_EXCEEDED'
  | 'DIRECTIVE_LIMIT_EXCEEDED'
  | 'COST_LIMIT_EXCEEDED';

export interface LimitsOptions {
  /** Max bytes of a non-multipart request body (multipart uploads keep yoga's own `maxRequestBodySize`). @default 1048576 */
  maxBodyBytes?: number;
  /** Max characters of the query text. @default 20000 */
  maxQueryLength?: number;
  /** Max lexical tokens of the query text. @default 2000 */
  maxTokens?: number;
  /** Max selection depth (fragments flattened; introspection ignored). @default 10 */
  maxDepth?: number;
  /** Max aliases in one operation. @default 15 */
  maxAliases?: number;
  /** Max directives in one operation. @default 20 */
  maxDirectives?: number;
  /** Max graphql-armor cost (objects 2, scalars 1, times depth factor 1.5). @default 5000 */
  maxCost?: number;
  /** Keep "Did you mean ...?" in validation errors (off in production). @default true */
  fieldSuggestions?: boolean;
}

/** A limit rejection: HTTP 400 (413 for the body) whatever the Accept header, with `code` and `limit`. */
export function limitError(code: LimitCode, message: string, limit: number): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      code,
      limit,
      // spec: false keeps the status even for `Accept: application/json` clients.
      http: { status: code === 'REQUEST_ENTITY_TOO_LARGE' ? 413 : 400, spec: false },
    },
  });
}

/** Counts the query's tokens, stopping as soon as the limit is passed. */
function exceedsTokens(query: string, limit: number): boolean {
  const lexer = new Lexer(new Source(query));
  let count = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) {
      if (++count > limit) return true;
    }
  } catch {
    // A lexing error is the parser's to report, with its position.
  }
  return false;
}

function limitBody(request: Request, limit: number): Request {
  let read = 0;
  const body = request.body!.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        read += chunk.byteLength;
        if (read > limit) {
          controller.error(limitError('REQUEST_ENTITY_TOO_LARGE', `Request body larger than ${limit} bytes`, limit));
          return;
        }
        controller.enqueue(chunk);
      },
    }),
  );
  return new Request(request.url, {
    method: request.method,
    headers: request.headers,
    signal: request.signal,
    body,
    // @ts-expect-error Node's fetch needs duplex for a streamed body; the DOM typings lack it.
    duplex: 'half',
  });
}

/**
 * Throws QUERY_TOO_LONG or TOKEN_LIMIT_EXCEEDED for a query text over the limits. Texts that passed
 * are remembered: clients send the same few operations over and over, and lexing one on every
 * request was about 1 % of the CPU under load. Bounded in count and characters.
 */
function textChecker(maxQueryLength: number, maxTokens: number): (query: string) => void {
  const passed = new LRUCache<string, true>({ max: 1000, maxSize: 4 * maxQueryLength + 1_000_000, sizeCalculation: (_v, text) => text.length || 1 });
  return (query) => {
    if (passed.has(query)) return;
    if (query.length > maxQueryLength) {
      throw limitError('QUERY_TOO_LONG', `Query longer than ${maxQueryLength} characters`, maxQueryLength);
    }
    if (exceedsTokens(query, maxTokens)) {
      throw limitError('TOKEN_LIMIT_EXCEEDED', `Token limit of ${maxTokens} exceeded`, maxTokens);
    }
    passed.set(query, true);
  };
}

export function useLimits(options: LimitsOptions = {}): Plugin {
  const maxBodyBytes = options.maxBodyBytes ?? 1_048_576;
  const maxQueryLength = options.maxQueryLength ?? 20_000;
  const maxTokens = options.maxTokens ?? 2000;

  const reject = (code: LimitCode, limit: number) => (ctx: ValidationContext | null, error: GraphQLError) => {
    const message = error.message.replace(/^Syntax Error: /, '');
    ctx?.reportError(limitError(code, message, limit));
  };
  const rule = (n: number, code: LimitCode) => ({
    n,
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: [reject(code, n)],
  });
  const armor = EnvelopArmorPlugin({
    // Counted in onParams below, before the parser runs: a parse error would lose the 400.
    maxTokens: { enabled: false },
    maxDepth: { ...rule(options.maxDepth ?? 10, 'DEPTH_LIMIT_EXCEEDED'), flattenFragments: true, ignoreIntrospection: true },
    // graphql-armor lets `__typename` aliases through by default: 600 of them cost as much as any.
    maxAliases: { ...rule(options.maxAliases ?? 15, 'ALIAS_LIMIT_EXCEEDED'), allowList: [] },
    maxDirectives: rule(options.maxDirectives ?? 20, 'DIRECTIVE_LIMIT_EXCEEDED'),
    costLimit: {
      maxCost: options.maxCost ?? 5000,
      objectCost: 2,
      scalarCost: 1,
      depthCostFactor: 1.5,
      ignoreIntrospection: true,
      flattenFragments: true,
      exposeLimits: true,
      propagateOnRejection: false,
      onReject: [reject('COST_LIMIT_EXCEEDED', options.maxCost ?? 5000)],
    },
    blockFieldSuggestion: { enabled: !(options.fieldSuggestions ?? true) },
  });

  const checkText = textChecker(maxQueryLength, maxTokens);
  // Texts already checked on their way in over HTTP; graphql-ws operations reach parse directly.
  const checked = new WeakSet<object>();

  return {
    onPluginInit({ addPlugin }) {
      addPlugin(armor as Plugin);
    },
    onRequestParse({ request, requestParser, setRequestParser }) {
      const type = request.headers.get('content-type') ?? '';
      if (type.toLowerCase().startsWith('multipart/')) return;
      const length = request.headers.get('content-length');
      if (length !== null && Number(length) > maxBodyBytes) {
        throw limitError('REQUEST_ENTITY_TOO_LARGE', `Request body larger than ${maxBodyBytes} bytes`, maxBodyBytes);
      }
      // A declared length within the limit bounds the body already (the HTTP parser reads no more
      // than Content-Length bytes): only a body of unknown length is counted as it streams. Wrapping
      // every body cost about 9 % of the CPU under load (bench/, BENCHMARKS.md).
      // The length first: `request.body` of a whatwg-node Request builds a stream for it.
      if (requestParser && (length === null || !/^\d+$/.test(length)) && request.body) {
        const parse = requestParser;
        setRequestParser((req) => parse(limitBody(req, maxBodyBytes)));
      }
    },
    onParams({ params, context }) {
      const query = params.query;
      if (typeof query !== 'string') return;
      checkText(query);
      checked.add(context);
    },
    onParse({ context, params }) {
      if (checked.has(context)) return;
      const source = params.source;
      checkText(typeof source === 'string' ? source : source.body);
    },
  };
}
