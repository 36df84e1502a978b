/** Argument checks shared by the type files; each failure is BAD_USER_INPUT naming the argument. */
import { badUserInput } from './errors.js';

export function intInRange(argument: string, value: number | null | undefined, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) throw badUserInput(argument, `must be an integer from ${min} to ${max}`);
  return v;
}

export function nonEmptyText(argument: string, value: string, maxLength = 10_000): string {
  const v = value.trim();
  if (v.length === 0) throw badUserInput(argument, 'must not be empty');
  if (v.length > maxLength) throw badUserInput(argument, `must be at most ${maxLength} characters`);
  return v;
}

/** `null` for an absent list; an empty list is an error (omit the argument instead). */
export function nonEmptyList<T>(argument: string, value: readonly T[] | null | undefined): readonly T[] | null {
  if (value === null || value === undefined) return null;
  if (value.length === 0) throw badUserInput(argument, 'must not be empty; omit it to mean all');
  return value;
}

export function timeWindow(since: Date | null | undefined, until: Date | null | undefined): void {
  if (since && until && since.getTime() > until.getTime()) throw badUserInput('since', 'must not be after "until"');
}

/** C0 control characters and DEL: never part of a name, an id or a path that goes upstream. */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

export function hasControlCharacters(value: string): boolean {
  return CONTROL_CHARACTERS.test(value);
}

/** Refuses control characters (NUL, CR, LF ...) in a string that becomes an upstream path or form field. */
export function withoutControlCharacters(argument: string, value: string): string {
  if (hasControlCharacters(value)) throw badUserInput(argument, 'must not contain control characters');
  return value;
}

/** A Synvo file id: 1 to 256 characters, no control characters. */
export function fileId(value: string | number, argument = 'id'): string {
  const id = String(value).trim();
  if (!id || id.length > 256 || hasControlCharacters(id)) {
    throw badUserInput(argument, 'must be a file id (1 to 256 characters, no control characters)');
  }
  return id;
}
