import { DomainError, ErrorCode } from '#libs/common';
import { DnsProviderName, type AppConfig } from '#libs/config';
import type { AppliedChange, ApprovedChange, DnsProvider, ProviderZone, RecordSet } from '#libs/dns';
import type { FederationEventsService } from '#libs/events';
import { MetricsService } from '#libs/observability';
import type { DnsRecordStore } from '#libs/persistence';
import type { QueueService } from '#libs/queues';
import { DnsProviders } from './dns-providers.js';
import { DnsJob, DnsPublishService } from './dns-publish.service.js';
import type { ServiceEndpointsView } from './publish-inputs.js';
import { StoreDnsProvider } from './store-dns.provider.js';
import { FakeClusters, FakeDnsStore, FakeEvents, FakeServiceEndpoints } from './testing/publish-fakes.js';

const config = {
  federationName: 'fed',
  dns: {
    zone: 'fed.example.com',
    ttl: 30,
    ownerId: 'fed',
    host: '127.0.0.1',
    port: 0,
    providers: [DnsProviderName.Builtin, DnsProviderName.Route53],
    maxDeleteShare: 0.3,
    resyncSeconds: 30,
    route53: { hostedZoneName: 'example.com', region: 'us-east-1', waitForSync: false },
  },
} as unknown as AppConfig;
const svc = (name: string): ServiceEndpointsView => ({
  namespace: 'default',
  name,
  ports: [],
  clusters: [
    { cluster: 'c1', ingress: [{ ip: '198.51.100.1' }], readyEndpoints: 1 },
    { cluster: 'c2', ingress: [{ ip: '198.51.100.2' }], readyEndpoints: 1 },
  ],
});

/** A hosted zone on plain data, ownership by marker (like Route 53); `fail` makes the next read throw. */
class FakeRemoteProvider implements DnsProvider {
  readonly name = 'route53';
  readonly apexRecords = false;
  readonly synchronous = false;
  readonly zones: string[] = [];
  fail?: Error;

  constructor(public records: RecordSet[]) {}

  async read(apex: string): Promise<ProviderZone> {
    this.zones.push(apex);
    if (this.fail) throw this.fail;
    return { apex, current: this.records };
  }

  async apply(_zone: ProviderZone, { diff }: ApprovedChange): Promise<AppliedChange> {
    const gone = new Set([...diff.delete, ...diff.update].map((r) => `${r.name}/${r.type}`));
    this.records = [...this.records.filter((r) => !gone.has(`${r.name}/${r.type}`)), ...diff.create, ...diff.update];
    return { changed: gone.size + diff.create.length > 0, batches: 1, changeIds: ['/change/C1'], insync: false };
  }
}

function setup() {
  const store = new FakeDnsStore();
  const services = new FakeServiceEndpoints();
  const clusters = new FakeClusters([
    { name: 'c1', ready: true, region: 'us-east-1', zones: ['us-east-1a'] },
    { name: 'c2', ready: true, region: 'eu-west-1', zones: ['eu-west-1a'] },
  ]);
  const metrics = new MetricsService();
  const jobs: { name: string; data: unknown }[] = [];
  const queues = { enqueue: async (_q: string, name: string, data: unknown) => (jobs.push({ name, data }), `${name}:1`) } as unknown as QueueService;
  const www: RecordSet = { name: 'www.example.com', type: 'CNAME', ttl: 300, values: ['elsewhere.example.net'] };
  // Someone else's record at a name the plan wants.
  const taken: RecordSet = { name: 'a.default.fed.svc.eu-west-1.fed.example.com', type: 'A', ttl: 60, values: ['203.0.113.9'] };
  const remote = new FakeRemoteProvider([www, taken]);
  const providers = new DnsProviders(new StoreDnsProvider(store as unknown as DnsRecordStore), remote);
  const publisher = new DnsPublishService(store as unknown as DnsRecordStore, services, clusters, queues, metrics, config, new FakeEvents() as unknown as FederationEventsService, providers);
  return { store, services, metrics, jobs, remote, publisher, www, taken };
}

describe('DnsPublishService: every configured provider driven the same way', () => {
  it('publishes the store first, then pushes what it holds to Route 53 in a job of its own (hosted zone = a parent of DNS_ZONE)', async () => {
    const { store, services, metrics, jobs, remote, publisher, www, taken } = setup();
    services.services = [svc('a'), svc('b')];
    const report = await publisher.publishZone('fed.example.com');
    expect(report.providers).toEqual([{ provider: 'builtin', result: 'published', created: 20, updated: 0, deleted: 0 }]);
    expect(jobs).toEqual([{ name: DnsJob.PublishRoute53, data: { zone: 'fed.example.com' } }]);
    expect(remote.zones).toEqual([]);

    const pushed = await publisher.publishZoneToRoute53('fed.example.com');
    expect(pushed).toEqual({ provider: 'route53', result: 'published', created: 18, updated: 0, deleted: 0 });
    expect(remote.zones).toEqual(['example.com']);
    expect(remote.records).toContainEqual(www);
    expect(remote.records).toContainEqual(taken);
    expect(store.providers.route53).toMatchObject({ result: 'published', skippedForeign: [`${taken.name}/A`, `_ubernetes-owner.${taken.name}/TXT`] });
    expect(store.providers.builtin).not.toHaveProperty('skippedForeign');

    const listed = await publisher.listPublished();
    const states = (name: string) => listed.items.find((i) => i.name === name && i.type === 'A')!.providers.map((p) => `${p.provider}:${p.state}`);
    expect(states(taken.name)).toEqual(['builtin:published', 'route53:skipped-foreign']);
    expect(states('a.default.fed.svc.fed.example.com')).toEqual(['builtin:published', 'route53:published']);

    expect(await publisher.publishZoneToRoute53('fed.example.com')).toMatchObject({ result: 'unchanged' });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/ubernetes_dns_publishes_total\{provider="builtin",zone="fed.example.com",result="published"\} 1/);
    expect(text).toMatch(/ubernetes_dns_publishes_total\{provider="route53",zone="fed.example.com",result="published"\} 1/);
    expect(text).toMatch(/ubernetes_dns_publishes_total\{provider="route53",zone="fed.example.com",result="unchanged"\} 1/);
  });

  it('the same guard refuses for Route 53 as for the store: an outcome with state and metrics, not an error', async () => {
    const { store, services, metrics, remote, publisher } = setup();
    services.services = [svc('a'), svc('b'), svc('c')];
    await publisher.publishZone('fed.example.com');
    await publisher.publishZoneToRoute53('fed.example.com');
    const before = remote.records;

    // The store lost two of three services (e.g. a forced cleanup): the push would withdraw most of Route 53
    // (20 of the 28 sets it owns there; 2 planned names are someone else's).
    store.records = store.records.filter((r) => r.ownerResource === 'service/default/a');
    const refused = await publisher.publishZoneToRoute53('fed.example.com');
    expect(refused).toEqual({
      provider: 'route53',
      result: 'refused',
      created: 0,
      updated: 0,
      deleted: 0,
      message: 'refusing to delete 20 of 28 owned record sets (71.4% > 30.0%) in zone example.com',
    });
    expect(remote.records).toBe(before);
    expect(store.providers.route53).toMatchObject({ result: 'refused', message: refused.message });
    expect(await metrics.registry.metrics()).toMatch(/ubernetes_dns_publish_refused_total\{provider="route53",zone="example.com"\} 1/);
  });

  it('a provider failure is recorded as failed and thrown for the queue to retry', async () => {
    const { store, services, metrics, remote, publisher } = setup();
    services.services = [svc('a')];
    await publisher.publishZone('fed.example.com');
    remote.fail = new DomainError(ErrorCode.Unavailable, 'Route 53 ListResourceRecordSets failed: InternalError: boom');
    await expect(publisher.publishZoneToRoute53('fed.example.com')).rejects.toBe(remote.fail);
    expect(store.providers.route53).toMatchObject({ result: 'failed', message: remote.fail.message });
    expect(await metrics.registry.metrics()).toMatch(/ubernetes_dns_publishes_total\{provider="route53",zone="fed.example.com",result="failed"\} 1/);
  });

  it('without route53 in DNS_PROVIDERS nothing is pushed and the push job is NotFound', async () => {
    const store = new FakeDnsStore();
    const services = new FakeServiceEndpoints();
    services.services = [svc('a')];
    const jobs: string[] = [];
    const queues = { enqueue: async (_q: string, name: string) => (jobs.push(name), name) } as unknown as QueueService;
    const builtinOnly = { ...config, dns: { ...config.dns, providers: [DnsProviderName.Builtin], route53: undefined } } as unknown as AppConfig;
    const publisher = new DnsPublishService(
      store as unknown as DnsRecordStore,
      services,
      new FakeClusters([{ name: 'c1', ready: true, region: 'us-east-1', zones: ['us-east-1a'] }]),
      queues,
      new MetricsService(),
      builtinOnly,
      new FakeEvents() as unknown as FederationEventsService,
      new DnsProviders(new StoreDnsProvider(store as unknown as DnsRecordStore)),
    );
    await publisher.publishZone('fed.example.com');
    expect(jobs).toEqual([]);
    const error = await publisher.publishZoneToRoute53('fed.example.com').catch((e: unknown) => e);
    expect((error as DomainError).code).toBe(ErrorCode.NotFound);
  });
});
