/**
 * Expected states, as values rather than errors: a biography MemSync cannot write yet, a profile
 * with no data (`null`), a file the user does not have (`null`). The schema maps each to a type.
 */
import type { Bio, BioFormat, BioStyle } from '../upstream/types.js';
import { isUpstreamError } from '../upstream/errors.js';
import { BIO_FORMATS, BIO_STYLES } from './input-rules.js';

export interface Biography {
  kind: 'biography';
  bio: Bio;
  format: BioFormat;
  style: BioStyle;
}

/** MemSync holds too few memories to write a biography (its 404 BIO_NOT_FOUND). */
export interface BiographyNotReady {
  kind: 'notReady';
  suggestion: string;
  currentMemoryCount: number | null;
}

/** The user has no MemSync account linked (no key in the keyring): there is no biography to ask for. */
export interface MemSyncNotConnected {
  kind: 'notConnected';
}

export type BiographyResult = Biography | BiographyNotReady | MemSyncNotConnected;

const NOT_CONNECTED: MemSyncNotConnected = Object.freeze({ kind: 'notConnected' });

/** The not-connected state from the MemSync client's NOT_CONNECTED, or `undefined` for any other failure. */
export function memsyncNotConnected(error: unknown): MemSyncNotConnected | undefined {
  return isUpstreamError(error) && error.code === 'NOT_CONNECTED' ? NOT_CONNECTED : undefined;
}

const DEFAULT_SUGGESTION = 'Store more memories (at least 5, from at least 2 categories) so that MemSync can write a biography.';

/** The biography as the graph shows it: format and style as asked when MemSync names one the graph does not know. */
export function toBiography(bio: Bio, requested: { format: BioFormat; style: BioStyle }): Biography {
  return {
    kind: 'biography',
    bio,
    format: (BIO_FORMATS as readonly string[]).includes(bio.format) ? (bio.format as BioFormat) : requested.format,
    style: (BIO_STYLES as readonly string[]).includes(bio.style) ? (bio.style as BioStyle) : requested.style,
  };
}

/** The not-ready state from MemSync's NOT_FOUND, or `undefined` for any other failure. */
export function biographyNotReady(error: unknown): BiographyNotReady | undefined {
  if (!isUpstreamError(error) || error.code !== 'NOT_FOUND') return undefined;
  const suggestion = error.details?.['suggestion'];
  const count = error.details?.['currentMemoryCount'];
  return {
    kind: 'notReady',
    suggestion: typeof suggestion === 'string' && suggestion ? suggestion : DEFAULT_SUGGESTION,
    currentMemoryCount: typeof count === 'number' && Number.isInteger(count) ? count : null,
  };
}

/** True for a NOT_FOUND of the upstream: the thing asked for is not there (a file, a user's data). */
export function isNotFound(error: unknown): boolean {
  return isUpstreamError(error) && error.code === 'NOT_FOUND';
}
