/**
 * The gateway's structured logger (pino). Two layers keep secrets and personal data out of every
 * line: path redaction for the fields where they would sit (headers, variables, payloads), and a
 * last-chance scrub of the serialised line that replaces every known secret (upstream API keys,
 * service keys, the JWT secret, and each user's MemSync key once the gateway has seen it) and
 * anything shaped like a bearer token, a JWT or an API key header.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { LearnedSecrets } from './learned-secrets.js';

export type { Logger } from 'pino';

export const REDACTED = '[REDACTED]';

/**
 * Paths whose values never reach a log line: credentials, and the places where memory, profile,
 * answer or file content could sit (GraphQL variables, upstream bodies, results).
 */
export const REDACT_PATHS: readonly string[] = [
  'authorization',
  'apiKey',
  'api_key',
  'apiKeys',
  'token',
  'password',
  'secret',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  '*.authorization',
  '*.apiKey',
  '*.api_key',
  '*.apiKeys',
  '*.*.apiKey',
  '*.*.api_key',
  '*.token',
  '*.secret',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  '*.headers["X-API-Key"]',
  'variables',
  '*.variables',
  'body',
  '*.body',
  'data',
  '*.data',
  'payload',
  '*.payload',
  'query',
  '*.query',
  'text',
  '*.text',
  'content',
  '*.content',
  'messages',
  '*.messages',
];

// A JWT (three base64url parts, the first one a JSON header), a bearer credential.
const TOKEN_PATTERNS: readonly RegExp[] = [
  /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g,
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi,
];
/**
 * An API key header or field written out as text (`X-API-Key: …`, `"x-api-key":"…"`, `api_key=…`,
 * `apiKey: '…'`): whoever's key it is (MemSync documents its keys as plain strings, with no
 * prefix to match), the value goes.
 */
const KEY_FIELD_PATTERN = /\b(x-api-key|api[_-]?key)(\\?["']?\s*[:=]\s*\\?["']?)([^\s"'\\,;&}]{8,})/gi;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A function that replaces every occurrence of the given secrets, and every token-shaped string,
 * with `[REDACTED]`. Secrets shorter than 6 characters are ignored (they would match ordinary words).
 */
export function createScrubber(secrets: readonly string[], learned?: LearnedSecrets): (line: string) => string {
  const usable = [...new Set(secrets.filter((s) => typeof s === 'string' && s.length >= 6))];
  // Longest first, so a secret that contains another is replaced whole.
  usable.sort((a, b) => b.length - a.length);
  const secretPattern = usable.length > 0 ? new RegExp(usable.map(escapeRegExp).join('|'), 'g') : null;
  return (line) => {
    let out = secretPattern ? line.replace(secretPattern, REDACTED) : line;
    for (const pattern of TOKEN_PATTERNS) out = out.replace(pattern, (m) => (m.startsWith('eyJ') ? REDACTED : `${m.split(/\s+/)[0]} ${REDACTED}`));
    out = out.replace(KEY_FIELD_PATTERN, (m, name: string, separator: string, value: string) => (value === REDACTED ? m : `${name}${separator}${REDACTED}`));
    return learned ? learned.scrub(out, REDACTED) : out;
  };
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  service?: unknown;
  endpoint?: unknown;
  status?: unknown;
  upstreamCode?: unknown;
  extensions?: { code?: unknown };
  stack?: unknown;
  cause?: unknown;
}

/**
 * Serialises an error to the fields an operator needs (never its `details`, body or variables);
 * the stack only outside production.
 */
export function createErrorSerializer(production: boolean): (err: unknown) => Record<string, unknown> {
  const serialize = (err: unknown, depth: number): Record<string, unknown> => {
    if (err === null || typeof err !== 'object') return { message: String(err) };
    const e = err as ErrorLike;
    const out: Record<string, unknown> = {
      type: typeof e.name === 'string' ? e.name : 'Error',
      message: typeof e.message === 'string' ? e.message.slice(0, 500) : undefined,
    };
    const code = e.code ?? e.extensions?.code;
    if (code !== undefined) out.code = code;
    for (const key of ['service', 'endpoint', 'status', 'upstreamCode'] as const) {
      if (e[key] !== undefined) out[key] = e[key];
    }
    if (!production && typeof e.stack === 'string') out.stack = e.stack;
    if (e.cause !== undefined && depth < 3) out.cause = serialize(e.cause, depth + 1);
    return out;
  };
  return (err) => serialize(err, 0);
}

export interface CreateLoggerOptions {
  /** Minimum level written. @default 'info' */
  level?: LoggerOptions['level'];
  /** Values that must never appear in a line (API keys, service keys, JWT secret). @default [] */
  secrets?: readonly string[];
  /** Secrets learned while running (per-user MemSync keys), scrubbed as well. @default none */
  learned?: LearnedSecrets;
  /** In production no line carries a stack trace. @default false */
  production?: boolean;
  /** Where lines go (tests pass a stream to capture them). @default stdout */
  destination?: DestinationStream;
  /** Fixed fields on every line (`service` is left to upstream fields). @default { name: 'memgate' } */
  base?: Record<string, unknown>;
}

/** What every line written while a request is handled says about it (`useRequestLogging` fills it in). */
export interface RequestLogFields {
  /** The request id (`x-request-id`). */
  reqId: string;
  /** `user:<name>` or `service:<key fingerprint>`, once the request is authenticated. */
  caller?: string | undefined;
  /**
   * Set once the response is made. Work the request started and others share outlives it (a
   * shared poll, a timer): its lines must not claim this request.
   */
  ended?: boolean;
}

/**
 * The request being handled, carried across awaits, so that lines written deep in the call (an
 * upstream failure, an unexpected error) name the request and caller that caused them.
 */
export const requestLogContext = new AsyncLocalStorage<RequestLogFields>();

const requestFields = (): Record<string, unknown> => {
  const fields = requestLogContext.getStore();
  if (!fields || fields.ended) return {};
  return fields.caller === undefined ? { reqId: fields.reqId } : { reqId: fields.reqId, caller: fields.caller };
};

/** Creates the gateway's pino logger with redaction, scrubbing and safe error serialisation. */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const scrub = createScrubber(options.secrets ?? [], options.learned);
  const errSerializer = createErrorSerializer(options.production ?? false);
  const pinoOptions: LoggerOptions = {
    level: options.level ?? 'info',
    base: options.base ?? { name: 'memgate' },
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    serializers: { err: errSerializer, error: errSerializer },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    hooks: { streamWrite: scrub },
    // The line's own fields win over the request's (pino's default merge).
    mixin: requestFields,
  };
  return options.destination ? pino(pinoOptions, options.destination) : pino(pinoOptions);
}

/** The logger interface graphql-yoga expects (its `logging` option), backed by pino. */
export interface YogaLoggerAdapter {
  debug: (...args: unknown[]) => void;
  info: (...args: unknown[]) => void;
  warn: (...args: unknown[]) => void;
  error: (...args: unknown[]) => void;
}

/** An upstream failure (it has its own `upstream call failed` line from the clients' onCall). */
function isUpstreamFailure(error: unknown): boolean {
  const e = error as { service?: unknown; endpoint?: unknown; originalError?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.service === 'string' && typeof e.endpoint === 'string') return true;
  return e.originalError !== undefined && isUpstreamFailure(e.originalError);
}

/**
 * Routes yoga's own log calls through pino. yoga (and the error pipeline) logs the original of
 * every error it masks or maps: an unexpected one is an `error` line; the caller's own mistake
 * (`isCallerError`: a bad argument, a variable that does not fit) only `info`, since the gateway
 * did nothing wrong; an upstream failure, already logged as a warning when the call ended, only
 * `debug`.
 */
export function toYogaLogger(logger: Logger, isCallerError: (error: unknown) => boolean = () => false): YogaLoggerAdapter {
  const forward = (level: 'debug' | 'info' | 'warn' | 'error') => (...args: unknown[]) => {
    const [first, ...rest] = args;
    if (first instanceof Error || (typeof first === 'object' && first !== null && 'message' in first)) {
      const upstream = isUpstreamFailure(first);
      const caller = !upstream && isCallerError(first);
      const message = rest.length ? rest.map(String).join(' ') : upstream ? 'upstream error mapped' : caller ? 'caller error mapped' : 'unexpected error (masked in the response)';
      const lowered = upstream ? 'debug' : caller ? 'info' : level;
      logger[level === 'error' ? lowered : level]({ err: first }, message);
    } else {
      logger[level]([first, ...rest].map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    }
  };
  return { debug: forward('debug'), info: forward('info'), warn: forward('warn'), error: forward('error') };
}
