/**
 * Diff of current vs desired record sets under ExternalDNS-style ownership, and the mass-deletion guard.
 * Pure: no I/O, no clock.
 *
 * Ownership (see ownership.ts): a name N is OWNED by `ownerId` when the TXT set at
 * `_ubernetes-owner.N` exists and every one of its values parses as `heritage=ubernetes` with
 * `ubernetes/owner=<ownerId>`. The marker TXT itself belongs to the name it guards.
 * A name is FOREIGN when something exists at N or at its marker name and N is not owned.
 *
 * Rules:
 * - Desired sets at a foreign name (including its marker TXT) are never written: `skippedForeign`.
 * - Desired sets at an owned or free name: `create` if absent, `update` if TTL or values differ.
 * - Current sets at an owned name that are no longer desired: `delete` (so records never leak).
 * - Current sets at foreign or unmarked names are never deleted or changed.
 * - `options.foreignNames`: names the caller knows hold data it cannot express as a {@link RecordSet}
 *   (Route 53 alias or weighted sets, MX, ...). They are foreign whatever their marker says.
 * - `options.exclusive`: the store holds only this owner's record sets (the built-in store): every other
 *   current name is owned whatever its marker says, so nothing there is foreign and nothing leaks.
 */
import { ownedNameOf, ownershipTxtName, parseOwnership } from './ownership.js';
import { normalizeName, recordSetKey, sameRecordSet, sortRecordSets, type RecordSet } from './record-set.js';

/** What a publish must do to turn `current` into `desired` for the owned part of a zone. */
export interface RecordSetDiff {
  /** Desired sets absent today. */
  create: RecordSet[];
  /** Desired versions of sets that exist with another TTL or other values. */
  update: RecordSet[];
  /** Owned sets to remove, exactly as they exist today (Route 53 DELETE must match exactly). */
  delete: RecordSet[];
  /** Desired sets not written because their name belongs to someone else. */
  skippedForeign: RecordSet[];
  /** Number of current record sets owned by `ownerId` (marker TXTs included): the guard's base. */
  ownedCount: number;
}

/** Options of {@link diffRecordSets}. */
export interface DiffOptions {
  /** Names always treated as foreign (data the caller cannot represent as a RecordSet). */
  foreignNames?: Iterable<string>;
  /** Every current name not in `foreignNames` is owned (a store only this owner writes). */
  exclusive?: boolean;
}

/** True when the TXT set marks its guarded name as owned by `ownerId`. */
export function isOwnershipMarkerOf(txt: RecordSet | undefined, ownerId: string): boolean {
  if (!txt || txt.type !== 'TXT' || txt.values.length === 0) return false;
  return txt.values.every((v) => parseOwnership(v)?.owner === ownerId);
}

/** The base name a record set belongs to for ownership purposes (strips the marker affix). */
function baseName(rs: RecordSet): string {
  return rs.type === 'TXT' ? (ownedNameOf(rs.name) ?? rs.name) : rs.name;
}

/**
 * Computes the changes needed to reach `desired` for names owned by `ownerId`.
 * Input order does not matter; every output list is in canonical order.
 */
export function diffRecordSets(
  current: readonly RecordSet[],
  desired: readonly RecordSet[],
  ownerId: string,
  options: DiffOptions = {},
): RecordSetDiff {
  const byKey = new Map<string, RecordSet>();
  const forced = new Set(options.foreignNames ?? []);
  const occupied = new Set<string>(forced); // base names with anything present
  for (const rs of current) {
    byKey.set(recordSetKey(rs), rs);
    occupied.add(baseName(rs));
  }
  const ownedNames = new Set<string>();
  for (const base of occupied) {
    if (forced.has(base)) continue;
    if (options.exclusive || isOwnershipMarkerOf(byKey.get(recordSetKey({ name: ownershipTxtName(base), type: 'TXT' })), ownerId)) {
      ownedNames.add(base);
    }
  }

  const diff: RecordSetDiff = { create: [], update: [], delete: [], skippedForeign: [], ownedCount: 0 };
  const desiredKeys = new Set<string>();
  for (const rs of desired) {
    const key = recordSetKey(rs);
    desiredKeys.add(key);
    const base = baseName(rs);
    if (occupied.has(base) && !ownedNames.has(base)) {
      diff.skippedForeign.push(rs);
      continue;
    }
    const existing = byKey.get(key);
    if (!existing) diff.create.push(rs);
    else if (!sameRecordSet(existing, rs)) diff.update.push(rs);
  }
  for (const rs of current) {
    if (!ownedNames.has(baseName(rs))) continue;
    diff.ownedCount++;
    if (!desiredKeys.has(recordSetKey(rs))) diff.delete.push(rs);
  }
  diff.create = sortRecordSets(diff.create);
  diff.update = sortRecordSets(diff.update);
  diff.delete = sortRecordSets(diff.delete);
  diff.skippedForeign = sortRecordSets(diff.skippedForeign);
  return diff;
}

/** Outcome of {@link guardDeletions}. */
export interface DeletionGuardResult {
  allowed: boolean;
  /**
   * Deleted record sets the guard counts (see {@link countsAsDeletion}): every deleted address set
   * (A/AAAA), and every other deleted set whose name disappears from the zone.
   */
  deletes: number;
  /** Owned record sets today. */
  owned: number;
  /** `deletes / owned` (0 when nothing is owned). */
  share: number;
  maxDeleteShare: number;
  /** Human-readable reason when refused. */
  reason?: string;
}

/** Default share of owned record sets one publish may delete (octoDNS uses 0.3 for its own guard). */
export const DEFAULT_MAX_DELETE_SHARE = 0.3;

/**
 * Below this many owned record sets the guard never refuses: deleting one small service must stay
 * possible (octoDNS's `MIN_EXISTING_RECORDS` = 10 for the same reason).
 */
export const DEFAULT_GUARD_MIN_OWNED = 10;

/** What a publish removes, as the guard sees it. */
export interface GuardedChange {
  /** Record sets the publish deletes, as they exist today. */
  delete: readonly RecordSet[];
  /** Every record set the zone holds (or is asked to hold) after the publish. */
  desired: readonly RecordSet[];
}

/**
 * True when deleting `rs` counts against the guard: `rs` is an address set (A or AAAA: resolvers lose
 * those addresses, whether the name vanishes or is replaced at the same name by a CNAME fallback), or
 * `rs.name` holds nothing in `desired` (the name vanishes). A CNAME, SRV or TXT set replaced at a name
 * that stays (a fallback CNAME turning back into addresses) is a change, not a loss. An address set that
 * stays with fewer values is an update, not a deletion: the name still answers with addresses.
 */
export function countsAsDeletion(rs: RecordSet, keptNames: ReadonlySet<string>): boolean {
  return rs.type === 'A' || rs.type === 'AAAA' || !keptNames.has(normalizeName(rs.name));
}

/**
 * Mass-deletion guard (ExternalDNS's worst incidents deleted whole zones after a restart or an API
 * timeout returned an empty source; withdrawing every address at once is the same outage with the names
 * left in place). Counts `deletes` = the deleted record sets for which {@link countsAsDeletion} holds:
 * every deleted or replaced A/AAAA set plus every other deleted set whose name vanishes.
 * Refuses when `ownedCount >= minOwned` AND `deletes / ownedCount > maxDeleteShare`.
 * `maxDeleteShare` in 0..1 (1 disables the guard); `ownedCount` counts owned record sets today,
 * ownership TXTs included.
 *
 * Arithmetic at the defaults (0.3, 10): one service on three clusters, each in its own zone and region,
 * owns 7 names + 7 TXTs = 14 sets; one cluster going NotReady replaces its zone and region A sets by
 * CNAMEs (2/14 = 14 %), two clusters 4/14 = 29 %: both are published. Every cluster NotReady replaces 6
 * address sets and removes the global A set and its TXT (8/14 = 57 %): refused.
 */
export function guardDeletions(
  change: GuardedChange,
  ownedCount: number,
  maxDeleteShare: number = DEFAULT_MAX_DELETE_SHARE,
  minOwned: number = DEFAULT_GUARD_MIN_OWNED,
): DeletionGuardResult {
  const kept = new Set(change.desired.map((r) => normalizeName(r.name)));
  const deletes = change.delete.filter((r) => countsAsDeletion(r, kept)).length;
  const share = ownedCount > 0 ? deletes / ownedCount : 0;
  const base = { deletes, owned: ownedCount, share, maxDeleteShare };
  if (ownedCount < minOwned || share <= maxDeleteShare) return { ...base, allowed: true };
  return {
    ...base,
    allowed: false,
    reason: `refusing to delete ${deletes} of ${ownedCount} owned record sets (${(share * 100).toFixed(1)}% > ${(maxDeleteShare * 100).toFixed(1)}%)`,
  };
}
