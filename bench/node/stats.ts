// Percentiles and the printed table of `npm run bench`. A missed target is shown, never thrown:
// benchmarks inform, the test suite decides.

/** The sample at quantile q (0..1) by the nearest-rank method, on a copy sorted ascending. */
export function percentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function summarize(samples: readonly number[]): Summary {
  return {
    n: samples.length,
    p50: percentile(samples, 0.5),
    p95: percentile(samples, 0.95),
    p99: percentile(samples, 0.99),
    max: samples.length === 0 ? Number.NaN : Math.max(...samples),
  };
}

/** One line of the result table; figures in milliseconds unless `unit` says otherwise. */
export interface Row {
  name: string;
  summary?: Summary;
  /** A figure that is not a distribution (a ratio), printed in the p95 column. */
  value?: number;
  unit?: 'ms' | 'x' | 'MB';
  /** Which figure the target is about, e.g. "p99 ≤ 2 ms"; absent for informative rows. */
  target?: string;
  pass?: boolean;
  note?: string;
}

function fmt(v: number | undefined, unit: Row['unit'] = 'ms'): string {
  if (v === undefined || Number.isNaN(v)) return '—';
  if (unit === 'x') return `${v.toFixed(2)}×`;
  if (unit === 'MB') return `${v.toFixed(1)} MB`;
  return v < 10 ? `${v.toFixed(3)} ms` : `${v.toFixed(1)} ms`;
}

export function formatTable(rows: readonly Row[]): string {
  const header = ['benchmark', 'n', 'p50', 'p95', 'p99', 'target', 'result'];
  const lines = rows.map((r) => [
    r.name,
    r.summary ? String(r.summary.n) : '',
    fmt(r.summary?.p50, r.unit),
    r.value !== undefined ? fmt(r.value, r.unit) : fmt(r.summary?.p95, r.unit),
    fmt(r.summary?.p99, r.unit),
    r.target ?? '',
    r.pass === undefined ? 'info' : r.pass ? 'PASS ✓' : 'MISS ✗',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(line)];
  const notes = rows.filter((r) => r.note).map((r) => `  · ${r.name}: ${r.note}`);
  return [...out, ...(notes.length ? ['', ...notes] : [])].join('\n');
}

/** Milliseconds since `start` (a process.hrtime.bigint() reading). */
export function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}
