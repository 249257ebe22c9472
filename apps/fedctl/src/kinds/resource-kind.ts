import type { ApiClient } from '../api-client.js';

/** A table: headers and rows of cells. */
export interface Table {
  headers: string[];
  rows: (string | number | undefined)[][];
}

/**
 * A resource kind `fedctl get` and `fedctl describe` know. New kinds (federated objects, ...) add one
 * module exporting a `ResourceKind` and one line to `kinds/index.ts`.
 */
export interface ResourceKind<T = unknown> {
  /** Names accepted on the command line, plural first: `['clusters', 'cluster', 'cl']`. */
  names: string[];
  /** Kind as printed in messages, e.g. `Cluster`. */
  kind: string;
  /** `namespace` / `allNamespaces` (`-n`, `-A`) only matter for namespaced kinds (federated objects). */
  list(api: ApiClient, options: { labelSelector?: string; namespace?: string; allNamespaces?: boolean }): Promise<T[]>;
  get(api: ApiClient, name: string, options?: { namespace?: string }): Promise<T>;
  /** A line `fedctl get` prints to stderr before the table, when there is something to warn about. */
  notice?(api: ApiClient, now: number): Promise<string | undefined>;
  /** Table of `fedctl get` (`wide` adds columns). */
  table(items: T[], wide: boolean, now: number): Table;
  /** Name of an item (`-o name`). */
  nameOf(item: T): string;
  /** kubectl-describe-like text of one object. */
  describe(api: ApiClient, name: string, now: number, options?: { namespace?: string }): Promise<string>;
}

/** Renders rows as an aligned block of text (three spaces between columns), optionally indented. */
export function renderColumns(rows: string[][], indent = ''): string {
  if (rows.length === 0) return '';
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 3))).join('').trimEnd()).join('\n') + '\n';
}
