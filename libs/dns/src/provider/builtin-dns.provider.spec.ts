import { DomainError, ErrorCode } from '#libs/common';
import { planRecords, type PlanInput, type RecordSet } from '../planner/index.js';
import { InMemoryRecordSource } from '../server/index.js';
import { BuiltinDnsProvider } from './builtin-dns.provider.js';
import { publishRecords, type OwnedPublishSettings, type PublishOptions } from './dns-provider.js';

const input = (services: number, owner = 'fed-a'): PlanInput => ({
  federation: 'f',
  suffix: 'example.com',
  ownerId: owner,
  services: Array.from({ length: services }, (_, i) => ({
    namespace: 'ns',
    name: `s${i}`,
    endpoints: [{ cluster: 'c', region: 'r', zones: ['z'], healthy: true, ingress: [{ ip: `10.0.0.${i + 1}` }] }],
  })),
});

describe('BuiltinDnsProvider', () => {
  it('publishes planner output, leaves foreign names alone, and guards mass deletion', async () => {
    const source = new InMemoryRecordSource();
    source.setRecords('example.com', [
      { name: 'www.example.com', type: 'A', ttl: 60, values: ['192.0.2.1'] },
      { name: 's0.ns.f.svc.example.com', type: 'CNAME', ttl: 60, values: ['other.example.net'] },
    ]);
    const events: unknown[] = [];
    const settings: OwnedPublishSettings = { ownerId: 'fed-a', metrics: { deletionGuardTripped: (e) => events.push(e) } };
    const builtin = new BuiltinDnsProvider(source);
    const provider = { publish: (zone: string, desired: RecordSet[], options: PublishOptions = {}) => publishRecords(builtin, zone, desired, settings, options) };

    const first = await provider.publish('example.com', planRecords(input(5)));
    expect(first.skippedForeign.map((r) => r.name)).toEqual(['s0.ns.f.svc.example.com', '_ubernetes-owner.s0.ns.f.svc.example.com']);
    expect(first.created).toHaveLength(6 * 5 - 2);
    const records = source.getRecords('example.com')!;
    expect(records.find((r) => r.name === 'www.example.com')?.values).toEqual(['192.0.2.1']);
    expect(records.find((r) => r.name === 's0.ns.f.svc.example.com')?.type).toBe('CNAME');

    const again = await provider.publish('example.com', planRecords(input(5)));
    expect(again.created.length + again.updated.length + again.deleted.length).toBe(0);

    const error = await provider.publish('example.com', planRecords(input(1))).catch((e: unknown) => e);
    expect((error as DomainError).code).toBe(ErrorCode.Conflict);
    expect(events).toHaveLength(1);
    const forced = await provider.publish('example.com', planRecords(input(1)), { force: true });
    expect(forced.deleted).toHaveLength(6 * 4);
    expect(source.getRecords('example.com')!.find((r) => r.name === 'www.example.com')).toBeDefined();
  });

  it('refuses records outside the zone', async () => {
    const provider = new BuiltinDnsProvider(new InMemoryRecordSource());
    await expect(publishRecords(provider, 'example.org', planRecords(input(1)), { ownerId: 'fed-a' }, {})).rejects.toBeInstanceOf(DomainError);
  });
});
