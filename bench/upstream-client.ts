/**
 * `npx tsx bench/upstream-client.ts`: requests per second of Synvo's profile call made through
 * memgate's upstream client (pool, bulkhead, breaker, retry loop, zod validation, normalisation)
 * beside the same request made with bare undici (a Pool, the body read and JSON-parsed), in the
 * same run, against the Synvo emulator with no added latency. The emulator runs in a child
 * process so the two contenders share one CPU budget on this side. A warm-up first, then rounds
 * of a fixed number of requests at a fixed concurrency, contenders alternating; medians printed.
 *
 * BENCH_REQUESTS (per round, default 4000), BENCH_CONCURRENCY (default 32), BENCH_ROUNDS (default 5).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

const SYNVO_KEY = 'synvo-dev-key';

interface RoundResult {
  rps: number;
  p50: number;
  p99: number;
  /** CPU time of this process (user + system) per request: less sensitive to a busy machine than req/s. */
  cpuUs: number;
}

async function runRound(n: number, concurrency: number, call: () => Promise<unknown>): Promise<RoundResult> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const worker = async () => {
    while (next < n) {
      next++;
      const t0 = performance.now();
      await call();
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { rps: n / seconds, p50: at(0.5), p99: at(0.99), cpuUs: (used.user + used.system) / n };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

async function main(): Promise<void> {
  const requests = Number(process.env.BENCH_REQUESTS ?? 4000);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);

  const child = fork(fileURLToPath(import.meta.url), ['--emulator'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (msg: { url: string }) => resolve(msg.url));
    child.once('exit', (code) => reject(new Error(`emulator exited (${code})`)));
  });

  const { createSynvoClient } = await import('../src/upstream/index.js');
  const client = createSynvoClient({ baseUrl: url, apiKey: SYNVO_KEY, options: { maxConnections: concurrency, maxConcurrent: 1024 } });
  const pool = new Pool(url, { connections: concurrency });
  const bare = async () => {
    const res = await pool.request({ method: 'GET', path: '/metadata/get_user_profile/?sub_user_name=default', headers: { 'x-api-key': SYNVO_KEY } });
    if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
    return JSON.parse(await res.body.text()) as unknown;
  };
  const viaClient = async () => {
    const profile = await client.getProfile('default');
    if (!profile) throw new Error('no profile');
    return profile;
  };
  const contenders: [string, () => Promise<unknown>][] = [
    ['bare undici Pool.request + JSON.parse', bare],
    ['memgate SynvoClient.getProfile', viaClient],
  ];

  try {
    console.log(`Synvo emulator at ${url} (child process), GET profile of "default", no added latency`);
    console.log(`${requests} requests per round, concurrency ${concurrency}, ${rounds} rounds after a warm-up; Node ${process.version}`);
    for (const [, call] of contenders) await runRound(Math.min(1000, requests), concurrency, call);

    const results = new Map<string, RoundResult[]>(contenders.map(([name]) => [name, []]));
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? contenders : [...contenders].reverse();
      for (const [name, call] of order) results.get(name)!.push(await runRound(requests, concurrency, call));
    }

    console.log('');
    console.log('| contender | req/s (median) | req/s (min..max) | p50 ms | p99 ms | client CPU µs/req |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const [name, list] of results) {
      const rps = list.map((x) => x.rps);
      console.log(
        `| ${name} | ${median(rps).toFixed(0)} | ${Math.min(...rps).toFixed(0)}..${Math.max(...rps).toFixed(0)} | ${median(list.map((x) => x.p50)).toFixed(2)} | ${median(list.map((x) => x.p99)).toFixed(2)} | ${median(list.map((x) => x.cpuUs)).toFixed(0)} |`,
      );
    }
    const bareRps = median(results.get(contenders[0]![0])!.map((x) => x.rps));
    const clientRps = median(results.get(contenders[1]![0])!.map((x) => x.rps));
    console.log('');
    const bareCpu = median(results.get(contenders[0]![0])!.map((x) => x.cpuUs));
    const clientCpu = median(results.get(contenders[1]![0])!.map((x) => x.cpuUs));
    console.log(`client / bare: ${((clientRps / bareRps) * 100).toFixed(1)}% of the requests per second; ${(clientCpu - bareCpu).toFixed(0)} µs more CPU per request`);
  } finally {
    await client.close();
    await pool.close();
    child.disconnect();
  }
}

if (process.argv.includes('--emulator')) {
  const { startSynvoEmulator } = await import('../emulators/synvo/index.js');
  const emu = await startSynvoEmulator({ controls: false });
  process.send?.({ url: emu.url });
  process.on('disconnect', () => void emu.stop().then(() => process.exit(0)));
} else {
  await main();
}
