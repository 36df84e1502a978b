/** Messages between the bench runner and its server processes (see child.ts, serve-child.ts). */

export interface ChildStats {
  /** process.memoryUsage() after two full GCs. */
  memory: NodeJS.MemoryUsage;
  /** process.cpuUsage() since the process started, microseconds. */
  cpu: NodeJS.CpuUsage;
  /** Milliseconds since the process started (performance.now()). */
  uptimeMs: number;
  /** Event-loop delay since the previous `stats` (perf_hooks.monitorEventLoopDelay sampling every 10 ms), ms beyond the 10 ms. */
  eventLoopDelay: { p50: number; p99: number; max: number; mean: number };
}

export type ChildRequest = { type: 'stats' } | { type: 'stop' };

export type ChildReply =
  | { type: 'ready'; info: Record<string, unknown> }
  | { type: 'stats'; stats: ChildStats };
