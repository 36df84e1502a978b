/**
 * The upstream probe (`npm run probe`): for an operator holding real keys (Synvo's key, one MemSync
 * user's key), calls each upstream endpoint once and reports every answer that differs from
 * emulators/README.md ("The upstreams' behaviour"): its status, its shape (read with the clients' own response schemas),
 * MemSync's envelope, and the scoping rules the gateway's isolation rests on (`sub_user_name` on
 * Synvo's /ai/search; no user parameter on MemSync). Read-only unless `write` is set.
 *
 * Raw HTTP (undici), not the gateway's clients: the probe must see what the upstream really sends,
 * before any retry, normalisation or envelope unwrapping.
 */
import { Agent, FormData, request } from 'undici';
import { readErrorBody } from '../upstream/errors.js';
import type { Call, Judge, ProbeKit } from './checks.js';
import { probeMemSync } from './memsync-checks.js';
import { probeSynvo } from './synvo-checks.js';

export interface ProbeOptions {
  /** Synvo's base URL and the account's key; absent: Synvo is not probed. */
  synvo?: { baseUrl: string; apiKey: string; /** The sub-user read. @default 'default' */ user?: string };
  /** MemSync's base URL (with /v1) and one MemSync user's key; absent: MemSync is not probed. */
  memsync?: { baseUrl: string; apiKey: string };
  /**
   * Also call the endpoints that write: files, a folder and a web page of a fresh Synvo sub-user
   * (deleted after), memories of the probe's own (deleted after). @default false
   */
  write?: boolean;
  /** The page `--write` gives Synvo's `/webpage/add` (Synvo must reach it). @default 'https://example.com/' */
  webpageUrl?: string;
  /** How long an uploaded probe file may take to be processed (Synvo: 30 to 60 s). @default 180000 */
  processingTimeoutMs?: number;
  /** Time per call. @default 30000 */
  callTimeoutMs?: number;
  /** Told about each row as it is found (progress). */
  onRow?: (row: ProbeRow) => void;
}

export type ProbeVerdict = 'ok' | 'differs' | 'unverified';

export interface ProbeRow {
  service: 'synvo' | 'memsync';
  /** `METHOD path` (what was checked). */
  endpoint: string;
  /** The HTTP status, or what happened instead (`no answer`). */
  status: string;
  verdict: ProbeVerdict;
  /** What was seen: the shape as the contract says, or what differed. */
  detail: string;
}

export interface Answer {
  status: number;
  body: unknown;
  /** The body was not JSON: its first characters. */
  text: string | null;
  /** The body as sent (a thumbnail's image bytes). */
  bytes: Buffer;
  contentType: string | null;
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The validation message of a reader (ResponseShapeError names the field), or null when it fits. */
function shapeProblem(read: (body: unknown) => unknown, body: unknown): string | null {
  try {
    read(body);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function isEnvelope(body: unknown): boolean {
  return isRecord(body) && (body['status'] === 'success' || body['status'] === 'error') && ('data' in body || isRecord(body['error']));
}

export async function runProbe(options: ProbeOptions): Promise<ProbeRow[]> {
  const rows: ProbeRow[] = [];
  const dispatcher = new Agent({ keepAliveTimeout: 1_000, connect: { timeout: 10_000 } });
  const callTimeoutMs = options.callTimeoutMs ?? 30_000;
  const add = (row: ProbeRow) => {
    rows.push(row);
    options.onRow?.(row);
  };

  const kit: ProbeKit = { options, call: createCall(dispatcher, callTimeoutMs), judge: createJudge(add), add };
  try {
    if (options.synvo) await probeSynvo(kit, options.synvo);
    if (options.memsync) await probeMemSync(kit, options.memsync);
  } finally {
    await dispatcher.close();
  }
  return rows;
}

/** One raw HTTP call; a failure before any answer is a short string (the failure's code, never the URL or key). */
function createCall(dispatcher: Agent, callTimeoutMs: number): Call {
  return async (base, key, method, path, body) => {
    const headers: Record<string, string> = key ? { 'x-api-key': key, accept: 'application/json' } : {};
    let payload: string | FormData | undefined;
    if (body?.json !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body.json);
    } else if (body?.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      payload = body.form.toString();
    } else if (body?.multipart) {
      payload = body.multipart;
    }
    try {
      const res = await request(`${base}${path}`, {
        method,
        headers,
        body: payload,
        dispatcher,
        headersTimeout: callTimeoutMs,
        bodyTimeout: callTimeoutMs,
      });
      const bytes = Buffer.from(await res.body.arrayBuffer());
      const contentType = typeof res.headers['content-type'] === 'string' ? res.headers['content-type'] : null;
      const text = bytes.toString('utf8');
      try {
        return { status: res.statusCode, body: text.trim() ? (JSON.parse(text) as unknown) : undefined, text: null, bytes, contentType };
      } catch {
        return { status: res.statusCode, body: undefined, text: text.slice(0, 80), bytes, contentType };
      }
    } catch (error) {
      // Never the URL or the key: the code of the failure only.
      const code = (error as { code?: unknown }).code;
      return `no answer (${typeof code === 'string' ? code : error instanceof Error ? error.name : 'error'})`;
    }
  };
}

function createJudge(add: (row: ProbeRow) => void): Judge {
  return (service, endpoint, answer, read, describe, own404, own404Detail) => {
    if (typeof answer === 'string') {
      add({ service, endpoint, status: answer, verdict: 'differs', detail: 'the upstream did not answer' });
      return null;
    }
    const status = String(answer.status);
    if (answer.text !== null) {
      add({ service, endpoint, status, verdict: 'differs', detail: `body is not JSON (${JSON.stringify(answer.text)})` });
      return null;
    }
    const enveloped = service === 'memsync' && isEnvelope(answer.body);
    const body = enveloped && isRecord(answer.body) && 'data' in answer.body ? answer.body['data'] : answer.body;
    const envelopeNote = enveloped ? 'wrapped in the {"data","status","timestamp"} envelope, where the endpoint page shows a bare object (memgate reads both)' : '';
    if (answer.status === 404 && own404) {
      if (own404(answer.body)) {
        add({ service, endpoint, status, verdict: enveloped ? 'differs' : 'ok', detail: [own404Detail ?? 'its own 404 (no data yet)', envelopeNote].filter(Boolean).join('; ') });
        return answer;
      }
      add({ service, endpoint, status, verdict: 'differs', detail: "a 404 without the endpoint's own error body: is the base URL right?" });
      return null;
    }
    if (answer.status < 200 || answer.status >= 300) {
      const info = readErrorBody(answer.body);
      const what = [info.upstreamCode, info.message].filter(Boolean).join(': ');
      add({ service, endpoint, status, verdict: 'differs', detail: `expected 200${own404 ? ' (or its own 404)' : ''}${what ? `, got ${what.slice(0, 120)}` : ''}` });
      return null;
    }
    const problem = shapeProblem(read, body);
    if (problem) {
      add({ service, endpoint, status, verdict: 'differs', detail: `shape: ${problem}${enveloped ? ` (${envelopeNote})` : ''}` });
      return null;
    }
    add({ service, endpoint, status, verdict: enveloped ? 'differs' : 'ok', detail: [describe(body), envelopeNote].filter(Boolean).join('; ') });
    return { ...answer, body };
  };
}

/** The rows as an aligned text table, then one line saying how many differ. */
export function formatProbeTable(rows: readonly ProbeRow[]): string {
  const header = ['service', 'endpoint', 'status', 'result', 'detail'];
  const cells = rows.map((r) => [r.service, r.endpoint, r.status, r.verdict, r.detail]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]!))).join('  ');
  const differ = rows.filter((r) => r.verdict === 'differs').length;
  const unverified = rows.filter((r) => r.verdict === 'unverified').length;
  const summary =
    differ > 0
      ? `${differ} of ${rows.length} checks differ from the documented behaviour (emulators/README.md)`
      : `all ${rows.length} checks match the documented behaviour (emulators/README.md)${unverified ? ` (${unverified} unverified)` : ''}`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line), '', summary].join('\n');
}
