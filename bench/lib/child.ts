/**
 * Runs a server of the benchmark in its own Node process, pinned to one CPU with `taskset`, and
 * talks to it over IPC: `ready` (its URL and details), `stats` (memory after a full GC, CPU time),
 * `stop` (a clean exit, so `--cpu-prof` can write its profile).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildReply, ChildRequest, ChildStats } from './protocol.js';

export interface PinnedChildOptions {
  /** An entry: absolute, or relative to bench/. A `.ts` entry runs under tsx; a `.js` one (compiled) on plain Node. */
  entry: string;
  /** CPU list handed to `taskset -c`; absent: not pinned. */
  cpus?: string;
  /** Extra Node flags, e.g. `--cpu-prof`. @default [] */
  nodeFlags?: string[];
  /** Environment added to the parent's. @default {} */
  env?: Record<string, string>;
  /** A command the process runs under, e.g. `['valgrind', '--tool=callgrind']`; not with `cpus`. @default [] */
  wrapper?: string[];
  /** Name used in error messages. */
  name: string;
  /** How long to wait for `ready`. @default 60_000 */
  readyTimeoutMs?: number;
}

export interface PinnedChild<Info> {
  name: string;
  pid: number;
  info: Info;
  stats(): Promise<ChildStats>;
  stop(): Promise<void>;
}

const benchDir = fileURLToPath(new URL('..', import.meta.url));

export async function startPinnedChild<Info extends Record<string, unknown>>(opts: PinnedChildOptions): Promise<PinnedChild<Info>> {
  const entry = isAbsolute(opts.entry) ? opts.entry : `${benchDir}${opts.entry}`;
  // tsx also turns source maps on, which makes every error's stack dearer: compiled entries run without it.
  const loader = entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const nodeArgs = ['--expose-gc', ...(opts.nodeFlags ?? []), ...loader, entry];
  const command = [...(opts.cpus ? ['taskset', '-c', opts.cpus] : []), ...(opts.wrapper ?? []), process.execPath, ...nodeArgs];
  const [cmd, ...args] = command as [string, ...string[]];
  const child: ChildProcess = spawn(cmd, args, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // Every server under test runs as it would be deployed: NODE_ENV=production in its environment
    // (graphql-js and others pick their production paths from it at load time).
    env: { ...process.env, NODE_ENV: 'production', ...opts.env },
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));

  const waiting = new Map<string, (reply: ChildReply) => void>();
  child.on('message', (msg: ChildReply) => {
    const resolve = waiting.get(msg.type);
    if (resolve) {
      waiting.delete(msg.type);
      resolve(msg);
    }
  });
  const expect = <T extends ChildReply['type']>(type: T, timeoutMs: number) =>
    new Promise<Extract<ChildReply, { type: T }>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${opts.name}: no ${type} within ${timeoutMs} ms`)), timeoutMs);
      void exit.then(() => {
        clearTimeout(timer);
        reject(new Error(`${opts.name}: process exited before ${type}`));
      });
      waiting.set(type, (reply) => {
        clearTimeout(timer);
        resolve(reply as Extract<ChildReply, { type: T }>);
      });
    });
  const send = (req: ChildRequest) => child.send(req);

  const ready = await expect('ready', opts.readyTimeoutMs ?? 60_000);
  return {
    name: opts.name,
    pid: child.pid!,
    info: ready.info as Info,
    async stats() {
      const reply = expect('stats', 30_000);
      send({ type: 'stats' });
      return (await reply).stats;
    },
    async stop() {
      if (exited) return;
      send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
    },
  };
}
