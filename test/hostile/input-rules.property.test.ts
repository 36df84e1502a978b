/**
 * The input rules as properties (fast-check): user names, dates, file ids and folder paths. Each
 * rule accepts exactly what it documents and refuses everything else with `BAD_USER_INPUT`, never
 * with another kind of exception. One property also runs through a real gateway: any string as a
 * user name is answered (the user, or BAD_USER_INPUT), never a 5xx, and reaches no upstream unless
 * valid.
 */
import fc from 'fast-check';
import { GraphQLError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDateTime } from '../../src/schema/types/date-time.js';
import { fileId, folder, hasControlCharacters, isInputError, isValidUserName } from '../../src/memory/input-rules.js';
import { asService, expectHandled, startHostileGateway, type HostileGateway } from './support.js';

const NAME_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._@-';
const validName = fc.string({ unit: fc.constantFrom(...NAME_CHARS), minLength: 1, maxLength: 128 });
/** Any string, with the characters attackers reach for well represented. */
const anyString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.string({ unit: fc.constantFrom('\u0000', '\r', '\n', '\t', '\u007f', '/', '.', '%', '\\', ' ', 'a', '\u202e', '\u2028'), maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
);

/** The code a rule refuses with (null when it accepts); the date scalar throws GraphQL errors, the rules InputErrors. */
function refusal(run: () => unknown): string | null {
  try {
    run();
    return null;
  } catch (error) {
    if (isInputError(error)) return error.code;
    expect(error).toBeInstanceOf(GraphQLError);
    return String((error as GraphQLError).extensions['code']);
  }
}

describe('user names', () => {
  it('accepts every name of 1 to 128 characters of A-Z a-z 0-9 . _ @ -', () => {
    fc.assert(fc.property(validName, (name) => isValidUserName(name)));
  });

  it('refuses every name with any other character, and every name over 128 characters', () => {
    fc.assert(
      fc.property(anyString, (name) => {
        const documented = name.length >= 1 && name.length <= 128 && [...name].every((c) => NAME_CHARS.includes(c));
        expect(isValidUserName(name)).toBe(documented);
      }),
    );
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...NAME_CHARS), minLength: 129, maxLength: 400 }), (name) => !isValidUserName(name)));
  });
});

describe('dates', () => {
  const instant = fc.date({ min: new Date(Date.UTC(1, 0, 1)), max: new Date(Date.UTC(9999, 11, 31, 23, 59, 59)), noInvalidDate: true });

  it('reads back every instant it writes', () => {
    fc.assert(fc.property(instant, (date) => parseDateTime(date.toISOString()).getTime() === date.getTime()));
  });

  it('reads a date with a zone offset as the same instant', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: -12, max: 14 }), (date, hours) => {
        fc.pre(date.getUTCFullYear() > 1 && date.getUTCFullYear() < 9999);
        const shifted = new Date(date.getTime() + hours * 3_600_000);
        const iso = shifted.toISOString().replace('Z', '');
        const zone = `${hours >= 0 ? '+' : '-'}${String(Math.abs(hours)).padStart(2, '0')}:00`;
        return parseDateTime(`${iso}${zone}`).getTime() === date.getTime();
      }),
    );
  });

  it('refuses any other string, and days, hours or minutes out of range, with BAD_USER_INPUT only', () => {
    fc.assert(
      fc.property(anyString, (text) => {
        const code = refusal(() => parseDateTime(text));
        if (!/^\d{4}-\d{2}-\d{2}/.test(text)) expect(code).toBe('BAD_USER_INPUT');
        else expect([null, 'BAD_USER_INPUT']).toContain(code);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 2000, max: 2100 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 29, max: 40 }), (y, m, d) => {
        const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
        const text = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}T00:00:00Z`;
        expect(refusal(() => parseDateTime(text))).toBe(d > daysInMonth ? 'BAD_USER_INPUT' : null);
      }),
    );
  });
});

describe('file ids', () => {
  const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~:-';

  it('accepts exactly 1 to 256 URL-safe characters after trimming, not only dots', () => {
    fc.assert(
      fc.property(fc.oneof(anyString, fc.string({ unit: fc.constantFrom(...ID_CHARS, ' '), maxLength: 300 })), (id) => {
        const trimmed = id.trim();
        const documented =
          trimmed.length >= 1 && trimmed.length <= 256 && [...trimmed].every((c) => ID_CHARS.includes(c)) && !/^\.+$/.test(trimmed);
        expect(refusal(() => fileId('id', id))).toBe(documented ? null : 'BAD_USER_INPUT');
        if (documented) expect(fileId('id', id)).toBe(trimmed);
      }),
    );
  });
});

describe('folder paths', () => {
  const segment = fc.string({ unit: fc.constantFrom(...'abcXYZ019 _-.'), minLength: 1, maxLength: 12 }).filter((s) => s !== '..');
  const folderArb = fc.array(segment, { maxLength: 8 }).map((parts) => `/${parts.join('/')}`);

  it('accepts every absolute folder without ".." or control characters', () => {
    fc.assert(fc.property(folderArb, (path) => folder('path', path) === path));
  });

  it('refuses a relative path, a ".." segment, a control character or more than 1024 characters', () => {
    fc.assert(
      fc.property(anyString, (path) => {
        const documented = path.startsWith('/') && path.length <= 1024 && !hasControlCharacters(path) && !path.split('/').includes('..');
        expect(refusal(() => folder('path', path))).toBe(documented ? null : 'BAD_USER_INPUT');
      }),
    );
    fc.assert(fc.property(folderArb, fc.integer({ min: 0, max: 8 }), (path, at) => {
      const parts = path.split('/');
      parts.splice(Math.min(at, parts.length), 0, '..');
      return refusal(() => folder('path', parts.join('/'))) === 'BAD_USER_INPUT';
    }));
  });
});

describe('through the gateway', () => {
  let gw: HostileGateway;
  beforeAll(async () => {
    gw = await startHostileGateway();
  });
  afterAll(async () => {
    await gw?.stop();
  });

  it('answers any string as a user name with the user or BAD_USER_INPUT, calling no upstream for a refused one', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(validName, anyString), async (name) => {
        gw.synvo.controls.resetCalls();
        const answer = await gw.send({
          headers: { ...asService, 'content-type': 'application/json' },
          body: JSON.stringify({ query: 'query Q($n: String!) { user(name: $n) { name events(limit: 1) { content } } }', variables: { n: name } }),
        });
        const codes = expectHandled(answer, JSON.stringify(name));
        if (isValidUserName(name)) {
          expect(codes.filter((c) => c === 'BAD_USER_INPUT')).toEqual([]);
        } else {
          expect(codes).toEqual(['BAD_USER_INPUT']);
          expect(gw.synvo.controls.calls().routes['events']?.total ?? 0).toBe(0);
        }
      }),
      { numRuns: 60 },
    );
  });
});
