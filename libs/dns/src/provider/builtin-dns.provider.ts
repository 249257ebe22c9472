/**
 * Publishes into the built-in server's {@link InMemoryRecordSource} with the same ownership diff and
 * mass-deletion guard as the external providers, so behaviour does not depend on the provider.
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
  recordSetKey,
  type RecordSet,
} from '../planner/index.js';
import type { InMemoryRecordSource } from '../server/index.js';
import type { DnsProvider, DnsProviderLogger, DnsProviderMetrics, PublishOptions, PublishResult } from './dns-provider.js';

/** Options of {@link BuiltinDnsProvider}. */
export interface BuiltinDnsProviderOptions {
  ownerId: string;
  maxDeleteShare?: number;
  guardMinOwned?: number;
  logger?: DnsProviderLogger;
  metrics?: DnsProviderMetrics;
}

/** Provider backed by the in-process authoritative server. */
export class BuiltinDnsProvider implements DnsProvider {
  readonly name = 'builtin';

  constructor(
    private readonly source: InMemoryRecordSource,
    private readonly options: BuiltinDnsProviderOptions,
  ) {}

  async publish(zone: string, desired: readonly RecordSet[], options: PublishOptions = {}): Promise<PublishResult> {
    const apex = normalizeName(zone);
    const wanted = desired.map(normalizeRecordSet);
    const outside = wanted.filter((r) => !isInZone(r.name, apex));
    if (outside.length) {
      throw DomainError.invalid(outside.map((r) => ({ path: `desired.${r.name}`, message: `outside zone ${apex}` })));
    }
    const current = this.source.getRecords(apex) ?? [];
    const diff = diffRecordSets(current, wanted, this.options.ownerId);
    const guard = guardDeletions(
      diff,
      diff.ownedCount,
      this.options.maxDeleteShare ?? DEFAULT_MAX_DELETE_SHARE,
      this.options.guardMinOwned ?? DEFAULT_GUARD_MIN_OWNED,
    );
    if (!guard.allowed && !options.force) {
      this.options.metrics?.deletionGuardTripped?.({ provider: this.name, zone: apex, ...guard });
      this.options.logger?.warn({ provider: this.name, zone: apex, deletes: guard.deletes, owned: guard.owned }, guard.reason!);
      throw new DomainError(ErrorCode.Conflict, guard.reason!, [{ path: 'desired', message: guard.reason! }]);
    }
    const result: PublishResult = {
      provider: this.name,
      zone: apex,
      created: diff.create,
      updated: diff.update,
      deleted: diff.delete,
      skippedForeign: diff.skippedForeign,
      batches: 0,
      changeIds: [],
      insync: true,
      dryRun: !!options.dryRun,
    };
    if (options.dryRun || diff.create.length + diff.update.length + diff.delete.length === 0) return result;
    const next = new Map(current.map((r) => [recordSetKey(r), r]));
    for (const r of diff.delete) next.delete(recordSetKey(r));
    for (const r of [...diff.create, ...diff.update]) next.set(recordSetKey(r), r);
    this.source.setRecords(apex, [...next.values()]);
    result.batches = 1;
    this.options.metrics?.published?.({
      provider: this.name,
      zone: apex,
      created: diff.create.length,
      updated: diff.update.length,
      deleted: diff.delete.length,
      skippedForeign: diff.skippedForeign.length,
      batches: 1,
    });
    return result;
  }
}
