/** The child side of child.ts: start a server, report `ready`, answer `stats`, exit on `stop`. */
import { join } from 'node:path';
import { constants as perfConstants, monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import type { ChildReply, ChildRequest } from './protocol.js';

export interface ChildServer {
  /** Sent to the parent with `ready`. */
  info: Record<string, unknown>;
  stop(): Promise<void>;
}

function reply(msg: ChildReply): void {
  process.send?.(msg);
}

function fullGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
}

export async function serveChild(start: () => Promise<ChildServer>): Promise<void> {
  if (!process.send) throw new Error('bench servers run as child processes of bench/index.ts');
  let server: ChildServer;
  try {
    server = await start();
  } catch (err) {
    console.error(err);
    process.exit(1);
  }
  // Event-loop delay between two `stats` (one measured run): GC pauses and long tasks show here.
  const resolutionMs = 10;
  const delay = monitorEventLoopDelay({ resolution: resolutionMs });
  delay.enable();
  // GC pauses between two `stats`: what the event-loop delay is made of, or not. Entries arrive
  // asynchronously, so each is placed by its start time; the full GCs `stats` forces are left out.
  const pauses: { at: number; ms: number; major: boolean }[] = [];
  let since = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const major = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR;
      // Bounded: a process nobody asks for `stats` (the emulators) must not grow with it.
      if (entry.startTime >= since && pauses.length < 100_000) pauses.push({ at: entry.startTime, ms: entry.duration, major });
    }
  }).observe({ entryTypes: ['gc'] });
  const gcBefore = (until: number) => {
    const run = pauses.filter((p) => p.at < until);
    pauses.length = 0;
    const majors = run.filter((p) => p.major);
    return {
      count: run.length,
      totalMs: run.reduce((sum, p) => sum + p.ms, 0),
      maxMs: Math.max(0, ...run.map((p) => p.ms)),
      major: majors.length,
      majorMaxMs: Math.max(0, ...majors.map((p) => p.ms)),
    };
  };
  let snapshotSeq = 0;
  process.on('message', (msg: ChildRequest) => {
    if (msg.type === 'stats') {
      // The histogram records each timer interval, the resolution included: the delay is what exceeds it.
      const ms = (ns: number) => Math.max(0, ns / 1e6 - resolutionMs);
      const eventLoopDelay = { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max), mean: ms(delay.mean) };
      // CPU time is read on both sides of the full GC, so that a run's figure leaves out the
      // collections the measurement itself forces (about 75 ms a pair on a loaded machine).
      const cpu = process.cpuUsage();
      const uptimeMs = performance.now();
      const gcPauses = gcBefore(uptimeMs);
      fullGc();
      since = performance.now();
      // bench/idle-heap.ts: a heap snapshot at every `stats`, to see what a subscription holds.
      const snapshots = process.env.BENCH_HEAP_SNAPSHOT_DIR;
      if (snapshots) writeHeapSnapshot(join(snapshots, `${process.pid}-${++snapshotSeq}.heapsnapshot`));
      reply({ type: 'stats', stats: { memory: process.memoryUsage(), cpu, cpuAfterGc: process.cpuUsage(), uptimeMs, uptimeAfterGcMs: performance.now(), eventLoopDelay, gc: gcPauses, involuntarySwitches: process.resourceUsage().involuntaryContextSwitches } });
      delay.reset();
    } else if (msg.type === 'stop') {
      // A clean exit (not a signal) so that --cpu-prof writes its profile.
      void server.stop().finally(() => process.exit(0));
    }
  });
  process.on('disconnect', () => void server.stop().finally(() => process.exit(0)));
  reply({ type: 'ready', info: server.info });
}
