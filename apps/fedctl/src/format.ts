import { stringify } from 'yaml';

export type OutputFormat = 'table' | 'wide' | 'json' | 'yaml' | 'name';

/** Parses `-o` values the way kubectl does. */
export function parseOutput(value: string | undefined): OutputFormat {
  const v = value ?? 'table';
  if (['table', 'wide', 'json', 'yaml', 'name'].includes(v)) return v as OutputFormat;
  throw new Error(`unknown output format "${v}" (use wide, json, yaml or name)`);
}

/** Prints rows as a kubectl-style table: upper-case headers, columns padded with three spaces. */
export function printTable(headers: string[], rows: (string | number | undefined)[][]): void {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === undefined || c === '' ? '<none>' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  for (const row of cells) process.stdout.write(row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i] + 3))).join('') + '\n');
}

export function printStructured(value: unknown, format: 'json' | 'yaml'): void {
  process.stdout.write(format === 'json' ? JSON.stringify(value, null, 2) + '\n' : stringify(value));
}

/** `5s`, `3m`, `2h`, `4d` like kubectl's AGE column. */
export function age(from: string | Date | undefined, now = Date.now()): string {
  if (!from) return '<unknown>';
  const s = Math.max(0, Math.floor((now - new Date(from).getTime()) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}
