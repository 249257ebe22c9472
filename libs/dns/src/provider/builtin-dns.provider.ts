/**
 * The built-in server's {@link InMemoryRecordSource} as a provider: an in-process zone for a standalone
 * server and for tests (the federation's built-in provider is the database store every `dns` replica
 * serves, `#libs/dns-publishing`). The source may hold other record sets too, so ownership applies.
 */
import { recordSetKey } from '../planner/index.js';
import type { InMemoryRecordSource } from '../server/index.js';
import type { AppliedChange, ApprovedChange, DnsProvider, ProviderZone } from './dns-provider.js';

/** Provider backed by the in-process authoritative server. */
export class BuiltinDnsProvider implements DnsProvider {
  readonly name = 'builtin';
  readonly apexRecords = true;
  readonly synchronous = true;

  constructor(private readonly source: InMemoryRecordSource) {}

  async read(apex: string): Promise<ProviderZone> {
    return { apex, current: this.source.getRecords(apex) ?? [] };
  }

  async apply(zone: ProviderZone, { diff }: ApprovedChange): Promise<AppliedChange> {
    const unchanged = { changed: false, batches: 0, changeIds: [], insync: true };
    if (diff.create.length + diff.update.length + diff.delete.length === 0) return unchanged;
    const next = new Map(zone.current.map((r) => [recordSetKey(r), r]));
    for (const r of diff.delete) next.delete(recordSetKey(r));
    for (const r of [...diff.create, ...diff.update]) next.set(recordSetKey(r), r);
    this.source.setRecords(zone.apex, [...next.values()]);
    return { ...unchanged, changed: true, batches: 1 };
  }
}
