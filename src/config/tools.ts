/**
 * The environment of the operator's tools (`npm run keyring -- rotate`, `npm run probe`): read here,
 * in the config module, like every other variable. Messages name the variable, never its value.
 */
import { ConfigError } from '../config.js';
import { parseUrl } from './env-schema.js';

const stripSlash = (url: string) => url.replace(/\/+$/, '');

/**
 * MEMGATE_KEYRING_NEW_SECRET, read by `npm run keyring -- rotate` only (the secret the keyring is
 * re-encrypted with).
 * @throws ConfigError naming the variable when it is missing or too short (never echoing it).
 */
export function loadKeyringNewSecret(env: Record<string, string | undefined> = process.env): string {
  const value = env['MEMGATE_KEYRING_NEW_SECRET']?.trim();
  if (!value) throw new ConfigError(['MEMGATE_KEYRING_NEW_SECRET: required by rotate (the new secret; MEMGATE_KEYRING_SECRET is the current one)']);
  if (value.length < 16) throw new ConfigError(['MEMGATE_KEYRING_NEW_SECRET: must be at least 16 characters']);
  if (value === env['MEMGATE_KEYRING_SECRET']?.trim()) throw new ConfigError(['MEMGATE_KEYRING_NEW_SECRET: is the same as MEMGATE_KEYRING_SECRET']);
  return value;
}

/** What `npm run probe` needs: each upstream's base URL and a key; an upstream left out is not probed. */
export interface ProbeConfig {
  synvo: { baseUrl: string; apiKey: string } | null;
  /** MEMSYNC_BASE_URL (with its /v1) and MEMSYNC_PROBE_API_KEY: one MemSync user's own key. */
  memsync: { baseUrl: string; apiKey: string } | null;
}

/**
 * Reads the probe's variables: SYNVO_BASE_URL + SYNVO_API_KEY, MEMSYNC_BASE_URL + MEMSYNC_PROBE_API_KEY.
 * @throws ConfigError naming every bad or missing variable (never echoing a value).
 */
export function loadProbeConfig(env: Record<string, string | undefined> = process.env): ProbeConfig {
  const problems: string[] = [];
  const read = (urlName: string, keyName: string) => {
    const url = env[urlName]?.trim();
    const key = env[keyName]?.trim();
    if (!url) {
      if (key) problems.push(`${urlName}: required with ${keyName}`);
      return null;
    }
    const parsed = parseUrl(url);
    if (!parsed || !/^https?:$/.test(parsed.protocol)) problems.push(`${urlName}: must be an http or https URL`);
    else if (parsed.username || parsed.password) problems.push(`${urlName}: must not carry credentials`);
    if (!key) problems.push(`${keyName}: required with ${urlName}`);
    return { baseUrl: stripSlash(url), apiKey: key ?? '' };
  };
  const synvo = read('SYNVO_BASE_URL', 'SYNVO_API_KEY');
  const memsync = read('MEMSYNC_BASE_URL', 'MEMSYNC_PROBE_API_KEY');
  if (!synvo && !memsync && problems.length === 0) {
    problems.push('SYNVO_BASE_URL/SYNVO_API_KEY or MEMSYNC_BASE_URL/MEMSYNC_PROBE_API_KEY: set at least one upstream to probe');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { synvo, memsync };
}

