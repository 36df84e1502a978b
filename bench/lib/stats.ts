/** Small, exact statistics over samples kept in memory (the bench never needs streaming quantiles). */

/** The q-quantile (0..1) of `values` by linear interpolation; NaN for no values. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (pos - lo);
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

/** Median of the runs and their spread: min..max of the measured runs. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

export function summarize(runs: readonly number[]): Summary {
  return {
    median: median(runs),
    min: runs.length ? Math.min(...runs) : Number.NaN,
    max: runs.length ? Math.max(...runs) : Number.NaN,
    runs: [...runs],
  };
}

/** `1234` -> `1,234`; fractions get `digits` decimals. */
export function fmt(n: number, digits = 1): string {
  if (!Number.isFinite(n)) return 'n/a';
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: Math.abs(n) >= 100 ? 0 : digits });
}

/** `median (min..max)`. */
export function fmtSummary(s: Summary, digits = 1, unit = ''): string {
  return `${fmt(s.median, digits)}${unit} (${fmt(s.min, digits)}..${fmt(s.max, digits)})`;
}

export function ratio(a: number, b: number): number {
  return b === 0 ? Number.NaN : a / b;
}
