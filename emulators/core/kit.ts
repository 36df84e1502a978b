import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { serve, type HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono, type Context } from 'hono';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { CallCounter } from './counters.js';
import { FaultStore, faultSchema } from './faults.js';
import type { EmulatorControls, EmulatorOptions, FaultKind, FaultSpec, RunningEmulator } from './types.js';

export type EmulatorEnv = { Bindings: HttpBindings };
export type EmulatorContext = Context<EmulatorEnv>;

/** What a route handler gets besides the request: its own faults and the stream counter. */
export interface RouteTools {
  /** Takes a fault of one of `kinds` armed for this route (handler-applied kinds: shape, slowStream, cutStream, stall). */
  fault(kinds: readonly FaultKind[]): FaultSpec | undefined;
  counters: CallCounter;
}

export interface RouteDefinition {
  /** Route id used by faults and counters. */
  id: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Hono paths; a trailing slash is ignored (strict: false). */
  paths: string[];
  /** The user the call is for, for the counters (`default` when absent). */
  user(c: EmulatorContext): Promise<string | undefined> | string | undefined;
  handler(c: EmulatorContext, tools: RouteTools): Promise<Response> | Response;
  /** The handler-applied fault kinds this route honours (e.g. `shape`); the wrapper's apply to every route. @default [] */
  faultKinds?: readonly FaultKind[];
  /** The `shape` variants this route serves. @default the emulator's `shapeVariants` */
  shapeVariants?: readonly string[];
}

export interface EmulatorKitOptions {
  service: 'synvo' | 'memsync';
  defaultApiKey: string;
  options: EmulatorOptions;
  /** Body of a 401. */
  unauthorizedBody: Record<string, unknown>;
  /** Body of a 429 for this route. */
  rateLimitBody(routeId: string, retryAfter: number): Record<string, unknown>;
  /** Restores the seed data. */
  resetData(): void;
  /** Served at /openapi.json. */
  openapi: Record<string, unknown>;
  /** Whether an API key opens an account here. @default the `apiKeys` option holds it */
  isKnownKey?: (key: string) => boolean;
  /**
   * The rate-limit bucket of a route and its requests a minute per key (MemSync's published limits
   * differ for search). @default one bucket, `rateLimitPerMinute`
   */
  rateLimitFor?: (routeId: string) => { bucket: string; perMinute: number };
  /** `shape` fault variants this emulator serves. @default ['alternate'] */
  shapeVariants?: readonly string[];
  /** Extra control routes under /__emulator/ (only when controls are on). */
  controlRoutes?: (app: Hono<EmulatorEnv>) => void;
}

/** Faults the shared wrapper applies; the others are applied by the route's handler. */
const wrapperFaultKinds: readonly FaultKind[] = ['latency', 'status', 'rateLimit', 'malformed', 'reset', 'truncate'];

/** The API key of a request: `X-API-Key`, or `Authorization: Bearer`. */
export function apiKeyOf(c: EmulatorContext): string | undefined {
  const header = c.req.header('x-api-key');
  if (header) return header;
  const auth = c.req.header('authorization');
  const match = auth ? /^Bearer\s+(.+)$/i.exec(auth) : null;
  return match?.[1];
}

async function sendTruncated(c: EmulatorContext, res: Response): Promise<Response> {
  const body = Buffer.from(await res.arrayBuffer());
  const out = c.env.outgoing;
  const headers: Record<string, string> = Object.fromEntries(res.headers);
  headers['content-length'] = String(body.length);
  out.writeHead(res.status, headers);
  out.write(body.subarray(0, Math.floor(body.length / 2)), () => out.socket?.destroy());
  return RESPONSE_ALREADY_SENT;
}

/**
 * Builds an emulator from its routes: auth, per-key rate limits with their headers, call
 * counters, injected faults, the /__emulator/ control API and /openapi.json.
 */
export function createEmulator(kit: EmulatorKitOptions, routes: RouteDefinition[]) {
  const options = kit.options;
  const now = options.now ?? Date.now;
  const keys = new Set(options.apiKeys ?? [kit.defaultApiKey]);
  const isKnownKey = kit.isKnownKey ?? ((key: string) => keys.has(key));
  const perMinute = options.rateLimitPerMinute ?? 100_000;
  const rateLimitFor = kit.rateLimitFor ?? (() => ({ bucket: 'all', perMinute }));
  const shapeVariants = new Set(kit.shapeVariants ?? ['alternate']);
  const windowMs = 60_000;
  let limiters = new Map<string, RateLimiterMemory>();
  const limiterFor = (bucket: string, points: number) => {
    let limiter = limiters.get(bucket);
    if (!limiter) limiters.set(bucket, (limiter = new RateLimiterMemory({ points, duration: windowMs / 1000 })));
    return limiter;
  };
  const faults = new FaultStore();
  const counters = new CallCounter();
  const routeLatency = options.routeLatencyMs ?? {};
  const routeShapeVariants = new Map(routes.filter((r) => r.shapeVariants).map((r) => [r.id, new Set(r.shapeVariants)]));
  const faultKindsOf = new Map(routes.map((r) => [r.id, new Set<FaultKind>([...wrapperFaultKinds, ...(r.faultKinds ?? [])])]));

  /** A fault for a route this emulator has, of a kind that route honours; else what is wrong. */
  const faultProblem = (spec: FaultSpec): string | undefined => {
    if (spec.kind === 'shape' && spec.variant !== undefined && !shapeVariants.has(spec.variant)) {
      return `variant: this emulator serves the shape variants ${[...shapeVariants].join(', ')}`;
    }
    if (spec.route === '*') return undefined;
    const kinds = faultKindsOf.get(spec.route);
    if (!kinds) return `route: unknown route '${spec.route}'; expected one of ${[...faultKindsOf.keys()].join(', ')} or *`;
    if (!kinds.has(spec.kind)) return `kind: route '${spec.route}' does not honour '${spec.kind}'; it honours ${[...kinds].join(', ')}`;
    const variants = routeShapeVariants.get(spec.route) ?? shapeVariants;
    if (spec.kind === 'shape' && spec.variant !== undefined && !variants.has(spec.variant)) {
      return `kind: route '${spec.route}' does not honour 'shape' with variant '${spec.variant}'; it serves ${[...variants].join(', ')}`;
    }
    return undefined;
  };

  const controls: EmulatorControls = {
    addFault: (fault) => {
      const spec = faultSchema.parse(fault) as FaultSpec;
      const problem = faultProblem(spec);
      if (problem) throw new Error(`Invalid fault: ${problem}`);
      faults.add(spec);
    },
    clearFaults: () => faults.clear(),
    calls: () => counters.snapshot(),
    resetCalls: () => counters.reset(),
    reset: () => {
      faults.clear();
      counters.reset();
      counters.endStreams();
      limiters = new Map();
      kit.resetData();
    },
  };

  const app = new Hono<EmulatorEnv>({ strict: false });

  /** X-RateLimit-* on every answer of a route; Reset in epoch seconds on the emulator's clock. */
  const setRateHeaders = (c: EmulatorContext, limit: number, remaining: number, msBeforeNext: number) => {
    c.header('X-RateLimit-Limit', String(limit));
    c.header('X-RateLimit-Remaining', String(Math.max(0, remaining)));
    c.header('X-RateLimit-Reset', String(Math.ceil((now() + msBeforeNext) / 1000)));
  };

  for (const route of routes) {
    const tools: RouteTools = { fault: (kinds) => faults.take(route.id, kinds), counters };
    const handle = async (c: EmulatorContext): Promise<Response> => {
      let user: string | undefined;
      try {
        user = await route.user(c);
      } catch {
        user = undefined;
      }
      counters.record(route.id, user || 'default');

      const key = apiKeyOf(c);
      const rate = rateLimitFor(route.id);
      if (!key || !isKnownKey(key)) {
        // No account to charge: the headers show a full, untouched window.
        setRateHeaders(c, rate.perMinute, rate.perMinute, windowMs);
        return c.json(kit.unauthorizedBody, 401);
      }

      try {
        const res = await limiterFor(rate.bucket, rate.perMinute).consume(key);
        setRateHeaders(c, rate.perMinute, res.remainingPoints, res.msBeforeNext);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        setRateHeaders(c, rate.perMinute, rejection.remainingPoints, rejection.msBeforeNext);
        const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        c.header('Retry-After', String(retryAfter));
        return c.json(kit.rateLimitBody(route.id, retryAfter), 429);
      }

      const fixed = routeLatency[route.id];
      if (fixed) await sleep(fixed);

      const fault = faults.take(route.id, wrapperFaultKinds);
      switch (fault?.kind) {
        case 'latency':
          await sleep((fault.ms ?? 0) + Math.random() * (fault.jitterMs ?? 0));
          break;
        case 'status':
          return c.json((fault.body ?? { error: 'Injected failure', code: 'INJECTED' }) as Record<string, unknown>, (fault.status ?? 500) as 500);
        case 'rateLimit': {
          const retryAfter = fault.retryAfter ?? 1;
          c.header('Retry-After', String(retryAfter));
          return c.json(kit.rateLimitBody(route.id, retryAfter), 429);
        }
        case 'malformed':
          return c.body('{"this is not": json', 200, { 'content-type': 'application/json' });
        case 'reset':
          c.env.incoming.socket.destroy();
          return RESPONSE_ALREADY_SENT;
        case 'truncate':
          return sendTruncated(c, await route.handler(c, tools));
        default:
          break;
      }
      return route.handler(c, tools);
    };
    for (const path of route.paths) app.on(route.method, path, handle);
  }

  app.get('/openapi.json', (c) => c.json(kit.openapi));

  if (options.controls !== false) {
    // The URL `npm start` prints: what the control API offers, so following it lands somewhere useful.
    const describeControls = (c: Context) =>
      c.json({
        emulator: kit.service,
        routes: Object.fromEntries(routes.map((r) => [r.id, `${r.method} ${r.paths.join(' | ')}`])),
        controls: {
          'POST /__emulator/faults': 'arm a fault: {route, kind, ...options, times?, skip?}',
          'DELETE /__emulator/faults': 'clear every fault',
          'GET /__emulator/calls': 'calls per route and per user, and open answer streams',
          'DELETE /__emulator/calls': 'reset the call counters',
          'POST /__emulator/reset': 'back to the seed data, no faults, counters at zero',
        },
        docs: 'emulators/README.md in the memgate repository',
      });
    app.get('/__emulator', describeControls);
    app.get('/__emulator/', describeControls);
    app.post('/__emulator/faults', async (c) => {
      const parsed = faultSchema.safeParse(await c.req.json().catch(() => undefined));
      if (!parsed.success) {
        return c.json({ error: 'Invalid fault', detail: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') }, 400);
      }
      const problem = faultProblem(parsed.data as FaultSpec);
      if (problem) return c.json({ error: 'Invalid fault', detail: problem }, 400);
      faults.add(parsed.data as FaultSpec);
      return c.json({ ok: true });
    });
    app.delete('/__emulator/faults', (c) => {
      faults.clear();
      return c.json({ ok: true });
    });
    app.get('/__emulator/calls', (c) => c.json(counters.snapshot()));
    app.delete('/__emulator/calls', (c) => {
      counters.reset();
      return c.json({ ok: true });
    });
    app.post('/__emulator/reset', (c) => {
      controls.reset();
      return c.json({ ok: true });
    });
    kit.controlRoutes?.(app);
  }

  app.notFound((c) => c.json({ error: 'Not found', detail: `${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => c.json({ error: 'Internal server error', detail: err.message }, 500));

  return { app, controls, counters };
}

/** Starts a Hono app on node:http and resolves once it listens. */
export async function listen(app: Hono<EmulatorEnv>, controls: EmulatorControls, options: EmulatorOptions): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: host }, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    apiUrl: `http://${host}:${port}`,
    port,
    controls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}
