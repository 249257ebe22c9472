import { Injectable, Logger } from '@nestjs/common';
import type { AppliedChange, ApprovedChange, DnsProvider, ProviderZone, PublishOptions, RecordSet, RecordType } from '#libs/dns';
import { DnsRecordStore, type DnsHeldService } from '#libs/persistence';
import { withOwners } from './fail-open.js';

/** Publish options of the built-in store. */
export interface StorePublishOptions extends PublishOptions {
  /**
   * The fail-open holds in force with these record sets (`service/<ns>/<name>` → since, addresses),
   * stored in the same transaction so the records and what the API says about them never disagree.
   */
  held?: Record<string, DnsHeldService>;
}

/**
 * The built-in provider: the database store every `dns` replica serves (`DbRecordSource`), and the
 * desired state every other provider is pushed from. Only this federation writes it, so every stored
 * set is owned (`exclusive`): the ownership diff and the deletion guard count it like a zone it owns
 * whole. `apply` replaces the zone in one transaction (serial bumped only on change, NOTIFY at commit),
 * with each set's owning resource taken from its ownership TXT.
 */
@Injectable()
export class StoreDnsProvider implements DnsProvider<ProviderZone, StorePublishOptions> {
  readonly name = 'builtin';
  readonly apexRecords = true;
  readonly synchronous = true;
  /** The publisher's log context: one filter shows every line of a publish. */
  private readonly logger = new Logger('DnsPublishService');

  constructor(private readonly store: DnsRecordStore) {}

  async read(apex: string): Promise<ProviderZone> {
    const stored = await this.store.listZone(apex);
    return { apex, exclusive: true, current: stored.map((r): RecordSet => ({ name: r.name, type: r.type as RecordType, ttl: r.ttl, values: r.values })) };
  }

  async apply(zone: ProviderZone, change: ApprovedChange, options: StorePublishOptions): Promise<AppliedChange> {
    const result = await this.store.replaceZone(zone.apex, withOwners(change.desired), { held: options.held });
    if (result.changed) {
      this.logger.log(
        { provider: this.name, zone: zone.apex, serial: result.serial, created: result.created, updated: result.updated, deleted: result.deleted },
        'dns zone published',
      );
    }
    return { changed: result.changed, batches: result.changed ? 1 : 0, changeIds: [], insync: true };
  }
}
