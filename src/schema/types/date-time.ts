/** The `DateTime` scalar: ISO 8601 in UTC, e.g. `2025-11-16T15:29:18.344Z`. */
import { GraphQLError, Kind } from 'graphql';
import { builder } from '../builder.js';

// A date, a time, and an optional zone; zone-less input is read as UTC (like Synvo's times).
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):?(\d{2}))?)?$/i;

const invalid = (value: string) =>
  new GraphQLError(`DateTime "${value}" is not a valid date`, { extensions: { code: 'BAD_USER_INPUT' } });

/**
 * Each part within its range: `Date` would roll 2025-02-30 over to March 2nd, or 25:00 to the next
 * day, and answer for a moment the caller never named.
 */
function partsInRange(parts: RegExpExecArray): boolean {
  const [, y, mo, d, h = '0', mi = '0', s = '0', zh = '0', zm = '0'] = parts;
  const year = Number(y);
  const month = Number(mo);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const day = Number(d);
  return (
    month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth &&
    Number(h) <= 23 && Number(mi) <= 59 && Number(s) <= 59 && Number(zh) <= 23 && Number(zm) <= 59
  );
}

export function parseDateTime(value: unknown): Date {
  const parts = typeof value === 'string' ? ISO_8601.exec(value) : null;
  if (typeof value !== 'string' || !parts) {
    throw new GraphQLError('DateTime must be an ISO 8601 string such as 2025-11-16T15:29:18Z', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  if (!partsInRange(parts)) throw invalid(value);
  const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(value) && value.length > 10;
  const date = new Date(hasZone || value.length === 10 ? value : `${value.replace(' ', 'T')}Z`);
  if (Number.isNaN(date.getTime())) throw invalid(value);
  return date;
}

builder.scalarType('DateTime', {
  description: 'A point in time, as an ISO 8601 string in UTC (e.g. `2025-11-16T15:29:18.344Z`). Input without a zone is read as UTC.',
  serialize: (value) => {
    const date = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime cannot represent an invalid date');
    return date.toISOString();
  },
  parseValue: (value) => parseDateTime(value),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) {
      throw new GraphQLError('DateTime must be a string', { extensions: { code: 'BAD_USER_INPUT' } });
    }
    return parseDateTime(ast.value);
  },
});
