/**
 * Conversions between the lib's {@link RecordSet} and Route 53 `ResourceRecordSet`s, and the change-batch
 * packer. Pure functions.
 *
 * Route 53 facts applied here (reference.md §4 and the ChangeResourceRecordSets API reference):
 * - one request holds at most 1,000 changes, 1,000 `ResourceRecord` elements and 32,000 characters of
 *   `Value` text; for the last two an UPSERT counts twice;
 * - names come back fully qualified with a trailing dot, special characters as `\ooo` octal escapes;
 * - TXT values are quoted character-strings, each ≤ 255 bytes.
 */
import type { Change, ResourceRecordSet } from '@aws-sdk/client-route-53';
import { DomainError, ErrorCode } from '#libs/common';
import { normalizeRecordSet, ownedNameOf, type RecordSet, type RecordType } from '../planner/index.js';

/** Route 53 per-request limits. */
export const ROUTE53_LIMITS = { changes: 1000, resourceRecords: 1000, valueChars: 32_000 } as const;

const SUPPORTED = new Set<RecordType>(['A', 'AAAA', 'CNAME', 'TXT', 'SRV']);

/** Decodes Route 53's `\ooo` escapes, lower-cases and strips the trailing dot. */
export function fromRoute53Name(name: string): string {
  const decoded = name.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return decoded.toLowerCase().replace(/\.$/, '');
}

/** Fully-qualified form Route 53 expects. */
export function toRoute53Name(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}

/** Quotes a TXT value for Route 53: `"..."` with `"` and `\` escaped, split into 255-byte strings. */
export function quoteTxt(value: string): string {
  const bytes = Buffer.from(value, 'utf8');
  const parts: string[] = [];
  for (let i = 0; i < bytes.length || parts.length === 0; i += 255) {
    parts.push(`"${bytes.subarray(i, i + 255).toString('utf8').replace(/[\\"]/g, (c) => `\\${c}`)}"`);
  }
  return parts.join(' ');
}

/** Parses a Route 53 TXT value (one or more quoted strings) into its concatenated content. */
export function unquoteTxt(value: string): string {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"/g;
  let m: RegExpExecArray | null;
  let matched = false;
  while ((m = re.exec(value))) {
    matched = true;
    out.push(m[1]!.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))).replace(/\\(.)/g, '$1'));
  }
  return matched ? out.join('') : value;
}

/**
 * Converts a listed Route 53 set to a {@link RecordSet}, or `undefined` when it is something this lib
 * never writes (alias, routing policies with SetIdentifier, other types): such names are foreign.
 */
export function fromRoute53RecordSet(rs: ResourceRecordSet): RecordSet | undefined {
  const type = rs.Type as RecordType;
  if (!SUPPORTED.has(type) || rs.AliasTarget || rs.SetIdentifier !== undefined || rs.TTL === undefined) return undefined;
  const values = (rs.ResourceRecords ?? []).map((r) => {
    const v = r.Value ?? '';
    switch (type) {
      case 'TXT':
        return unquoteTxt(v);
      case 'CNAME':
        return fromRoute53Name(v);
      case 'SRV': {
        const [p, w, port, target] = v.trim().split(/\s+/);
        return `${Number(p)} ${Number(w)} ${Number(port)} ${fromRoute53Name(target ?? '')}`;
      }
      case 'AAAA':
        return v.toLowerCase();
      default:
        return v;
    }
  });
  return normalizeRecordSet({ name: fromRoute53Name(rs.Name ?? ''), type, ttl: rs.TTL, values });
}

/** Converts a planned {@link RecordSet} to the Route 53 shape. */
export function toRoute53RecordSet(rs: RecordSet): ResourceRecordSet {
  const value = (v: string): string => {
    switch (rs.type) {
      case 'TXT':
        return quoteTxt(v);
      case 'CNAME':
        return toRoute53Name(v);
      case 'SRV': {
        const parts = v.split(' ');
        return `${parts[0]} ${parts[1]} ${parts[2]} ${toRoute53Name(parts[3] ?? '')}`;
      }
      default:
        return v;
    }
  };
  return {
    Name: toRoute53Name(rs.name),
    Type: rs.type,
    TTL: rs.ttl,
    ResourceRecords: rs.values.map((v) => ({ Value: value(v) })),
  };
}

/** Cost of one change against the per-request limits (UPSERT counted twice for records and chars). */
export function changeCost(change: Change): { records: number; chars: number } {
  const weight = change.Action === 'UPSERT' ? 2 : 1;
  const rrs = change.ResourceRecordSet?.ResourceRecords ?? [];
  return { records: weight * rrs.length, chars: weight * rrs.reduce((n, r) => n + (r.Value ?? '').length, 0) };
}

/**
 * Packs changes into requests that respect {@link ROUTE53_LIMITS}, keeping order. Changes are grouped
 * by owned name (a set and its `_ubernetes-owner` marker form one group, deletes before upserts), and a
 * group is never split across requests unless it alone exceeds a request — so a name and its ownership
 * marker change atomically and a type change (A → CNAME) never leaves the name empty between requests.
 * @throws DomainError (TooLarge) when one change alone exceeds a limit.
 */
export function packChangeBatches(changes: readonly Change[], limits = ROUTE53_LIMITS): Change[][] {
  const groups = new Map<string, Change[]>();
  for (const c of changes) {
    const name = fromRoute53Name(c.ResourceRecordSet?.Name ?? '');
    const base = ownedNameOf(name) ?? name;
    let g = groups.get(base);
    if (!g) groups.set(base, (g = []));
    g.push(c);
  }
  const batches: Change[][] = [];
  let current: Change[] = [];
  let used = { changes: 0, records: 0, chars: 0 };
  const fits = (u: typeof used, c: { changes: number; records: number; chars: number }): boolean =>
    u.changes + c.changes <= limits.changes && u.records + c.records <= limits.resourceRecords && u.chars + c.chars <= limits.valueChars;
  const flush = (): void => {
    if (current.length) batches.push(current);
    current = [];
    used = { changes: 0, records: 0, chars: 0 };
  };
  for (const group of groups.values()) {
    group.sort((a, b) => (a.Action === 'DELETE' ? 0 : 1) - (b.Action === 'DELETE' ? 0 : 1));
    const total = group.reduce(
      (t, c) => {
        const k = changeCost(c);
        return { changes: t.changes + 1, records: t.records + k.records, chars: t.chars + k.chars };
      },
      { changes: 0, records: 0, chars: 0 },
    );
    if (!fits(used, total) && fits({ changes: 0, records: 0, chars: 0 }, total)) flush();
    for (const c of group) {
      const k = { changes: 1, ...changeCost(c) };
      if (!fits({ changes: 0, records: 0, chars: 0 }, k)) {
        throw new DomainError(ErrorCode.TooLarge, `record set ${c.ResourceRecordSet?.Name} ${c.ResourceRecordSet?.Type} exceeds Route 53 request limits`, [
          { path: `desired.${c.ResourceRecordSet?.Name}`, message: `${k.records} records / ${k.chars} characters (UPSERT counted twice)` },
        ]);
      }
      if (!fits(used, k)) flush();
      current.push(c);
      used = { changes: used.changes + 1, records: used.records + k.records, chars: used.chars + k.chars };
    }
  }
  flush();
  return batches;
}
