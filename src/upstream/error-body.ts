/** Reading the upstreams' error bodies and `Retry-After`, and keeping secrets out of what is kept. */
import { UpstreamCause } from './failures.js';

/** Replaces every secret and every URL's credentials in a string. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, '$1[redacted]@');
}

/** How deep an error body's details are kept; deeper values are dropped, never passed on unread. */
const MAX_DETAIL_DEPTH = 4;

export function redactValue(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return redact(value, secrets);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DETAIL_DEPTH) return '[truncated]';
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  // Keys are upstream text too: an echoed key can be a property name.
  for (const [k, v] of Object.entries(value)) out[redact(k, secrets)] = redactValue(v, secrets, depth + 1);
  return out;
}

export function sanitizeCause(error: unknown, secrets: readonly string[]): UpstreamCause | undefined {
  if (error === undefined || error === null) return undefined;
  if (!(error instanceof Error)) return new UpstreamCause('Error', redact(String(error), secrets));
  const raw = error as Error & { code?: unknown; errors?: unknown };
  let code = typeof raw.code === 'string' ? raw.code : undefined;
  let message = raw.message;
  // Happy-eyeballs connection failures arrive as an AggregateError with an empty message.
  if (!message && Array.isArray(raw.errors) && raw.errors[0] instanceof Error) {
    const first = raw.errors[0] as Error & { code?: unknown };
    message = first.message;
    code ??= typeof first.code === 'string' ? first.code : undefined;
  }
  const name = raw.name || 'Error';
  const frames = (raw.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  const safeMessage = redact(message, secrets);
  const stack = redact([`${name}: ${safeMessage}`, ...frames].join('\n'), secrets);
  return new UpstreamCause(name, safeMessage, code, stack);
}

export interface ErrorBodyInfo {
  message?: string;
  upstreamCode?: string;
  retryAfter?: number;
  details?: Record<string, unknown>;
}

const camel = (key: string) => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function camelKeys(value: Record<string, unknown>, omit: readonly string[]): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!omit.includes(k)) out[camel(k)] = v;
  return Object.keys(out).length ? out : undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);

function describeDetail(detail: unknown): string | undefined {
  if (typeof detail === 'string') return detail || undefined;
  // FastAPI validation: [{"loc":["query","limit"],"msg":"...","type":"..."}]
  if (Array.isArray(detail)) {
    const parts = detail.filter(isRecord).map((d) => [Array.isArray(d.loc) ? d.loc.join('.') : undefined, str(d.msg)].filter(Boolean).join(': '));
    return parts.filter(Boolean).join('; ') || undefined;
  }
  return undefined;
}

/**
 * Reads any of the contract's error-body shapes: `{"error","code",...extras}`, `{"error","detail"}`,
 * `{"detail","status_code","retry_after"}`, `{"error":{"code","message","details"},"status":"error"}`,
 * plus `{"message","code"}`; anything else yields an empty result.
 */
export function readErrorBody(body: unknown): ErrorBodyInfo {
  if (!isRecord(body)) return {};
  const info: ErrorBodyInfo = {};
  if (isRecord(body.error)) {
    const inner = body.error;
    info.message = str(inner.message) ?? describeDetail(inner.detail);
    info.upstreamCode = str(inner.code) ?? str(body.code);
    info.retryAfter = num(inner.retry_after) ?? num(body.retry_after);
    const details = isRecord(inner.details) ? camelKeys(inner.details, []) : camelKeys(inner, ['code', 'message']);
    if (details) info.details = details;
    return info;
  }
  info.message = str(body.error) ?? describeDetail(body.detail) ?? str(body.message);
  info.upstreamCode = str(body.code) ?? str(body.error_code);
  info.retryAfter = num(body.retry_after);
  const details = camelKeys(body, ['error', 'code', 'error_code', 'message', 'status', 'status_code', 'retry_after', 'success']);
  if (details) info.details = details;
  return info;
}

/** `Retry-After` in seconds (delta-seconds or an HTTP date), rounded up; undefined when absent or bad. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(raw)) return Math.max(0, Math.ceil(Number(raw)));
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

