/**
 * A tiny benchmark kit shared by every `test/bench/*.bench.ts` module: time a function with
 * `process.hrtime.bigint()`, summarise per-operation latency, print results as a table.
 * Each bench module exports `run(): Promise<BenchResult[]>`; `run.ts` lists the modules and prints.
 */

/** One row of a benchmark report: a name and its figures (already formatted or raw numbers). */
export interface BenchResult {
  name: string;
  figures: Record<string, string | number>;
}

/** How to measure: `warmup` untimed calls (JIT, caches), then `iterations` individually timed calls. */
export interface MeasureOptions {
  iterations: number;
  warmup: number;
}

/** Per-operation latency in microseconds, plus the throughput the mean implies. */
export interface Measurement {
  iterations: number;
  meanUs: number;
  p50Us: number;
  p99Us: number;
  opsPerSec: number;
}

/**
 * Calls `fn` `warmup` times, then `iterations` times, timing each call on its own (monotonic clock) so
 * percentiles are real per-op figures, not averages of batches. Awaits `fn` when it returns a promise.
 */
export async function measure(fn: () => unknown, { iterations, warmup }: MeasureOptions): Promise<Measurement> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples = new Float64Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    const out = fn();
    if (out instanceof Promise) await out;
    samples[i] = Number(process.hrtime.bigint() - start) / 1_000;
  }
  samples.sort();
  const mean = samples.reduce((s, x) => s + x, 0) / iterations;
  return {
    iterations,
    meanUs: mean,
    p50Us: percentile(samples, 0.5),
    p99Us: percentile(samples, 0.99),
    opsPerSec: mean > 0 ? 1e6 / mean : Infinity,
  };
}

/** Nearest-rank percentile of ascending `sorted` samples, `q` in (0, 1]. */
export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Formats a duration in microseconds with a unit that keeps 3 significant digits (ns, µs, ms, s). */
export function formatUs(us: number): string {
  if (us < 1) return `${(us * 1000).toPrecision(3)} ns`;
  if (us < 1_000) return `${us.toPrecision(3)} µs`;
  if (us < 1_000_000) return `${(us / 1_000).toPrecision(3)} ms`;
  return `${(us / 1_000_000).toPrecision(3)} s`;
}

/** The usual figures of a {@link Measurement}, formatted for {@link printTable}. */
export function latencyFigures(m: Measurement): Record<string, string | number> {
  return {
    mean: formatUs(m.meanUs),
    p50: formatUs(m.p50Us),
    p99: formatUs(m.p99Us),
    'ops/s': Math.round(m.opsPerSec),
    n: m.iterations,
  };
}

/** Renders results as an aligned text table (one row per result, one column per figure name). */
export function formatTable(title: string, results: readonly BenchResult[]): string {
  const columns = [...new Set(results.flatMap((r) => Object.keys(r.figures)))];
  const rows = [['name', ...columns], ...results.map((r) => [r.name, ...columns.map((c) => String(r.figures[c] ?? ''))])];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [`== ${title}`, line(rows[0]), line(widths.map((w) => '-'.repeat(w))), ...rows.slice(1).map(line), ''].join('\n');
}

/** Prints {@link formatTable} to stdout. */
export function printTable(title: string, results: readonly BenchResult[]): void {
  process.stdout.write(`${formatTable(title, results)}\n`);
}
