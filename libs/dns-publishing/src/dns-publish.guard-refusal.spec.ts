import { DnsProviderName, type AppConfig } from '#libs/config';
import type { FederationEventsService } from '#libs/events';
import { MetricsService } from '#libs/observability';
import type { DnsRecordStore } from '#libs/persistence';
import type { QueueService } from '#libs/queues';
import { DnsProviders } from './dns-providers.js';
import { DnsPublishService } from './dns-publish.service.js';
import { StoreDnsProvider } from './store-dns.provider.js';
import type { ServiceEndpointsView } from './publish-inputs.js';
import { FakeClusters, FakeDnsStore, FakeEvents, FakeServiceEndpoints } from './testing/publish-fakes.js';

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
    const store = new FakeDnsStore();
    const services = new FakeServiceEndpoints();
    const metrics = new MetricsService();
    const clusters = new FakeClusters([
      { name: 'c1', ready: true, region: 'us-east-1', zones: ['us-east-1a'] },
      { name: 'c2', ready: true, region: 'eu-west-1', zones: ['eu-west-1a'] },
    ]);
    const events = new FakeEvents();
    const publisher = new DnsPublishService(store as unknown as DnsRecordStore, services, clusters, {} as QueueService, metrics, config, events as unknown as FederationEventsService, new DnsProviders(new StoreDnsProvider(store as unknown as DnsRecordStore)));

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
