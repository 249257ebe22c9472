/**
 * The record-set model shared by the planner, the diff, the built-in server and every provider.
 *
 * Invariants of a {@link RecordSet} produced by this lib:
 * - `name` is a fully-qualified domain name, lower-case, without the trailing dot (`a.example.com`).
 * - `values` are sorted (see {@link compareValues}) and free of duplicates.
 * - `ttl` is in seconds, an integer in 1..2147483647.
 *
 * Value encoding per type (the presentation format, the same text Route 53 uses except for TXT):
 * - `A`: dotted quad, `198.51.100.1`.
 * - `AAAA`: RFC 5952 canonical text (lower-case, longest zero run compressed), `2001:db8::1`.
 * - `CNAME`: the target name, lower-case, no trailing dot. Exactly one value.
 * - `TXT`: the raw character-string content WITHOUT surrounding quotes or escapes
 *   (`heritage=ubernetes,...`). Providers quote/escape on the way out and unquote on the way in.
 * - `SRV`: `"<priority> <weight> <port> <target>"`, decimal integers, target lower-case without the
 *   trailing dot, single spaces (`0 1 80 nginx.test.myfed.svc.example.com`).
 */
export type RecordType = 'A' | 'AAAA' | 'CNAME' | 'TXT' | 'SRV';

/** All record types the planner emits, in their canonical sort order. */
export const RECORD_TYPES: readonly RecordType[] = ['A', 'AAAA', 'CNAME', 'SRV', 'TXT'];

/** One resource record set: every record of one type at one name. */
export interface RecordSet {
  /** FQDN, lower-case, no trailing dot. */
  name: string;
  type: RecordType;
  /** Seconds. */
  ttl: number;
  /** Presentation-format values, sorted and unique (encoding documented in this module). */
  values: string[];
}

/** Default TTL in seconds for planned records (v1 used a fixed 180 s, too slow for failover). */
export const DEFAULT_TTL = 30;

/** Largest TTL allowed by RFC 2181 §8 (2^31 - 1 seconds): `#libs/common`'s, shared with the config edge. */
export { MAX_TTL } from '#libs/common';

/** Key identifying a record set inside a zone: `name/TYPE`. */
export function recordSetKey(rs: Pick<RecordSet, 'name' | 'type'>): string {
  return `${rs.name}/${rs.type}`;
}

/**
 * Orders values of one record set: IPv4 numerically, SRV by target then port then priority/weight,
 * everything else by code-unit string order. Deterministic for any input.
 */
export function compareValues(type: RecordType, a: string, b: string): number {
  if (type === 'A') {
    const pa = a.split('.').map(Number);
    const pb = b.split('.').map(Number);
    for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
    return 0;
  }
  if (type === 'SRV') {
    const [ap = '', aw = '', aport = '', at = ''] = a.split(' ');
    const [bp = '', bw = '', bport = '', bt = ''] = b.split(' ');
    return (
      cmp(at, bt) || Number(aport) - Number(bport) || Number(ap) - Number(bp) || Number(aw) - Number(bw)
    );
  }
  return cmp(a, b);
}

/**
 * Canonical order of record sets: by name with labels compared right to left (so a zone's names group
 * together, parents before children), then by type in {@link RECORD_TYPES} order.
 */
export function compareRecordSets(a: RecordSet, b: RecordSet): number {
  return compareNames(a.name, b.name) || RECORD_TYPES.indexOf(a.type) - RECORD_TYPES.indexOf(b.type);
}

/** Compares two FQDNs label by label from the right (DNS canonical order, without escapes). */
export function compareNames(a: string, b: string): number {
  const la = a.split('.').reverse();
  const lb = b.split('.').reverse();
  const n = Math.min(la.length, lb.length);
  for (let i = 0; i < n; i++) {
    const c = cmp(la[i]!, lb[i]!);
    if (c) return c;
  }
  return la.length - lb.length;
}

/** Returns a copy with values de-duplicated and sorted, name lower-cased without trailing dot. */
export function normalizeRecordSet(rs: RecordSet): RecordSet {
  const values = [...new Set(rs.values)].sort((x, y) => compareValues(rs.type, x, y));
  return { name: normalizeName(rs.name), type: rs.type, ttl: rs.ttl, values };
}

/** Sorts record sets into canonical order (returns a new array). */
export function sortRecordSets(sets: readonly RecordSet[]): RecordSet[] {
  return [...sets].sort(compareRecordSets);
}

/** True when both sets have the same name, type, TTL and values (values compared as sorted sets). */
export function sameRecordSet(a: RecordSet, b: RecordSet): boolean {
  if (a.name !== b.name || a.type !== b.type || a.ttl !== b.ttl || a.values.length !== b.values.length) {
    return false;
  }
  const av = [...a.values].sort();
  const bv = [...b.values].sort();
  return av.every((v, i) => v === bv[i]);
}

/** Lower-cases a domain name and removes one trailing dot. */
export function normalizeName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** True when `name` equals `apex` or is below it (both normalized); shared with the config edge. */
export { isInZone } from '#libs/common';

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
