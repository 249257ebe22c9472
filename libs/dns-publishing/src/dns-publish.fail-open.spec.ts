import { DnsProviderName, type AppConfig } from '#libs/config';
import type { FederationEventsService } from '#libs/events';
import { MetricsService } from '#libs/observability';
import type { DnsRecordStore } from '#libs/persistence';
import type { QueueService } from '#libs/queues';
import { DnsProviders } from './dns-providers.js';
import { DnsPublishService } from './dns-publish.service.js';
import { StoreDnsProvider } from './store-dns.provider.js';
import type { ClusterTopologyView, ServiceEndpointsView } from './publish-inputs.js';
import { FakeClusters, FakeDnsStore, FakeEvents, FakeServiceEndpoints } from './testing/publish-fakes.js';

const config = {
  federationName: 'fed',
  dns: { zone: 'example.com', ttl: 30, ownerId: 'fed', host: '127.0.0.1', port: 0, providers: [DnsProviderName.Builtin], maxDeleteShare: 0.3, resyncSeconds: 30 },
} as unknown as AppConfig;
const G = 'web.default.fed.svc.example.com';
/** c1, c2 in us-east-1a, c3 in eu-west-1a; `failing[i]` consecutive failed probes. */
const topology = (ready: boolean[], failing: number[] = [0, 0, 0]): ClusterTopologyView[] => [
  { name: 'c1', ready: ready[0]!, failingProbes: failing[0], region: 'us-east-1', zones: ['us-east-1a'] },
  { name: 'c2', ready: ready[1]!, failingProbes: failing[1], region: 'us-east-1', zones: ['us-east-1a'] },
  { name: 'c3', ready: ready[2]!, failingProbes: failing[2], region: 'eu-west-1', zones: ['eu-west-1a'] },
];
const svc = (name: string, ingress = true): ServiceEndpointsView => ({
  namespace: 'default',
  name,
  ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
  clusters: ['c1', 'c2', 'c3'].map((cluster, i) => ({ cluster, ingress: ingress ? [{ ip: `127.66.${i + 1}.1` }] : [], readyEndpoints: 1 })),
});

function setup() {
  const store = new FakeDnsStore();
  const services = new FakeServiceEndpoints();
  const clusters = new FakeClusters(topology([true, true, true]));
  const events = new FakeEvents();
  const metrics = new MetricsService();
  const publisher = new DnsPublishService(store as unknown as DnsRecordStore, services, clusters, {} as QueueService, metrics, config, events as unknown as FederationEventsService, new DnsProviders(new StoreDnsProvider(store as unknown as DnsRecordStore)));
  const values = (name: string, type = 'A') => store.records.find((r) => r.name === name && r.type === type)?.values;
  return { store, services, clusters, events, metrics, publisher, values };
}

describe('DnsPublishService: DNS fails open when every member is unreachable', () => {
  it('keeps the last-known addresses, says so in the records API and one event, and follows health again on recovery', async () => {
    const { store, services, clusters, events, publisher, values } = setup();
    services.services = [svc('web')];
    await publisher.publishZone('example.com');
    const before = store.records.map(({ updatedAt: _u, ...r }) => r);
    expect(values(G)).toEqual(['127.66.1.1', '127.66.2.1', '127.66.3.1']);

    // Every member NotReady at once (a partition of the control plane, seen from inside).
    clusters.clusters = topology([false, false, false]);
    const held = await publisher.publishZone('example.com');
    expect(held.providers).toEqual([expect.objectContaining({ provider: 'builtin', result: 'unchanged' })]);
    expect(store.records.map(({ updatedAt: _u, ...r }) => r)).toEqual(before);
    const since = held.held['service/default/web']!.since;
    expect(Date.parse(since)).not.toBeNaN();

    const listed = await publisher.listPublished();
    expect(listed.held).toEqual([{ service: 'default/web', since, reason: 'no healthy endpoint; last-known addresses kept', addresses: ['127.66.1.1', '127.66.2.1', '127.66.3.1'] }]);
    expect(listed.items.length).toBe(before.length);
    for (const item of listed.items) expect(item.held).toEqual({ since, reason: 'no healthy endpoint; last-known addresses kept' });

    // Still unreachable: the same hold, no second event.
    await publisher.publishZone('example.com');
    expect((await publisher.listPublished('default/web')).held[0]?.since).toBe(since);
    expect(events.recorded.map((e) => e.reason)).toEqual(['DnsFailOpen']);
    expect(events.recorded[0]).toMatchObject({
      type: 'Warning',
      object: 'FederatedService/default/web',
      message: 'service default/web has no healthy endpoint: DNS keeps its last-known addresses (127.66.1.1, 127.66.2.1, 127.66.3.1)',
    });

    // One member back: DNS follows health again, the hold is gone.
    clusters.clusters = topology([false, false, true]);
    await publisher.publishZone('example.com');
    expect(values(G)).toEqual(['127.66.3.1']);
    expect(values('web.default.fed.svc.us-east-1a.us-east-1.example.com', 'CNAME')).toEqual(['web.default.fed.svc.us-east-1.example.com']);
    const after = await publisher.listPublished();
    expect(after.held).toEqual([]);
    expect(after.items.filter((i) => i.held)).toEqual([]);
    expect(events.recorded.map((e) => e.reason)).toEqual(['DnsFailOpen', 'DnsFailOpenEnded']);
    expect(events.recorded[1]).toMatchObject({ type: 'Normal', object: 'FederatedService/default/web' });

    // A new episode is a new event.
    clusters.clusters = topology([false, false, false]);
    await publisher.publishZone('example.com');
    expect(values(G)).toEqual(['127.66.3.1']);
    expect(events.recorded.map((e) => e.reason)).toEqual(['DnsFailOpen', 'DnsFailOpenEnded', 'DnsFailOpen']);
  });

  it('members failing together turn NotReady one probe period apart: the answer stays what it was before', async () => {
    const { services, clusters, events, publisher, values } = setup();
    services.services = [svc('web')];
    await publisher.publishZone('example.com');
    const all = ['127.66.1.1', '127.66.2.1', '127.66.3.1'];
    const names = [G, 'web.default.fed.svc.us-east-1.example.com', 'web.default.fed.svc.us-east-1a.us-east-1.example.com', 'web.default.fed.svc.eu-west-1.example.com'];
    const answers = () => names.map((n) => values(n));
    const before = answers();
    expect(before[0]).toEqual(all);

    for (const [ready, failing] of [
      [[false, true, true], [3, 2, 1]],
      [[false, false, true], [3, 3, 2]],
      [[false, false, false], [3, 3, 3]],
    ] as const) {
      clusters.clusters = topology([...ready], [...failing]);
      await publisher.publishZone('example.com');
      expect(answers()).toEqual(before);
    }
    expect(events.recorded.map((e) => e.reason)).toEqual(['DnsFailOpen']);
    expect(events.recorded[0]!.message).toContain('(127.66.1.1, 127.66.2.1, 127.66.3.1)');

    // A suspect whose probe answers again decides it: the plan follows health at once.
    clusters.clusters = topology([false, true, true], [3, 0, 1]);
    await publisher.publishZone('example.com');
    expect(values(G)).toEqual(['127.66.2.1', '127.66.3.1']);
    expect(events.recorded.map((e) => e.reason)).toEqual(['DnsFailOpen', 'DnsFailOpenEnded']);
  });

  it('a withdrawal that is not health (every load balancer gone) is refused by the guard, not held', async () => {
    const { store, services, metrics, publisher, values } = setup();
    services.services = [svc('web'), svc('api')];
    await publisher.publishZone('example.com');
    const before = store.records.map(({ updatedAt: _u, ...r }) => r);

    services.services = [svc('web', false), svc('api', false)];
    const report = await publisher.publishZone('example.com');
    expect(report.held).toEqual({});
    expect(report.providers).toEqual([expect.objectContaining({ provider: 'builtin', result: 'refused', message: expect.stringContaining('refusing to delete 16 of 24') })]);
    expect(store.records.map(({ updatedAt: _u, ...r }) => r)).toEqual(before);
    expect(values(G)).toEqual(['127.66.1.1', '127.66.2.1', '127.66.3.1']);
    expect(await metrics.registry.metrics()).toMatch(/ubernetes_dns_publish_refused_total\{provider="builtin",zone="example.com"\} 1/);
    expect((await publisher.listPublished()).providers.builtin).toMatchObject({ result: 'refused' });
  });
});
