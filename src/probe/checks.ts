/**
 * What the probe's checks of each upstream share (`synvo-checks.ts`, `synvo-write-checks.ts`,
 * `memsync-checks.ts`): the raw call, the judge of an answer against the contract
 * (emulators/README.md, "The upstreams' behaviour"), and the rows. `runProbe` (./probe.ts) makes them.
 */
import { randomUUID } from 'node:crypto';
import type { FormData } from 'undici';
import { readErrorBody } from '../upstream/errors.js';
import type { Answer, ProbeOptions, ProbeRow } from './probe.js';

export type Call = (
  base: string,
  /** The API key sent as X-API-Key; '' sends none (a signed download URL). */
  key: string,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  body?: { json?: unknown; form?: URLSearchParams; multipart?: FormData },
) => Promise<Answer | string>;

/**
 * One row for an answer: `ok` when the status is 200 and the body fits `read` (after MemSync's
 * envelope, which is itself reported); `own404` recognises the endpoint's own 404. Returns the
 * answer (its body unwrapped) when it was ok.
 */
export type Judge = (
  service: ProbeRow['service'],
  endpoint: string,
  answer: Answer | string,
  read: (body: unknown) => unknown,
  describe: (body: unknown) => string,
  own404?: (body: unknown) => boolean,
  own404Detail?: string,
) => Answer | null;

/** What every check is given. */
export interface ProbeKit {
  options: ProbeOptions;
  call: Call;
  judge: Judge;
  add(row: ProbeRow): void;
}

export const qs = (params: Record<string, string>) => `?${new URLSearchParams(params)}`;
/** A name no real user has: a fresh Synvo sub-user, a MemSync thread. */
export const probeName = () => `memgate-probe-${randomUUID().slice(0, 8)}`;
/** A word no file or memory holds but the probe's own. */
export const probeToken = () => `memgateprobe${randomUUID().replace(/-/g, '').slice(0, 12)}`;
export const statusOf = (answer: Answer | string) => (typeof answer === 'string' ? answer : String(answer.status));
export const upstreamCodeOf = (body: unknown) => readErrorBody(body).upstreamCode;

/**
 * One row for an answer that must be a refusal: `status`, and `fits` (when given) true of its
 * body; `okDetail` says what was confirmed, `expected` what was not.
 */
export function expectRefusal(
  kit: ProbeKit,
  service: ProbeRow['service'],
  endpoint: string,
  answer: Answer | string,
  expected: { status: number; fits?: (body: unknown) => boolean; okDetail: string; otherwise: string },
): void {
  if (typeof answer === 'string') {
    kit.add({ service, endpoint, status: answer, verdict: 'differs', detail: 'the upstream did not answer' });
    return;
  }
  const ok = answer.status === expected.status && (expected.fits?.(answer.body) ?? true);
  kit.add({ service, endpoint, status: String(answer.status), verdict: ok ? 'ok' : 'differs', detail: ok ? expected.okDetail : expected.otherwise });
}

/** The same check as the wrong-key one of each upstream: 401. */
export function expectWrongKeyRefused(kit: ProbeKit, service: ProbeRow['service'], answer: Answer | string): void {
  expectRefusal(kit, service, 'auth (wrong key)', answer, { status: 401, okDetail: 'a wrong API key is refused with 401', otherwise: 'expected 401 for a wrong API key' });
}

/** A row saying a check could not be made, and why. */
export function unverified(kit: ProbeKit, service: ProbeRow['service'], endpoint: string, detail: string): void {
  kit.add({ service, endpoint, status: '-', verdict: 'unverified', detail });
}
