import { formatOwnership, ownershipTxtName, planRecords, publishRecords, type PlanInput, type RecordSet } from '#libs/dns';
import { DomainError, ErrorCode } from '#libs/common';
import type { DnsRecordStore } from '#libs/persistence';
import { StoreDnsProvider } from './store-dns.provider.js';
import { FakeDnsStore } from './testing/publish-fakes.js';

/** `n` services, each on two clusters in their own zone and region (10 owned sets each). */
const input = (n: number): PlanInput => ({
  federation: 'fed',
  suffix: 'example.com',
  ownerId: 'fed',
  services: Array.from({ length: n }, (_, i) => ({
    namespace: 'default',
    name: `s${i}`,
    endpoints: [
      { cluster: 'c1', region: 'us-east-1', zones: ['us-east-1a'], healthy: true, ingress: [{ ip: '198.51.100.1' }] },
      { cluster: 'c2', region: 'eu-west-1', zones: ['eu-west-1a'], healthy: true, ingress: [{ ip: '198.51.100.2' }] },
    ],
  })),
});
const settings = { ownerId: 'fed', maxDeleteShare: 0.3 };
const hold = { 'service/default/s0': { since: '2026-01-01T00:00:00.000Z', addresses: ['198.51.100.1'] } };

describe('StoreDnsProvider: the built-in store as a provider', () => {
  function setup() {
    const store = new FakeDnsStore();
    const provider = new StoreDnsProvider(store as unknown as DnsRecordStore);
    const publish = (desired: RecordSet[], held = {}) => publishRecords(provider, 'example.com', desired, settings, { held });
    return { store, provider, publish };
  }

  it('stores the planner output with each set’s owning resource from its ownership TXT, and the holds with it', async () => {
    const { store, publish } = setup();
    const first = await publish(planRecords(input(1)), hold);
    expect(first).toMatchObject({ provider: 'builtin', zone: 'example.com', changed: true, batches: 1, insync: true });
    expect(first.created).toHaveLength(10);
    expect(store.records).toHaveLength(10);
    expect(new Set(store.records.map((r) => r.ownerResource))).toEqual(new Set(['service/default/s0']));
    expect(store.held).toEqual(hold);

    // The same records with the hold ended: nothing changes, the holds are still written.
    const again = await publish(planRecords(input(1)), {});
    expect(again).toMatchObject({ changed: false, created: [], updated: [], deleted: [] });
    expect(store.held).toEqual({});
  });

  it('owns every set it holds (exclusive): a set left by an earlier owner id is deleted, never skipped', async () => {
    const { store, publish } = setup();
    await publish(planRecords(input(1)));
    const stray = { name: 'old.default.fed.svc.example.com', type: 'A', ttl: 30, values: ['192.0.2.1'], ownerResource: null, zone: 'example.com', updatedAt: new Date() };
    const strayMark = { ...stray, name: ownershipTxtName(stray.name), type: 'TXT', values: [formatOwnership('old-owner', 'service/default/old')] };
    store.records.push(stray, strayMark);
    const r = await publish(planRecords(input(1)));
    expect(r.skippedForeign).toEqual([]);
    expect(r.deleted.map((d) => `${d.name}/${d.type}`)).toEqual([`${stray.name}/A`, `${strayMark.name}/TXT`]);
    expect(store.records.map((x) => x.name)).not.toContain(stray.name);
  });

  it('a refused publish leaves the stored records and the holds as they were', async () => {
    const { store, publish } = setup();
    await publish(planRecords(input(3)), hold);
    const before = JSON.stringify(store.records);
    const serial = store.serial;
    const error = await publish(planRecords(input(1)), {}).catch((e: unknown) => e);
    expect((error as DomainError).code).toBe(ErrorCode.Conflict);
    expect((error as DomainError).message).toBe('refusing to delete 20 of 30 owned record sets (66.7% > 30.0%) in zone example.com');
    expect(JSON.stringify(store.records)).toBe(before);
    expect(store.serial).toBe(serial);
    expect(store.held).toEqual(hold);
  });
});
