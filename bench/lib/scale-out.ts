/**
 * Workload (g): scale-out. memgate on one Redis (REDIS_URL: shared read cache, rate limits, live
 * state), one instance against two instances behind an even split of the connections (what a load
 * balancer does), and one instance without Redis for reference. Every instance is pinned to the
 * gateway CPU, so "req/s per core" (answered requests over the CPU time all instances spent) says
 * what a second instance costs per request: it must not fall.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { PinnedChild } from './child.js';
import { runLoad, type BuiltRequest, type LoadResult } from './load.js';
import { fmt, fmtSummary, summarize, type Summary } from './stats.js';

/** A redis-server of the bench's own (not the test suite's shared one), on a port of its own, no persistence. */
export async function startBenchRedis(cpus: string | undefined): Promise<{ url: string; stop(): Promise<void> }> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child: ChildProcess = cpus ? spawn('taskset', ['-c', cpus, 'redis-server', ...args]) : spawn('redis-server', args);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not start within 10 s')), 10_000);
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

export interface ScaleOutSetup {
  name: string;
  instances: PinnedChild<Record<string, unknown>>[];
  /** Connections of this setup, over all its instances. @default the run's */
  connections?: number;
}

interface Run {
  rps: number;
  cpuMsPerRequest: number;
  p99: number;
  failures: number;
}

/** One run: the connections split evenly over the instances, CPU summed over them. */
async function runSetup(setup: ScaleOutSetup, build: (path: string) => BuiltRequest, connections: number, durationSec: number): Promise<Run> {
  const before = await Promise.all(setup.instances.map((c) => c.stats()));
  const results: LoadResult[] = await Promise.all(
    setup.instances.map((c) => {
      const url = new URL(c.info.url as string);
      return runLoad({ url: url.origin, build: () => build(url.pathname), connections: Math.ceil(connections / setup.instances.length), durationSec });
    }),
  );
  const after = await Promise.all(setup.instances.map((c) => c.stats()));
  const cpuUs = after.reduce((s, a, i) => s + a.cpu.user + a.cpu.system - before[i]!.cpuAfterGc.user - before[i]!.cpuAfterGc.system, 0);
  const ok = results.reduce((s, r) => s + r.ok, 0);
  return {
    rps: results.reduce((s, r) => s + r.rps, 0),
    cpuMsPerRequest: cpuUs / 1000 / Math.max(1, ok),
    p99: Math.max(...results.map((r) => r.p99)),
    failures: results.reduce((s, r) => s + r.non2xx + r.errors + r.timeouts + r.withErrors, 0),
  };
}

export async function measureScaleOut(opts: {
  setups: ScaleOutSetup[];
  build: (path: string) => BuiltRequest;
  runs: number;
  connections: number;
  durationSec: number;
  log: (line: string) => void;
}): Promise<Map<string, { rps: Summary; cpuMsPerRequest: Summary; p99: Summary; failures: number }>> {
  const runs = new Map<string, Run[]>(opts.setups.map((s) => [s.name, []]));
  for (let r = 0; r <= opts.runs; r++) {
    for (let i = 0; i < opts.setups.length; i++) {
      const setup = opts.setups[(i + r) % opts.setups.length]!;
      const run = await runSetup(setup, opts.build, setup.connections ?? opts.connections, opts.durationSec);
      opts.log(`scale-out ${r === 0 ? 'warm-up' : `run ${r}`} ${setup.name}: ${fmt(run.rps, 0)} req/s ${fmt(run.cpuMsPerRequest, 2)} CPU ms/req${run.failures ? ` FAILURES ${run.failures}` : ''}`);
      if (r > 0) runs.get(setup.name)!.push(run);
    }
  }
  return new Map(
    [...runs].map(([name, rs]) => [
      name,
      { rps: summarize(rs.map((x) => x.rps)), cpuMsPerRequest: summarize(rs.map((x) => x.cpuMsPerRequest)), p99: summarize(rs.map((x) => x.p99)), failures: rs.reduce((s, x) => s + x.failures, 0) },
    ]),
  );
}

export function scaleOutRows(measured: Map<string, { rps: Summary; cpuMsPerRequest: Summary; p99: Summary; failures: number }>): string[][] {
  return [...measured].map(([name, m]) => [name, fmtSummary(m.rps, 0), fmtSummary(m.cpuMsPerRequest, 2), fmt(1000 / m.cpuMsPerRequest.median, 0), fmtSummary(m.p99, 2), String(m.failures)]);
}
