/** MemSync's profile endpoints: the biography (read, regenerate, edit), the profile, and the key check. */
import type { UpstreamError } from '../errors.js';
import type { UpstreamRequest } from '../transport/index.js';
import type { Bio, BioQuery, BioUpdateInput, CallOptions, MemoryProfile, MemoryProfileQuery, UpdatedBio } from '../types.js';
import { readBio, readProfile, readUpdatedBio, unwrapEnvelope } from './schemas.js';
import type { MemSyncCall } from './scope.js';

const PROFILE_SECTIONS: readonly string[] = ['bio', 'categories', 'insights', 'stats', 'traits'];

function bioRequest(query: BioQuery, signal: AbortSignal | undefined): UpstreamRequest {
  return {
    // A refresh has an endpoint name of its own: its 429 means the regeneration cooldown.
    endpoint: query.refresh ? 'bioRefresh' : 'bio',
    method: 'GET',
    path: '/profile/bio',
    query: {
      format: query.format,
      style: query.style,
      refresh: query.refresh ? 'true' : undefined,
      exclude_categories: query.excludeCategories?.length ? query.excludeCategories.join(',') : undefined,
    },
    // A refresh regenerates (and starts a cooldown): replayed only if it never got there.
    retry: query.refresh ? 'unsent' : 'safe',
    ownNotFound: (body) => body.upstreamCode === 'BIO_NOT_FOUND',
    signal,
  };
}

export async function getBio(call: MemSyncCall, user: string, query: BioQuery = {}, opts?: CallOptions): Promise<Bio> {
  const endpoint = query.refresh ? 'bioRefresh' : 'bio';
  const scope = await call.scopeOf(endpoint, user);
  call.check.formatStyle(endpoint, query.format, query.style);
  // 404 BIO_NOT_FOUND is thrown as NOT_FOUND with details.suggestion and details.currentMemoryCount.
  return call.transport.requestJson(call.withScope(bioRequest(query, opts?.signal), scope), (res) => readBio(unwrapEnvelope(res.body)));
}

export async function updateBio(call: MemSyncCall, user: string, input: BioUpdateInput, opts?: CallOptions): Promise<UpdatedBio> {
  const { check } = call;
  const scope = await call.scopeOf('bioUpdate', user);
  check.formatStyle('bioUpdate', input?.format, input?.style);
  const hasText = input.text !== undefined;
  if (hasText === !!input.regenerate) throw check.reject('bioUpdate', 'give either a text or regenerate');
  if (hasText) check.text('bioUpdate', 'text', input.text as string);
  for (const list of [input.includeCategories, input.excludeCategories]) for (const c of list ?? []) check.category('bioUpdate', c);
  return call.transport.requestJson(
    call.withScope({
      endpoint: 'bioUpdate',
      method: 'PATCH',
      path: '/profile/bio',
      json: {
        bio: input.text,
        regenerate: input.regenerate || undefined,
        format: input.format,
        style: input.style,
        manual_override: input.manualOverride,
        include_categories: input.includeCategories?.length ? input.includeCategories : undefined,
        exclude_categories: input.excludeCategories?.length ? input.excludeCategories : undefined,
      },
      // A write (and a regeneration starts the cooldown): never replayed once sent.
      retry: 'unsent',
      ownNotFound: (body) => body.upstreamCode === 'BIO_NOT_FOUND',
      // BIO_TOO_LONG, INVALID_FORMAT: the caller's input; details keep max_length.
      statusCodes: { 400: 'BAD_USER_INPUT' },
      signal: opts?.signal,
    }, scope),
    (res) => readUpdatedBio(unwrapEnvelope(res.body)),
  );
}

export async function getProfile(call: MemSyncCall, user: string, query: MemoryProfileQuery = {}, opts?: CallOptions): Promise<MemoryProfile | null> {
  const scope = await call.scopeOf('profile', user);
  for (const section of query.include ?? []) {
    if (!PROFILE_SECTIONS.includes(section)) throw call.check.reject('profile', `include must list some of ${PROFILE_SECTIONS.join(', ')}`);
  }
  call.check.category('profile', query.category);
  return call.transport.requestJson(
    call.withScope({
      endpoint: 'profile',
      method: 'GET',
      path: '/profile',
      query: {
        include: query.include?.length ? query.include.join(',') : undefined,
        category: query.category,
        refresh: query.refresh ? 'true' : undefined,
      },
      // A refresh may regenerate: replayed only if it never got there.
      retry: query.refresh ? 'unsent' : 'safe',
      acceptStatuses: [404],
      ownNotFound: (body) => body.upstreamCode === 'PROFILE_NOT_FOUND',
      signal: opts?.signal,
    }, scope),
    (res) => (res.status === 404 ? null : readProfile(unwrapEnvelope(res.body))),
  );
}

/** One cheap read with `apiKey`: false for 401 or a 403 that is not a rate limit; other failures thrown. */
export async function checkApiKey(call: MemSyncCall, apiKey: string, opts?: CallOptions): Promise<boolean> {
  if (typeof apiKey !== 'string' || apiKey === '') return false;
  try {
    await call.transport.requestJson({ ...bioRequest({ format: 'short' }, opts?.signal), endpoint: 'keyCheck', apiKey, acceptStatuses: [404] }, () => undefined);
    return true;
  } catch (error) {
    const e = error as UpstreamError;
    if (e.code === 'UPSTREAM_REJECTED' && (e.status === 401 || e.status === 403)) return false;
    throw error;
  }
}
