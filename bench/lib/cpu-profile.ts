/** Reads a V8 `.cpuprofile` (node --cpu-prof) and ranks where the self time went. */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  startTime: number;
  endTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  name: string;
  /** Share of the sampled time, 0..1. */
  share: number;
  ms: number;
}

function where(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const src = url.indexOf('/src/');
  if (src >= 0) return url.slice(src + 1);
  if (url.startsWith('node:')) return url;
  return url ? url.split('/').slice(-2).join('/') : '(native)';
}

/**
 * Self time by function (`name location:line`) and by package/file, largest first, over the last
 * `windowMs` of the profile (the load), leaving out start-up (module loading, compilation).
 */
export function hotSpots(path: string, windowMs: number, top = 15): { functions: HotSpot[]; places: HotSpot[]; totalMs: number } {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const fn = new Map<string, number>();
  const place = new Map<string, number>();
  let total = 0;
  const from = profile.endTime - windowMs * 1000;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    at += us;
    if (at < from) return;
    const node = byId.get(id);
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') return;
    total += us;
    const loc = where(url);
    const key = `${functionName || '(anonymous)'} ${loc}${url ? `:${lineNumber + 1}` : ''}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const p = functionName === '(garbage collector)' ? '(garbage collector)' : loc;
    place.set(p, (place.get(p) ?? 0) + us);
  });
  const rank = (m: Map<string, number>) =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => ({ name, share: us / total, ms: us / 1000 }));
  return { functions: rank(fn), places: rank(place), totalMs: total / 1000 };
}
