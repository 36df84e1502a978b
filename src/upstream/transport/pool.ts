/**
 * The connection pool of one upstream origin (undici `Pool`: keep-alive, bounded sockets,
 * connect/headers/body timeouts) and the one function that sends a request on it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool, type Dispatcher } from 'undici';
import type { ResolvedClientOptions, UpstreamRequest } from './request.js';

export interface UpstreamPool {
  /** The API key and any credentials of the base URL: strings no error may contain. */
  readonly secrets: readonly string[];
  /** Sends one request (never replayed by undici: the retry policy decides). */
  send(req: UpstreamRequest): Promise<Dispatcher.ResponseData>;
  /** Lets calls in flight finish for up to `closeTimeoutMs`, then destroys what is left (a stalled stream). */
  close(): Promise<void>;
}

function splitBaseUrl(baseUrl: string, apiKey: string) {
  const url = new URL(baseUrl);
  const secrets = [apiKey];
  // Credentials in the base URL are secrets too; they are never sent in the origin.
  if (url.username) secrets.push(decodeURIComponent(url.username));
  if (url.password) secrets.push(decodeURIComponent(url.password));
  return { origin: url.origin, basePath: url.pathname.replace(/\/+$/, ''), secrets: secrets.filter(Boolean) };
}

function bodyOf(req: UpstreamRequest, headers: Record<string, string>): Dispatcher.DispatchOptions['body'] {
  if (req.json !== undefined) {
    headers['content-type'] = 'application/json';
    return JSON.stringify(req.json);
  }
  if (req.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    return req.form.toString();
  }
  return req.multipart as unknown as Dispatcher.DispatchOptions['body'];
}

export function createUpstreamPool(baseUrl: string, apiKey: string, options: ResolvedClientOptions): UpstreamPool {
  const { origin, basePath, secrets } = splitBaseUrl(baseUrl, apiKey);
  const pool = new Pool(origin, {
    connections: options.maxConnections,
    keepAliveTimeout: options.keepAliveTimeoutMs,
    connect: { timeout: options.connectTimeoutMs },
    headersTimeout: options.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs,
  });
  const pathOf = (req: UpstreamRequest) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined && v !== null) params.append(k, String(v));
    const qs = params.toString();
    return `${basePath}${req.path}${qs ? `?${qs}` : ''}`;
  };
  return {
    secrets,
    send(req) {
      const headers: Record<string, string> = { accept: req.accept ?? 'application/json' };
      const key = req.apiKey ?? apiKey;
      if (key) headers['x-api-key'] = key;
      const body = bodyOf(req, headers);
      return pool.request({
        method: req.method,
        path: pathOf(req),
        headers,
        body,
        signal: req.signal,
        headersTimeout: req.headersTimeoutMs ?? options.headersTimeoutMs,
        bodyTimeout: req.bodyTimeoutMs ?? options.bodyTimeoutMs,
        idempotent: false,
      });
    },
    async close() {
      if (pool.closed || pool.destroyed) return;
      const timer = new AbortController();
      const graceful = pool.close().then(() => true, () => true);
      const late = sleep(options.closeTimeoutMs, false, { signal: timer.signal }).catch(() => false);
      const closed = await Promise.race([graceful, late]);
      timer.abort();
      if (!closed) await pool.destroy();
    },
  };
}
