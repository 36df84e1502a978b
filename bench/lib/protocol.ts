/** Messages between the bench runner and its server processes (see child.ts, serve-child.ts). */

export interface ChildStats {
  /** process.memoryUsage() after two full GCs. */
  memory: NodeJS.MemoryUsage;
  /** process.cpuUsage() since the process started, microseconds, read before the full GC. */
  cpu: NodeJS.CpuUsage;
  /** The same after the full GC: where the next measured interval starts. */
  cpuAfterGc: NodeJS.CpuUsage;
  /** Milliseconds since the process started (performance.now()), before the full GC. */
  uptimeMs: number;
  /** The same after the full GC. */
  uptimeAfterGcMs: number;
  /** Event-loop delay since the previous `stats` (perf_hooks.monitorEventLoopDelay sampling every 10 ms), ms beyond the 10 ms. */
  eventLoopDelay: { p50: number; p99: number; max: number; mean: number };
  /** GC pauses since the previous `stats` (PerformanceObserver 'gc'), the forced full GCs left out: all, and the major (mark-compact) ones. */
  gc: { count: number; totalMs: number; maxMs: number; major: number; majorMaxMs: number };
  /** process.resourceUsage().involuntaryContextSwitches since the process started: times the OS took the CPU away from it. */
  involuntarySwitches: number;
}

export type ChildRequest = { type: 'stats' } | { type: 'stop' };

export type ChildReply =
  | { type: 'ready'; info: Record<string, unknown> }
  | { type: 'stats'; stats: ChildStats };
