/**
 * The contract every DNS provider implements, so the reconciler publishes planner output the same way to
 * the built-in server, Route 53, or anything added later.
 */
import { DomainError, ErrorCode } from '#libs/common';
import {
  DEFAULT_GUARD_MIN_OWNED,
  DEFAULT_MAX_DELETE_SHARE,
  diffRecordSets,
  guardDeletions,
  type DeletionGuardResult,
  type RecordSet,
  type RecordSetDiff,
} from '../planner/index.js';

/** Per-publish options. */
export interface PublishOptions {
  /** Bypass the mass-deletion guard (an operator-confirmed cleanup). */
  force?: boolean;
  /** Compute and return the diff without changing anything. */
  dryRun?: boolean;
  /** Route 53: wait until the change is INSYNC on all name servers. */
  waitForSync?: boolean;
}

/** What a publish did. */
export interface PublishResult {
  provider: string;
  /** Zone apex (lower-case, no trailing dot). */
  zone: string;
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

/** A DNS provider. `publish` converges the owned part of `zone` to `desired`. */
export interface DnsProvider {
  readonly name: string;
  /**
   * @param zone apex of the zone the records live in (e.g. `example.com`).
   * @param desired planner output restricted to that zone (ownership TXTs included).
   * @throws DomainError Invalid (records outside the zone), Conflict (deletion guard refused),
   *   NotFound (zone unknown), Unavailable (provider failures after retries).
   */
  publish(zone: string, desired: readonly RecordSet[], options?: PublishOptions): Promise<PublishResult>;
}

/** Hooks for metrics exporters (e.g. prom-client counters); every hook optional. */
export interface DnsProviderMetrics {
  /** The mass-deletion guard refused a publish. */
  deletionGuardTripped?(event: { provider: string; zone: string } & DeletionGuardResult): void;
  /** A publish finished (successfully). */
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

/** The settings every provider shares for ownership and the mass-deletion guard. */
export interface OwnedPublishSettings {
  ownerId: string;
  maxDeleteShare?: number;
  guardMinOwned?: number;
  logger?: DnsProviderLogger;
  metrics?: DnsProviderMetrics;
}

/**
 * The provider-independent half of a publish: the ownership diff of `current` against `desired`, the
 * mass-deletion guard (refusal → metric hook, log line, `Conflict` DomainError unless `force`), and the
 * result skeleton the provider fills in as it applies the changes.
 */
export function preparePublish(
  provider: string,
  apex: string,
  current: RecordSet[],
  desired: RecordSet[],
  settings: OwnedPublishSettings,
  options: PublishOptions,
  context: { foreignNames?: ReadonlySet<string>; log?: Record<string, unknown>; insync: boolean },
): { diff: RecordSetDiff; result: PublishResult } {
  const diff = diffRecordSets(current, desired, settings.ownerId, { foreignNames: context.foreignNames });
  const guard = guardDeletions({ delete: diff.delete, desired }, diff.ownedCount, settings.maxDeleteShare ?? DEFAULT_MAX_DELETE_SHARE, settings.guardMinOwned ?? DEFAULT_GUARD_MIN_OWNED);
  if (!guard.allowed && !options.force) {
    settings.metrics?.deletionGuardTripped?.({ provider, zone: apex, ...guard });
    settings.logger?.warn(
      { provider, zone: apex, ...context.log, deletes: guard.deletes, owned: guard.owned, share: guard.share, maxDeleteShare: guard.maxDeleteShare },
      `dns publish refused: ${guard.reason}`,
    );
    throw new DomainError(ErrorCode.Conflict, `${guard.reason} in zone ${apex}`, [{ path: 'desired', message: guard.reason! }]);
  }
  const result: PublishResult = {
    provider,
    zone: apex,
    created: diff.create,
    updated: diff.update,
    deleted: diff.delete,
    skippedForeign: diff.skippedForeign,
    batches: 0,
    changeIds: [],
    insync: context.insync,
    dryRun: !!options.dryRun,
  };
  return { diff, result };
}
