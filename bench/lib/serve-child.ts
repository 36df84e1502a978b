/** The child side of child.ts: start a server, report `ready`, answer `stats`, exit on `stop`. */
import { performance } from 'node:perf_hooks';
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
  process.on('message', (msg: ChildRequest) => {
    if (msg.type === 'stats') {
      fullGc();
      reply({ type: 'stats', stats: { memory: process.memoryUsage(), cpu: process.cpuUsage(), uptimeMs: performance.now() } });
    } else if (msg.type === 'stop') {
      // A clean exit (not a signal) so that --cpu-prof writes its profile.
      void server.stop().finally(() => process.exit(0));
    }
  });
  process.on('disconnect', () => void server.stop().finally(() => process.exit(0)));
  reply({ type: 'ready', info: server.info });
}
