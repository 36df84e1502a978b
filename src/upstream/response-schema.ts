/**
 * Response validation at the edge: zod schemas with errors that name the wrong field
 * (`events[2].mention_time: expected string, received number`), and the date readers shared
 * by both clients.
 */
import { z } from 'zod';
import { ResponseShapeError } from './errors.js';
import { FAIL, fastParser } from './fast-parse.js';

/** `events[2].mention_time` from `root` = "events" and path `[2, "mention_time"]`. */
export function formatPath(root: string, path: readonly (string | number)[]): string {
  let out = root;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out || 'body';
}

/** zod's name for the type of a value: `array`, `null`, `object`, `string`... */
export function typeName(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

/**
 * A union's issue points at the union itself; the useful one is inside the branch that got
 * furthest (the deepest path), e.g. a profile category that has `sub_topics` but a bad value.
 */
function deepestIssue(issue: z.ZodIssue): z.ZodIssue {
  if (issue.code !== z.ZodIssueCode.invalid_union) return issue;
  // Depth first; at equal depth, a wrong value beats a missing one (the branch that was meant).
  const score = (i: z.ZodIssue) => i.path.length * 2 + (i.code === z.ZodIssueCode.invalid_type && i.received === 'undefined' ? 0 : 1);
  let best: z.ZodIssue | undefined;
  for (const branch of issue.unionErrors) {
    for (const candidate of branch.issues) if (!best || score(candidate) > score(best)) best = candidate;
  }
  return best && best.path.length > issue.path.length ? deepestIssue(best) : issue;
}

function describeIssue(issue: z.ZodIssue): string {
  switch (issue.code) {
    case z.ZodIssueCode.invalid_type:
      return issue.received === 'undefined' ? `required ${issue.expected}, missing` : `expected ${issue.expected}, received ${issue.received}`;
    case z.ZodIssueCode.invalid_literal:
      return `expected ${JSON.stringify(issue.expected)}`;
    case z.ZodIssueCode.invalid_enum_value:
      return `expected one of ${issue.options.map((o) => JSON.stringify(o)).join(', ')}, received ${JSON.stringify(issue.received)}`;
    default:
      return issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
  }
}

/**
 * Parses `body` with `schema`, or throws a ResponseShapeError naming the first wrong field.
 * `root` prefixes the path (e.g. "events" for a top-level array of events).
 */
export function parseResponse<S extends z.ZodTypeAny>(schema: S, body: unknown, root = ''): z.output<S> {
  // The compiled success path (fast-parse.ts); zod itself only for what it cannot take, and to say why not.
  const parser = fastParser(schema);
  if (parser) {
    const fast = parser(body);
    if (fast !== FAIL) return fast as z.output<S>;
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  const issue = first && deepestIssue(first);
  if (!issue) throw new ResponseShapeError(`${root || 'body'}: invalid`);
  const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more)` : '';
  throw new ResponseShapeError(`${formatPath(root, issue.path)}: ${describeIssue(issue)}${more}`);
}

/**
 * Reads an ISO 8601 time; one without a zone (Synvo's `2025-11-16T15:29:18.344000`) is UTC.
 * A space instead of `T` and more than 3 fractional digits are accepted.
 */
export function readUtcDate(text: string): Date | null {
  let t = text.trim().replace(/^(\d{4}-\d{2}-\d{2}) (\d)/, '$1T$2');
  if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(t)) t += 'Z';
  const date = new Date(t);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** A required date string, zone-less read as UTC. */
export const utcDate = z.string().transform((text, ctx) => {
  const date = readUtcDate(text);
  if (!date) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected an ISO 8601 time, received ${JSON.stringify(text.slice(0, 40))}` });
    return z.NEVER;
  }
  return date;
});

/** An optional/nullable date string; absent or null gives null. */
export const nullableUtcDate = z.union([utcDate, z.null(), z.undefined()]).transform((d) => d ?? null);
