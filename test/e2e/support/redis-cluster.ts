/**
 * A real Redis Cluster of three masters on 127.0.0.1, started by the test that needs it and torn
 * down after: `redis-server --cluster-enabled yes` on three free ports (each with its cluster bus
 * on port + 10000), joined by `redis-cli --cluster create`, nothing kept on disk but the nodes'
 * cluster files in a temporary folder (so that a killed master restarts with its slots).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually } from '../../support/eventually.js';

const run = promisify(execFile);

export interface RedisClusterNode {
  host: string;
  port: number;
}

export interface LocalRedisCluster {
  nodes: RedisClusterNode[];
  /** `host:port,host:port,...`: what REDIS_CLUSTER_NODES takes. */
  seeds: string;
  /** Kills master `index` at once (SIGKILL: no goodbye to the cluster). */
  kill(index: number): Promise<void>;
  /** Starts master `index` again on its port; resolves when the cluster reports `cluster_state:ok`. */
  restart(index: number): Promise<void>;
  /** `CLUSTER INFO` of one node, parsed. */
  info(index: number): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

/** A port that is free, and whose cluster bus port (+10000) is free too. */
async function freePortPair(taken: Set<number>): Promise<number> {
  const tryBind = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 25_000);
    if (taken.has(port) || taken.has(port + 10_000)) continue;
    if ((await tryBind(port)) && (await tryBind(port + 10_000))) {
      taken.add(port);
      taken.add(port + 10_000);
      return port;
    }
  }
  throw new Error('no free port pair for a Redis Cluster node');
}

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args]);
  return stdout;
}

/** Asks `check` again every 100 ms until it holds (a failing check, e.g. a node not up yet, counts as not yet). */
const until = (what: string, check: () => Promise<boolean>, timeoutMs = 30_000) =>
  eventually(() => check().catch(() => false), `Redis Cluster: ${what}`, { timeoutMs, intervalMs: 100 });

/** Starts three masters and joins them into one cluster (16384 slots split three ways). */
export async function startRedisCluster(options: { masters?: number } = {}): Promise<LocalRedisCluster> {
  const masters = options.masters ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'memgate-redis-cluster-'));
  const taken = new Set<number>();
  const ports: number[] = [];
  for (let i = 0; i < masters; i++) ports.push(await freePortPair(taken));
  const processes: (ChildProcess | null)[] = ports.map(() => null);

  const startNode = async (index: number) => {
    const port = ports[index]!;
    const child = spawn('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1',
      '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`),
      // Failures are noticed within a second; the cluster stays up for the slots still served.
      '--cluster-node-timeout', '1000', '--cluster-require-full-coverage', 'no',
      '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', join(dir, `redis-${port}.log`),
    ], { stdio: 'ignore' });
    processes[index] = child;
    child.once('exit', () => {
      if (processes[index] === child) processes[index] = null;
    });
    await until(`node ${port} answering PING`, async () => (await cli(port, 'ping')).trim() === 'PONG', 15_000);
  };

  const info = async (index: number) =>
    Object.fromEntries(
      (await cli(ports[index]!, 'cluster', 'info'))
        .split(/\r?\n/)
        .filter((l) => l.includes(':'))
        .map((l) => l.split(':', 2) as [string, string]),
    );
  const allOk = async () => (await Promise.all(ports.map((_, i) => (processes[i] ? info(i) : Promise.resolve({ cluster_state: 'ok' }))))).every((i) => i.cluster_state === 'ok');

  const stop = async () => {
    await Promise.all(
      processes.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (!child || child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await Promise.all(ports.map((_, i) => startNode(i)));
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes']);
    await until('cluster_state:ok on every node', allOk);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    nodes: ports.map((port) => ({ host: '127.0.0.1', port })),
    seeds: ports.map((p) => `127.0.0.1:${p}`).join(','),
    info,
    async kill(index) {
      const child = processes[index];
      if (!child) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    },
    async restart(index) {
      await startNode(index);
      await until('cluster_state:ok after a restart', allOk);
    },
    stop,
  };
}
