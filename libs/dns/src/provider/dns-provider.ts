/**
 * The contract every DNS provider implements, and the one way every provider is published to.
 *
 * A provider only says what it holds ({@link DnsProvider.read}) and makes an approved change real
 * ({@link DnsProvider.apply}). {@link publishRecords} drives every provider the same way:
 *
 *   read → ownership diff (`diffRecordSets`) → mass-deletion guard (`guardDeletions`) → apply
 *
 * so the guard is computed once per publish, here, and no provider can skip it.
 */
import { DomainError, ErrorCode } from '#libs/common';
import {
  DEFAULT_GUARD_MIN_OWNED,
  DEFAULT_MAX_DELETE_SHARE,
  diffRecordSets,
  guardDeletions,
  isInZone,
  normalizeName,
  normalizeRecordSet,
  type DeletionGuardResult,
  type RecordSet,
  type RecordSetDiff,
} from '../planner/index.js';

/** Per-publish options. A provider may accept more (its second type parameter). */
export interface PublishOptions {
  /** Bypass the mass-deletion guard (an operator-confirmed cleanup). */
  force?: boolean;
  /** Compute and return the diff without changing anything. */
  dryRun?: boolean;
  /** Route 53: wait until the change is INSYNC on all name servers. */
  waitForSync?: boolean;
}

/** What a provider holds in one zone, as {@link DnsProvider.read} returns it. */
export interface ProviderZone {
  /** Zone apex (lower-case, no trailing dot). */
  apex: string;
  /** Every record set there the shared model can express ({@link RecordSet}), foreign ones included. */
  current: RecordSet[];
  /** Names holding data the shared model cannot express (alias, weighted, MX...): always foreign. */
  foreignNames?: ReadonlySet<string>;
  /** The provider's store holds only this federation's record sets: every current name is owned. */
  exclusive?: boolean;
  /** Context keys for log lines about this zone (e.g. `hostedZoneId`). */
  log?: Record<string, unknown>;
}

/** A change the guard let through, handed to {@link DnsProvider.apply}. */
export interface ApprovedChange {
  /** The owner id the change is made for (ownership TXTs name it). */
  ownerId: string;
  /** Every record set the zone's owned part holds afterwards (normalized, ownership TXTs included). */
  desired: RecordSet[];
  /** What to create, update and delete to get there (foreign names already left out). */
  diff: RecordSetDiff;
}

/** What {@link DnsProvider.apply} did. */
export interface AppliedChange {
  /** The provider's contents changed. */
  changed: boolean;
  /** Number of change requests sent. */
  batches: number;
  /** Provider change ids (Route 53 `/change/...`), in order. */
  changeIds: string[];
  /** The provider confirmed propagation (Route 53 INSYNC), or serves changes at once. */
  insync: boolean;
}

/**
 * A DNS provider: where record sets are published. Stateless between calls: what `apply` needs from the
 * read travels in the zone object (`Zone`, e.g. Route 53's listed record sets verbatim).
 */
export interface DnsProvider<Zone extends ProviderZone = ProviderZone, Options extends PublishOptions = PublishOptions> {
  /** `builtin`, `route53`: the label of its metrics, log lines and stored publish state. */
  readonly name: string;
  /** Record sets may sit at the apex itself (Route 53: no, the apex holds the zone's SOA and NS). */
  readonly apexRecords: boolean;
  /** Changes are served as soon as `apply` returns (no later propagation to confirm). */
  readonly synchronous: boolean;
  /**
   * What the provider holds in zone `apex`.
   * @throws DomainError NotFound (zone unknown), Unavailable (provider failures after retries).
   */
  read(apex: string): Promise<Zone>;
  /**
   * Makes `change` real. Called after the guard allowed it (or `force`), never for a dry run; also for an
   * empty diff (a store may keep more than record sets with them, e.g. fail-open holds).
   */
  apply(zone: Zone, change: ApprovedChange, options: Options): Promise<AppliedChange>;
}

/** What a publish did. */
export interface PublishResult {
  provider: string;
  /** Zone apex (lower-case, no trailing dot). */
  zone: string;
  /** The provider's contents changed (false for a dry run). */
  changed: boolean;
  created: RecordSet[];
  updated: RecordSet[];
  deleted: RecordSet[];
  skippedForeign: RecordSet[];
  /** Number of change requests sent (0 when nothing changed or dry run). */
  batches: number;
  /** Provider change ids (Route 53 `/change/...`), in order. */
  changeIds: string[];
  /** True when the provider confirmed propagation (Route 53 INSYNC), or the provider is synchronous. */
  insync: boolean;
  dryRun: boolean;
}

/** Hooks for metrics exporters (e.g. prom-client counters); every hook optional. */
export interface DnsProviderMetrics {
  /** The mass-deletion guard refused a publish. */
  deletionGuardTripped?(event: { provider: string; zone: string } & DeletionGuardResult): void;
  /** A publish changed something. */
  published?(event: { provider: string; zone: string; created: number; updated: number; deleted: number; skippedForeign: number; batches: number }): void;
  /** A provider request is being retried. */
  retried?(event: { provider: string; operation: string; error: string; attempt: number; delayMs: number }): void;
}

/** Structured logger subset used by providers (pino-compatible). */
export interface DnsProviderLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug?(obj: object, msg: string): void;
}

/** Ownership and mass-deletion guard settings of a publish (the same for every provider). */
export interface OwnedPublishSettings {
  ownerId: string;
  /** Largest share of owned record sets one publish may delete; default {@link DEFAULT_MAX_DELETE_SHARE}. */
  maxDeleteShare?: number;
  /** The guard applies from this many owned record sets; default {@link DEFAULT_GUARD_MIN_OWNED}. */
  guardMinOwned?: number;
  logger?: DnsProviderLogger;
  metrics?: DnsProviderMetrics;
}

/**
 * Converges the owned part of `zone` at `provider` to `desired`:
 * 1. refuses record sets outside the zone (or at its apex, when the provider keeps none there);
 * 2. reads what the provider holds;
 * 3. ownership diff: only free or owned names are written, only owned names deleted;
 * 4. mass-deletion guard: a refusal calls `metrics.deletionGuardTripped`, logs `dns publish refused: …`
 *    and throws, unless `options.force`;
 * 5. applies the change (not for a dry run) and reports it.
 * @param zone apex of the zone the records live in (e.g. `example.com`).
 * @param desired planner output restricted to that zone (ownership TXTs included).
 * @throws DomainError Invalid (records outside the zone), Conflict (deletion guard refused), and
 *   whatever the provider throws (NotFound: zone unknown; Unavailable: failures after retries).
 */
export async function publishRecords<Zone extends ProviderZone, Options extends PublishOptions>(
  provider: DnsProvider<Zone, Options>,
  zone: string,
  desired: readonly RecordSet[],
  settings: OwnedPublishSettings,
  options: Options,
): Promise<PublishResult> {
  const apex = normalizeName(zone);
  const wanted = desired.map(normalizeRecordSet);
  const outside = wanted.filter((r) => !isInZone(r.name, apex) || (!provider.apexRecords && r.name === apex));
  if (outside.length) {
    const where = provider.apexRecords ? `outside zone ${apex}` : `not below zone ${apex}`;
    throw DomainError.invalid(outside.map((r) => ({ path: `desired.${r.name}`, message: where })));
  }
  const held = await provider.read(apex);
  const log = { provider: provider.name, zone: apex, ...held.log };
  const diff = diffRecordSets(held.current, wanted, settings.ownerId, { foreignNames: held.foreignNames, exclusive: held.exclusive });
  const guard = guardDeletions({ delete: diff.delete, desired: wanted }, diff.ownedCount, settings.maxDeleteShare ?? DEFAULT_MAX_DELETE_SHARE, settings.guardMinOwned ?? DEFAULT_GUARD_MIN_OWNED);
  if (!guard.allowed && !options.force) {
    settings.metrics?.deletionGuardTripped?.({ provider: provider.name, zone: apex, ...guard });
    settings.logger?.warn({ ...log, deletes: guard.deletes, owned: guard.owned, share: guard.share, maxDeleteShare: guard.maxDeleteShare }, `dns publish refused: ${guard.reason}`);
    throw new DomainError(ErrorCode.Conflict, `${guard.reason} in zone ${apex}`, [{ path: 'desired', message: guard.reason! }]);
  }
  if (diff.skippedForeign.length) {
    settings.logger?.warn({ ...log, names: [...new Set(diff.skippedForeign.map((r) => r.name))] }, 'dns names owned by someone else left untouched');
  }
  const result: PublishResult = {
    provider: provider.name,
    zone: apex,
    changed: false,
    created: diff.create,
    updated: diff.update,
    deleted: diff.delete,
    skippedForeign: diff.skippedForeign,
    batches: 0,
    changeIds: [],
    insync: provider.synchronous,
    dryRun: !!options.dryRun,
  };
  if (options.dryRun) return result;
  const applied = await provider.apply(held, { ownerId: settings.ownerId, desired: wanted, diff }, options);
  result.changed = applied.changed;
  result.batches = applied.batches;
  result.changeIds = applied.changeIds;
  result.insync = applied.insync;
  if (diff.create.length + diff.update.length + diff.delete.length > 0) {
    settings.metrics?.published?.({
      provider: provider.name,
      zone: apex,
      created: diff.create.length,
      updated: diff.update.length,
      deleted: diff.delete.length,
      skippedForeign: diff.skippedForeign.length,
      batches: applied.batches,
    });
  }
  return result;
}
