/**
 * In-memory stand-ins for the publisher's collaborators in unit specs: each implements only the methods
 * the publisher calls (anything else is absent and fails loudly).
 */
import type { NewEvent } from '#libs/events';
import type { DnsHeldService, DnsProviderPublishState, StoredRecord, StoredRecordSet, ZoneReplaceOptions } from '#libs/persistence';
import { ClusterTopologySource, ServiceEndpointSource, type ClusterTopologyView, type ServiceEndpointsView } from '../publish-inputs.js';

/** The store's contract for one zone. */
export class FakeDnsStore {
  records: StoredRecord[] = [];
  serial = 0;
  providers: Record<string, DnsProviderPublishState> = {};
  held: Record<string, DnsHeldService> = {};

  async listZone(): Promise<StoredRecord[]> {
    return this.records;
  }

  async getZone(apex: string) {
    return this.serial ? { apex, serial: this.serial, updatedAt: new Date(), providers: this.providers, held: this.held } : null;
  }

  async replaceZone(apex: string, rrsets: readonly StoredRecordSet[], options: ZoneReplaceOptions = {}) {
    if (options.held) this.held = options.held;
    const before = JSON.stringify(this.records.map(({ updatedAt: _u, ...r }) => r));
    this.records = rrsets.map((r) => ({ ...r, zone: apex, updatedAt: new Date() }));
    const changed = before !== JSON.stringify(this.records.map(({ updatedAt: _u, ...r }) => r));
    if (changed) this.serial++;
    return { changed, serial: this.serial, created: 0, updated: 0, deleted: 0 };
  }

  async recordProviderState(_apex: string, provider: string, state: DnsProviderPublishState): Promise<void> {
    this.providers[provider] = state;
  }

  async listByService(ownerResource: string): Promise<StoredRecord[]> {
    return this.records.filter((r) => r.ownerResource === ownerResource);
  }
}

/** Service endpoints as propagation would report them; assign `services`. */
export class FakeServiceEndpoints extends ServiceEndpointSource {
  services: ServiceEndpointsView[] = [];
  async listServiceEndpoints(): Promise<ServiceEndpointsView[]> {
    return this.services;
  }
}

/** Cluster health and topology; assign `clusters`. */
export class FakeClusters extends ClusterTopologySource {
  constructor(public clusters: ClusterTopologyView[]) {
    super();
  }
  async listClusters(): Promise<ClusterTopologyView[]> {
    return this.clusters;
  }
}

/** Events, deduplicated by key like the events table. */
export class FakeEvents {
  readonly recorded: NewEvent[] = [];
  async record(event: NewEvent): Promise<boolean> {
    if (event.dedupKey && this.recorded.some((e) => e.dedupKey === event.dedupKey)) return false;
    this.recorded.push(event);
    return true;
  }
}
