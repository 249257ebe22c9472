import { DnsProviderName, type AppConfig } from '#libs/config';
import { MetricsService } from '#libs/observability';
import type { DnsProviderPublishState, DnsRecordStore, StoredRecord, StoredRecordSet } from '#libs/persistence';
import type { QueueService } from '#libs/queues';
import { DnsPublishService } from './dns-publish.service.js';
import { ClusterTopologySource, ServiceEndpointSource, type ClusterTopologyView, type ServiceEndpointsView } from './publish-inputs.js';

/** The store's contract, in memory (only the methods the publisher uses; anything else fails loudly). */
class FakeStore {
  records: StoredRecord[] = [];
  serial = 0;
  providers: Record<string, DnsProviderPublishState> = {};
  async listZone(): Promise<StoredRecord[]> {
    return this.records;
  }
  async replaceZone(apex: string, rrsets: readonly StoredRecordSet[]) {
    const before = JSON.stringify(this.records.map(({ updatedAt: _u, ...r }) => r));
    this.records = rrsets.map((r) => ({ ...r, zone: apex, updatedAt: new Date() }));
    const changed = before !== JSON.stringify(this.records.map(({ updatedAt: _u, ...r }) => r));
    if (changed) this.serial++;
    return { changed, serial: this.serial, created: 0, updated: 0, deleted: 0 };
  }
  async recordProviderState(_apex: string, provider: string, state: DnsProviderPublishState): Promise<void> {
    this.providers[provider] = state;
  }
}

class Services extends ServiceEndpointSource {
  services: ServiceEndpointsView[] = [];
  async listServiceEndpoints() {
    return this.services;
  }
}

class Clusters extends ClusterTopologySource {
  async listClusters(): Promise<ClusterTopologyView[]> {
    return [
      { name: 'c1', ready: true, region: 'us-east-1', zones: ['us-east-1a'] },
      { name: 'c2', ready: true, region: 'eu-west-1', zones: ['eu-west-1a'] },
    ];
  }
}

const svc = (name: string): ServiceEndpointsView => ({
  namespace: 'default',
  name,
  ports: [],
  clusters: [
    { cluster: 'c1', ingress: [{ ip: '198.51.100.1' }], readyEndpoints: 1 },
    { cluster: 'c2', ingress: [{ ip: '198.51.100.2' }], readyEndpoints: 1 },
  ],
});

describe('DnsPublishService: the mass-deletion guard keeps the stored records', () => {
  const config = {
    federationName: 'fed',
    dns: { zone: 'example.com', ttl: 30, ownerId: 'fed', host: '127.0.0.1', port: 0, providers: [DnsProviderName.Builtin], maxDeleteShare: 0.3, resyncSeconds: 30 },
  } as unknown as AppConfig;

  it('publishes, then refuses a publish that would delete most owned records (log + metric + state)', async () => {
    const store = new FakeStore();
    const services = new Services();
    const metrics = new MetricsService();
    const publisher = new DnsPublishService(store as unknown as DnsRecordStore, services, new Clusters(), {} as QueueService, metrics, config);

    services.services = [svc('a'), svc('b'), svc('c')];
    const first = await publisher.publishZone('example.com');
    expect(first.providers).toEqual([expect.objectContaining({ provider: 'builtin', result: 'published' })]);
    const stored = store.records.map((r) => `${r.name}/${r.type}`);
    // per service: global + 2 regions + 2 zones, each with its ownership TXT
    expect(stored).toHaveLength(3 * 10);
    expect(store.records.find((r) => r.name === 'a.default.fed.svc.example.com' && r.type === 'A')).toMatchObject({ values: ['198.51.100.1', '198.51.100.2'], ownerResource: 'service/default/a' });

    services.services = [svc('a')];
    const refused = await publisher.publishZone('example.com');
    expect(refused.providers).toEqual([expect.objectContaining({ provider: 'builtin', result: 'refused', message: expect.stringContaining('refusing to delete 20 of 30') })]);
    expect(store.records.map((r) => `${r.name}/${r.type}`)).toEqual(stored);
    expect(store.providers.builtin).toMatchObject({ result: 'refused' });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/ubernetes_dns_publish_refused_total\{provider="builtin",zone="example.com"\} 1/);
    expect(text).toMatch(/ubernetes_dns_publishes_total\{provider="builtin",zone="example.com",result="refused"\} 1/);

    const unknown = await publisher.publishZone('other.example').catch((e: unknown) => e);
    expect((unknown as Error).message).toContain('other.example');
  });
});
