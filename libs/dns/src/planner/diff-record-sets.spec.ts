import { diffRecordSets, guardDeletions, type DeletionGuardResult } from './diff-record-sets.js';
import { planRecords, type PlanInput } from './plan-records.js';
import { formatOwnership, ownershipTxtName, parseOwnership } from './ownership.js';
import type { RecordSet, RecordType } from './record-set.js';

const ME = 'fed-a';
const rs = (name: string, type: RecordType, values: string[], ttl = 30): RecordSet => ({ name, type, ttl, values });
const mark = (name: string, owner = ME): RecordSet =>
  rs(ownershipTxtName(name), 'TXT', [formatOwnership(owner, 'service/test/nginx')]);

describe('diffRecordSets', () => {
  const cases: Array<{
    title: string;
    current: RecordSet[];
    desired: RecordSet[];
    expected: { create: string[]; update: string[]; delete: string[]; skippedForeign: string[]; ownedCount: number };
  }> = [
    {
      title: 'empty zone: everything is created',
      current: [],
      desired: [rs('a.x.com', 'A', ['10.0.0.1']), mark('a.x.com')],
      expected: { create: ['a.x.com/A', '_ubernetes-owner.a.x.com/TXT'], update: [], delete: [], skippedForeign: [], ownedCount: 0 },
    },
    {
      title: 'owned and unchanged: nothing to do',
      current: [rs('a.x.com', 'A', ['10.0.0.2', '10.0.0.1']), mark('a.x.com')],
      desired: [rs('a.x.com', 'A', ['10.0.0.1', '10.0.0.2']), mark('a.x.com')],
      expected: { create: [], update: [], delete: [], skippedForeign: [], ownedCount: 2 },
    },
    {
      title: 'owned with new values or TTL: update',
      current: [rs('a.x.com', 'A', ['10.0.0.1']), rs('b.x.com', 'A', ['10.0.0.1']), mark('a.x.com'), mark('b.x.com')],
      desired: [rs('a.x.com', 'A', ['10.0.0.9']), rs('b.x.com', 'A', ['10.0.0.1'], 60), mark('a.x.com'), mark('b.x.com')],
      expected: { create: [], update: ['a.x.com/A', 'b.x.com/A'], delete: [], skippedForeign: [], ownedCount: 4 },
    },
    {
      title: 'owned type change A → CNAME: create + delete',
      current: [rs('a.x.com', 'A', ['10.0.0.1']), mark('a.x.com')],
      desired: [rs('a.x.com', 'CNAME', ['b.x.com']), mark('a.x.com')],
      expected: { create: ['a.x.com/CNAME'], update: [], delete: ['a.x.com/A'], skippedForeign: [], ownedCount: 2 },
    },
    {
      title: 'owned names no longer desired are deleted with their marker',
      current: [rs('a.x.com', 'A', ['10.0.0.1']), mark('a.x.com')],
      desired: [],
      expected: { create: [], update: [], delete: ['a.x.com/A', '_ubernetes-owner.a.x.com/TXT'], skippedForeign: [], ownedCount: 2 },
    },
    {
      title: 'unmarked existing name is foreign: skipped, never deleted',
      current: [rs('a.x.com', 'CNAME', ['elsewhere.net'])],
      desired: [rs('a.x.com', 'A', ['10.0.0.1']), mark('a.x.com')],
      expected: { create: [], update: [], delete: [], skippedForeign: ['a.x.com/A', '_ubernetes-owner.a.x.com/TXT'], ownedCount: 0 },
    },
    {
      title: 'name marked by another owner is foreign',
      current: [rs('a.x.com', 'A', ['10.9.9.9']), mark('a.x.com', 'other-fed'), rs('z.x.com', 'A', ['1.1.1.1']), mark('z.x.com', 'other-fed')],
      desired: [rs('a.x.com', 'A', ['10.0.0.1']), mark('a.x.com')],
      expected: { create: [], update: [], delete: [], skippedForeign: ['a.x.com/A', '_ubernetes-owner.a.x.com/TXT'], ownedCount: 0 },
    },
    {
      title: 'a foreign TXT at the marker name alone also makes the name foreign',
      current: [rs(ownershipTxtName('a.x.com'), 'TXT', ['something else'])],
      desired: [rs('a.x.com', 'A', ['10.0.0.1']), mark('a.x.com')],
      expected: { create: [], update: [], delete: [], skippedForeign: ['a.x.com/A', '_ubernetes-owner.a.x.com/TXT'], ownedCount: 0 },
    },
    {
      title: 'apex SOA/NS-like foreign sets are ignored',
      current: [rs('x.com', 'TXT', ['v=spf1 -all'])],
      desired: [rs('a.x.com', 'A', ['10.0.0.1']), mark('a.x.com')],
      expected: { create: ['a.x.com/A', '_ubernetes-owner.a.x.com/TXT'], update: [], delete: [], skippedForeign: [], ownedCount: 0 },
    },
  ];

  it.each(cases)('$title', ({ current, desired, expected }) => {
    const d = diffRecordSets(current, desired, ME);
    const keys = (l: RecordSet[]): string[] => l.map((r) => `${r.name}/${r.type}`).sort();
    expect({
      create: keys(d.create),
      update: keys(d.update),
      delete: keys(d.delete),
      skippedForeign: keys(d.skippedForeign),
      ownedCount: d.ownedCount,
    }).toEqual({
      create: [...expected.create].sort(),
      update: [...expected.update].sort(),
      delete: [...expected.delete].sort(),
      skippedForeign: [...expected.skippedForeign].sort(),
      ownedCount: expected.ownedCount,
    });
  });

  it('an exclusive store (the built-in one) owns every set it holds, marked or not, and leaks nothing', () => {
    const current = [rs('a.x.com', 'CNAME', ['elsewhere.net']), rs('b.x.com', 'A', ['10.9.9.9']), mark('b.x.com', 'other-fed'), rs('c.x.com', 'A', ['10.0.0.3'])];
    const desired = [rs('a.x.com', 'A', ['10.0.0.1']), mark('a.x.com')];
    const d = diffRecordSets(current, desired, ME, { exclusive: true });
    const keys = (l: RecordSet[]): string[] => l.map((r) => `${r.name}/${r.type}`);
    expect({ create: keys(d.create), update: keys(d.update), delete: keys(d.delete), skippedForeign: keys(d.skippedForeign), ownedCount: d.ownedCount }).toEqual({
      create: ['a.x.com/A', '_ubernetes-owner.a.x.com/TXT'],
      update: [],
      delete: ['a.x.com/CNAME', 'b.x.com/A', '_ubernetes-owner.b.x.com/TXT', 'c.x.com/A'],
      skippedForeign: [],
      ownedCount: 4,
    });
  });

  it('deletes carry the current values exactly', () => {
    const current = [rs('a.x.com', 'A', ['10.0.0.1', '10.0.0.3'], 77), mark('a.x.com')];
    expect(diffRecordSets(current, [], ME).delete[0]).toEqual(current[0]);
  });
});

describe('ownership markers', () => {
  it.each([
    ['heritage=ubernetes,ubernetes/owner=fed-a,ubernetes/resource=service/ns/n', 'fed-a'],
    ['"heritage=ubernetes,ubernetes/owner=fed-b,ubernetes/resource=service/ns/n"', 'fed-b'],
    ['heritage=external-dns,external-dns/owner=fed-a', undefined],
    ['v=spf1 -all', undefined],
  ])('parses %s', (value, owner) => {
    expect(parseOwnership(value)?.owner).toBe(owner);
  });
});

describe('guardDeletions', () => {
  const dels = (n: number) => ({ delete: Array.from({ length: n }, (_, i) => rs(`n${i}.x.com`, 'A', ['1.1.1.1'])), desired: [] });
  it.each([
    { deletes: 0, owned: 100, share: 0.3, allowed: true },
    { deletes: 30, owned: 100, share: 0.3, allowed: true },
    { deletes: 31, owned: 100, share: 0.3, allowed: false },
    { deletes: 100, owned: 100, share: 1, allowed: true },
    { deletes: 9, owned: 9, share: 0.3, allowed: true }, // below the minimum owned count
    { deletes: 10, owned: 10, share: 0.5, allowed: false },
    { deletes: 0, owned: 0, share: 0.3, allowed: true },
  ])('$deletes of $owned at max $share → allowed=$allowed', ({ deletes, owned, share, allowed }) => {
    const r = guardDeletions(dels(deletes), owned, share);
    expect(r.allowed).toBe(allowed);
    if (!allowed) expect(r.reason).toMatch(/refusing to delete/);
  });

  const sets = (spec: string): RecordSet[] =>
    spec
      .split(';')
      .filter(Boolean)
      .map((one) => {
        const [name, type, ...values] = one.trim().split(' ');
        return rs(`${name}.x.com`, type as RecordType, values.length ? values : ['1.1.1.1']);
      });
  it.each([
    { title: 'an A set replaced at the same name by a CNAME fallback counts', deleted: 'a A', desired: 'a CNAME r.x.com', deletes: 1 },
    { title: 'an AAAA set replaced at the same name counts', deleted: 'a AAAA 2001:db8::1', desired: 'a CNAME r.x.com', deletes: 1 },
    { title: 'an AAAA set deleted while the A set stays counts', deleted: 'a AAAA 2001:db8::1', desired: 'a A', deletes: 1 },
    { title: 'an A set whose name vanishes counts', deleted: 'a A', desired: 'b A', deletes: 1 },
    { title: 'a CNAME fallback replaced by addresses (recovery) is a change', deleted: 'a CNAME r.x.com', desired: 'a A', deletes: 0 },
    { title: 'a CNAME whose name vanishes counts', deleted: 'a CNAME r.x.com', desired: '', deletes: 1 },
    { title: 'an ownership TXT whose name vanishes counts', deleted: '_ubernetes-owner.a TXT m', desired: 'a A', deletes: 1 },
    { title: 'an SRV set whose name vanishes counts', deleted: '_http._tcp.a SRV 0 1 80 a.x.com', desired: 'a A', deletes: 1 },
    { title: 'names compare case-insensitively', deleted: 'A CNAME r.x.com', desired: 'a A', deletes: 0 },
  ])('$title', ({ deleted, desired, deletes }) => {
    expect(guardDeletions({ delete: sets(deleted), desired: sets(desired) }, 1).deletes).toBe(deletes);
  });
});

describe('guardDeletions on planner output: normal failover passes, withdrawing every address is refused', () => {
  /** The built-in store's path: it holds only this owner's sets (`exclusive`). */
  const asStore = (current: RecordSet[], desired: RecordSet[]): DeletionGuardResult => {
    const diff = diffRecordSets(current, desired, ME, { exclusive: true });
    return guardDeletions({ delete: diff.delete, desired }, diff.ownedCount);
  };
  /** One service `web` with an IP per cluster; `down` clusters are NotReady. */
  const plan = (clusters: Array<{ name: string; region: string; zone: string }>, down: string[], ports: PlanInput['services'][0]['ports'] = []) =>
    planRecords({
      federation: 'fed',
      suffix: 'x.com',
      ownerId: ME,
      services: [
        {
          namespace: 'default',
          name: 'web',
          ports,
          endpoints: clusters.map((c, i) => ({ cluster: c.name, region: c.region, zones: [c.zone], healthy: !down.includes(c.name), ingress: [{ ip: `10.0.0.${i + 1}` }] })),
        },
      ],
    });
  const ownZones = [
    { name: 'c1', region: 'r1', zone: 'z1' },
    { name: 'c2', region: 'r2', zone: 'z2' },
    { name: 'c3', region: 'r3', zone: 'z3' },
  ];
  const twoInOneZone = [
    { name: 'c1', region: 'us-east-1', zone: 'us-east-1a' },
    { name: 'c2', region: 'us-east-1', zone: 'us-east-1a' },
    { name: 'c3', region: 'eu-west-1', zone: 'eu-west-1a' },
  ];
  const http = [{ name: 'http', protocol: 'TCP', port: 80 }];
  it.each([
    { title: 'own zones: one of three NotReady', clusters: ownZones, down: ['c1'], ports: [], owned: 14, deletes: 2, allowed: true },
    { title: 'own zones: two of three NotReady', clusters: ownZones, down: ['c1', 'c2'], ports: [], owned: 14, deletes: 4, allowed: true },
    { title: 'own zones: all three NotReady', clusters: ownZones, down: ['c1', 'c2', 'c3'], ports: [], owned: 14, deletes: 8, allowed: false },
    { title: 'own zones + SRV: one of three NotReady', clusters: ownZones, down: ['c3'], ports: http, owned: 16, deletes: 2, allowed: true },
    { title: 'own zones + SRV: all three NotReady', clusters: ownZones, down: ['c1', 'c2', 'c3'], ports: http, owned: 16, deletes: 10, allowed: false },
    { title: 'two share a zone: the lone one NotReady', clusters: twoInOneZone, down: ['c3'], ports: http, owned: 12, deletes: 2, allowed: true },
    { title: 'two share a zone: both of them NotReady', clusters: twoInOneZone, down: ['c1', 'c2'], ports: http, owned: 12, deletes: 2, allowed: true },
    { title: 'two share a zone: all three NotReady', clusters: twoInOneZone, down: ['c1', 'c2', 'c3'], ports: http, owned: 12, deletes: 8, allowed: false },
  ])('$title → $deletes of $owned counted, allowed=$allowed', ({ clusters, down, ports, owned, deletes, allowed }) => {
    const before = plan(clusters, [], ports);
    const after = plan(clusters, down, ports);
    const diff = diffRecordSets(before, after, ME);
    expect(diff.ownedCount).toBe(owned);
    // The ownership-marker path (Route 53) and the built-in store's path (exclusive) count the same way.
    const viaDiff = guardDeletions({ delete: diff.delete, desired: after }, diff.ownedCount);
    expect(viaDiff).toEqual(asStore(before, after));
    expect(viaDiff).toMatchObject({ deletes, owned, allowed });
    // Recovery replaces CNAME fallbacks by addresses: nothing counted.
    expect(asStore(after, before).deletes).toBe(0);
  });
});
