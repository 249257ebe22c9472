/**
 * Publishes into the built-in server's {@link InMemoryRecordSource} with the same ownership diff and
 * mass-deletion guard as the external providers, so behaviour does not depend on the provider.
 */
import { DomainError, ErrorCode } from '#libs/common';
import {
  isInZone,
  normalizeName,
  normalizeRecordSet,
  recordSetKey,
  type RecordSet,
} from '../planner/index.js';
import type { InMemoryRecordSource } from '../server/index.js';
import { preparePublish, type DnsProvider, type OwnedPublishSettings, type PublishOptions, type PublishResult } from './dns-provider.js';

/** Options of {@link BuiltinDnsProvider}: ownership and the mass-deletion guard. */
export type BuiltinDnsProviderOptions = OwnedPublishSettings;

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
    const { diff, result } = preparePublish(this.name, apex, current, wanted, this.options, options, { insync: true });
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
