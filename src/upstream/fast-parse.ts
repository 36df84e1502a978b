/**
 * The success path of the response schemas, compiled once per schema into plain functions: every
 * upstream answer is checked at the edge, and most are valid, so zod's general machinery (a parse
 * context, a status and an issue list per value) is paid only when an answer does not fit, to name
 * the wrong field. A compiled parser gives exactly zod's output for a valid value and FAIL for any
 * value zod would refuse; a schema using anything it does not know (checks such as `.int()` or
 * `.url()`, refinements, defaults, tuples...) is not compiled and zod parses it as before.
 */
import type { z } from 'zod';

export const FAIL: unique symbol = Symbol('invalid');
export type FastParser = (value: unknown) => unknown;

interface Def {
  typeName?: string;
  checks?: unknown[];
  coerce?: boolean;
  [key: string]: unknown;
}

const compiled = new WeakMap<z.ZodTypeAny, FastParser | null>();

/** `value` as `schema` parses it, or FAIL; null when the schema cannot be compiled. */
export function fastParser(schema: z.ZodTypeAny): FastParser | null {
  let parser = compiled.get(schema);
  if (parser === undefined) {
    parser = compile(schema);
    compiled.set(schema, parser);
  }
  return parser;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const noChecks = (def: Def) => !def.coerce && (def.checks === undefined || def.checks.length === 0);

function compile(schema: z.ZodTypeAny): FastParser | null {
  const def = schema._def as Def;
  switch (def.typeName) {
    case 'ZodString':
      return noChecks(def) ? (v) => (typeof v === 'string' ? v : FAIL) : null;
    case 'ZodNumber':
      return noChecks(def) ? (v) => (typeof v === 'number' && !Number.isNaN(v) ? v : FAIL) : null;
    case 'ZodBoolean':
      return def.coerce ? null : (v) => (typeof v === 'boolean' ? v : FAIL);
    case 'ZodNull':
      return (v) => (v === null ? v : FAIL);
    case 'ZodUndefined':
      return (v) => (v === undefined ? v : FAIL);
    case 'ZodUnknown':
    case 'ZodAny':
      return (v) => v;
    case 'ZodLiteral': {
      const literal = def['value'];
      return (v) => (v === literal ? v : FAIL);
    }
    case 'ZodEnum': {
      const values = def['values'] as readonly string[];
      return (v) => (typeof v === 'string' && values.includes(v) ? v : FAIL);
    }
    case 'ZodOptional':
    case 'ZodNullable': {
      const inner = fastParser(def['innerType'] as z.ZodTypeAny);
      if (!inner) return null;
      const empty = def.typeName === 'ZodOptional' ? undefined : null;
      return (v) => (v === empty ? v : inner(v));
    }
    case 'ZodArray':
      return compileArray(def);
    case 'ZodRecord':
      return compileRecord(def);
    case 'ZodObject':
      return compileObject(def);
    case 'ZodUnion':
      return compileUnion(def);
    case 'ZodEffects':
      return compileTransform(def);
    default:
      return null;
  }
}

function compileArray(def: Def): FastParser | null {
  if (def['minLength'] || def['maxLength'] || def['exactLength']) return null;
  const item = fastParser(def['type'] as z.ZodTypeAny);
  if (!item) return null;
  return (v) => {
    if (!Array.isArray(v)) return FAIL;
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      const parsed = item(v[i]);
      if (parsed === FAIL) return FAIL;
      out[i] = parsed;
    }
    return out;
  };
}

function compileRecord(def: Def): FastParser | null {
  const keyDef = (def['keyType'] as z.ZodTypeAny)._def as Def;
  if (keyDef.typeName !== 'ZodString' || !noChecks(keyDef)) return null;
  const value = fastParser(def['valueType'] as z.ZodTypeAny);
  if (!value) return null;
  return (v) => {
    if (!isPlainObject(v)) return FAIL;
    const out: Record<string, unknown> = {};
    for (const key in v) {
      const parsed = value(v[key]);
      if (parsed === FAIL) return FAIL;
      // zod never sets `__proto__` on what it builds.
      if (key !== '__proto__') out[key] = parsed;
    }
    return out;
  };
}

function compileObject(def: Def): FastParser | null {
  const catchall = (def['catchall'] as z.ZodTypeAny | undefined)?._def as Def | undefined;
  const unknownKeys = def['unknownKeys'] as string;
  if (catchall?.typeName !== 'ZodNever' || (unknownKeys !== 'strip' && unknownKeys !== 'passthrough')) return null;
  const shape = (def['shape'] as () => Record<string, z.ZodTypeAny>)();
  const keys = Object.keys(shape);
  const fields: FastParser[] = [];
  for (const key of keys) {
    const field = fastParser(shape[key]!);
    if (!field) return null;
    fields.push(field);
  }
  const passthrough = unknownKeys === 'passthrough';
  return (v) => {
    if (!isPlainObject(v)) return FAIL;
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const parsed = fields[i]!(v[key]);
      if (parsed === FAIL) return FAIL;
      if (key !== '__proto__' && (parsed !== undefined || key in v)) out[key] = parsed;
    }
    if (passthrough) {
      for (const key in v) {
        if (key !== '__proto__' && v[key] !== undefined && !keys.includes(key)) out[key] = v[key];
      }
    }
    return out;
  };
}

function compileUnion(def: Def): FastParser | null {
  const options: FastParser[] = [];
  for (const option of def['options'] as z.ZodTypeAny[]) {
    const parser = fastParser(option);
    if (!parser) return null;
    options.push(parser);
  }
  // zod takes the first option that accepts the value.
  return (v) => {
    for (const option of options) {
      const parsed = option(v);
      if (parsed !== FAIL) return parsed;
    }
    return FAIL;
  };
}

function compileTransform(def: Def): FastParser | null {
  const effect = def['effect'] as { type: string; transform?: (value: unknown, ctx: unknown) => unknown };
  if (effect.type !== 'transform' || !effect.transform) return null;
  const inner = fastParser(def['schema'] as z.ZodTypeAny);
  if (!inner) return null;
  const transform = effect.transform;
  return (v) => {
    const parsed = inner(v);
    if (parsed === FAIL) return FAIL;
    // A transform that reports an issue makes zod's parse fail whatever it returns.
    let failed = false;
    const out = transform(parsed, { addIssue: () => void (failed = true), path: [] });
    return failed ? FAIL : out;
  };
}
