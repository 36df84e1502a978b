/**
 * The hostile suite's gateway and checks. A production gateway (NODE_ENV=production, logs
 * captured) in front of real emulators on port 0, and the rules every hostile request is held to:
 * an answer (no hang: every request has a deadline), never a 5xx, a GraphQL body whose every error
 * has `extensions.code` (a 4xx for a refused request), no secret in any body, header or log line,
 * and the gateway still serving an ordinary request afterwards.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pLimit from 'p-limit';
import { Agent, request, type Dispatcher } from 'undici';
import { expect } from 'vitest';
import {
  JWT_SECRET,
  MEMSYNC_KEY,
  SERVICE_KEY,
  startGateway,
  SYNVO_KEY,
  type Gateway,
  type GatewayOptions,
} from '../e2e/production/harness.js';

export { JWT_SECRET, SERVICE_KEY };
export const asService = { 'x-api-key': SERVICE_KEY } as const;
/** What must never leave the gateway, in any body, header, frame or log line. */
export const SECRETS = [SYNVO_KEY, MEMSYNC_KEY, SERVICE_KEY, JWT_SECRET];
export const ORDINARY = '{ user(name: "default") { name } }';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface HostileGateway extends Gateway {
  /** Sends one raw HTTP request (no hang: headers and body each have a deadline). */
  send(options: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<Answer>;
  /** Runs many requests, a few at a time, with an ordinary request served among them. */
  all<T>(tasks: Array<() => Promise<T>>, concurrency?: number): Promise<T[]>;
  /** Asserts an ordinary request is still answered (the server keeps serving). */
  expectServing(): Promise<void>;
  /** Asserts no secret is in any log line written so far. */
  expectCleanLogs(): void;
}

export async function startHostileGateway(options: GatewayOptions = {}): Promise<HostileGateway> {
  const gw = await startGateway({ ...options, env: { LOG_LEVEL: 'warn', ...options.env } });
  // A hang fails the test instead of stalling it.
  const agent: Dispatcher = new Agent({ headersTimeout: 15_000, bodyTimeout: 15_000, keepAliveTimeout: 500 });
  const send: HostileGateway['send'] = async ({ method = 'POST', path = '/graphql', headers = {}, body }) => {
    const res = await request(`${gw.origin}${path}`, { method: method as Dispatcher.HttpMethod, headers, body, dispatcher: agent });
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
  };
  const serving = async () => {
    const res = await send({ headers: { ...asService, 'content-type': 'application/json' }, body: JSON.stringify({ query: ORDINARY }) });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ data: { user: { name: 'default' } } });
  };
  return {
    ...gw,
    send,
    async all(tasks, concurrency = 8) {
      const limit = pLimit(concurrency);
      // An ordinary caller is served while the hostile ones are being answered, not only after.
      const [results] = await Promise.all([Promise.all(tasks.map((task) => limit(task))), serving()]);
      return results;
    },
    expectServing: serving,
    expectCleanLogs() {
      const logs = gw.logs();
      for (const secret of SECRETS) expect(logs).not.toContain(secret);
    },
    async stop() {
      await agent.close();
      await gw.stop();
    },
  };
}

/** No secret, no stack trace. */
export function expectNoSecrets(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/\bat (?:async )?[\w.<>]+ \(|node:internal|\/src\/[\w/-]+\.ts/);
}

/** The GraphQL errors of a body; every one with a string `extensions.code`. */
export function codedErrors(text: string): Array<{ message: string; extensions: { code: string } }> {
  let body: { errors?: Array<{ message: string; extensions?: { code?: unknown } }> };
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`not a JSON body: ${text.slice(0, 200)}`);
  }
  for (const error of body.errors ?? []) expect(typeof error.extensions?.code, JSON.stringify(error)).toBe('string');
  return (body.errors ?? []) as Array<{ message: string; extensions: { code: string } }>;
}

/**
 * The rule for a hostile HTTP answer: never a 5xx; a GraphQL body; a refusal (4xx) carries at least
 * one coded error; an answered request (200) carries coded errors if any; no secret in body or headers.
 */
export function expectHandled(answer: Answer, what = ''): string[] {
  const context = `${what}: ${answer.status} ${answer.text.slice(0, 300)}`;
  expect(answer.status, context).toBeLessThan(500);
  const errors = codedErrors(answer.text);
  if (answer.status >= 400) expect(errors.length, context).toBeGreaterThan(0);
  expectNoSecrets(answer.text);
  expectNoSecrets(JSON.stringify(answer.headers));
  return errors.map((e) => e.extensions.code);
}

/** Like expectHandled, and the request was refused (a 4xx, or an error for every field asked). */
export function expectRefused(answer: Answer, what = ''): string[] {
  const codes = expectHandled(answer, what);
  expect(codes.length, `${what}: ${answer.text.slice(0, 300)}`).toBeGreaterThan(0);
  return codes;
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
/** Heap used after two full collections. */
export function settledHeap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
export const MB = 1024 * 1024;

/** A small seeded generator, so every run sends the same hostile requests. */
export function seeded(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
  };
}
