import { diffRecordSets, guardDeletions } from './diff-record-sets.js';
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
  const dels = (n: number): { delete: RecordSet[] } => ({ delete: Array.from({ length: n }, (_, i) => rs(`n${i}.x.com`, 'A', ['1.1.1.1'])) });
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

  it('counts a record set replaced at the same name (A → CNAME fallback) as a change, not a deletion', () => {
    // A zone fails: its 12 A record sets turn into CNAMEs to the region name; no name disappears.
    const names = Array.from({ length: 12 }, (_, i) => `web${i}.ns.fed.svc.z.r.x.com`);
    const diff = {
      delete: names.map((n) => rs(n, 'A', ['1.1.1.1'])),
      create: names.map((n) => rs(n, 'CNAME', ['web.ns.fed.svc.r.x.com'])),
    };
    const r = guardDeletions(diff, 24, 0.3);
    expect(r).toMatchObject({ allowed: true, deletes: 0 });
    // The same deletions with the names gone for good are refused.
    expect(guardDeletions({ delete: diff.delete }, 24, 0.3).allowed).toBe(false);
  });
});
