import { DomainError, ErrorCode } from '#libs/common';
import { formatOwnership, ownershipTxtName, planRecords, type PlanInput, type RecordSet } from '../planner/index.js';
import { publishRecords, type AppliedChange, type ApprovedChange, type DnsProvider, type OwnedPublishSettings, type ProviderZone } from './dns-provider.js';

/** One service per name, each on three clusters in their own zone and region: 14 owned sets each. */
const input = (down: string[] = []): PlanInput => ({
  federation: 'fed',
  suffix: 'x.com',
  ownerId: 'fed-a',
  services: [
    {
      namespace: 'default',
      name: 'web',
      endpoints: ['c1', 'c2', 'c3'].map((c, i) => ({ cluster: c, region: `r${i}`, zones: [`z${i}`], healthy: !down.includes(c), ingress: [{ ip: `10.0.0.${i + 1}` }] })),
    },
  ],
});

/**
 * A provider on plain data: `exclusive` like the built-in store, or marker-owned with foreign records
 * beside ours like Route 53. Records every apply; `refuseApply` makes an apply fail the test.
 */
class FakeProvider implements DnsProvider {
  readonly synchronous = true;
  readonly applied: ApprovedChange[] = [];

  constructor(
    readonly name: string,
    public records: RecordSet[],
    private readonly shape: { exclusive?: boolean; apexRecords?: boolean; foreignNames?: string[] } = {},
  ) {}

  get apexRecords(): boolean {
    return this.shape.apexRecords ?? true;
  }

  async read(apex: string): Promise<ProviderZone> {
    return { apex, current: this.records, exclusive: this.shape.exclusive, foreignNames: new Set(this.shape.foreignNames ?? []) };
  }

  async apply(_zone: ProviderZone, change: ApprovedChange): Promise<AppliedChange> {
    this.applied.push(change);
    const gone = new Set(change.diff.delete.map((r) => `${r.name}/${r.type}`));
    const written = [...change.diff.create, ...change.diff.update];
    const replaced = new Set(written.map((r) => `${r.name}/${r.type}`));
    this.records = [...this.records.filter((r) => !gone.has(`${r.name}/${r.type}`) && !replaced.has(`${r.name}/${r.type}`)), ...written];
    return { changed: gone.size + written.length > 0, batches: 1, changeIds: [], insync: true };
  }
}

function settings(): OwnedPublishSettings & { tripped: unknown[]; warnings: string[] } {
  const tripped: unknown[] = [];
  const warnings: string[] = [];
  return {
    ownerId: 'fed-a',
    tripped,
    warnings,
    metrics: { deletionGuardTripped: (e) => tripped.push(e) },
    logger: { info: () => undefined, warn: (_o, m) => warnings.push(m), error: () => undefined },
  };
}

const foreign: RecordSet[] = [
  { name: 'www.x.com', type: 'CNAME', ttl: 300, values: ['elsewhere.example.net'] },
  { name: 'web.default.fed.svc.z9.r9.x.com', type: 'A', ttl: 60, values: ['203.0.113.9'] },
];

describe('publishRecords: read → diff → deletion guard → apply, the same for every provider', () => {
  const providers = () => [
    new FakeProvider('builtin', planRecords(input()), { exclusive: true }),
    new FakeProvider('route53', [...foreign, ...planRecords(input())], { apexRecords: false }),
  ];

  it.each([
    { title: 'one cluster down: published', down: ['c1'], refused: false, deletes: 2 },
    { title: 'two clusters down: published', down: ['c1', 'c2'], refused: false, deletes: 4 },
    { title: 'every cluster down: refused, nothing applied', down: ['c1', 'c2', 'c3'], refused: true, deletes: 8 },
  ])('$title — both providers decide alike', async ({ down, refused, deletes }) => {
    for (const provider of providers()) {
      const s = settings();
      const before = provider.records;
      const outcome = await publishRecords(provider, 'x.com', planRecords(input(down)), s, {}).catch((e: unknown) => e);
      if (refused) {
        expect(outcome).toBeInstanceOf(DomainError);
        expect((outcome as DomainError).code).toBe(ErrorCode.Conflict);
        expect((outcome as DomainError).message).toBe(`refusing to delete ${deletes} of 14 owned record sets (57.1% > 30.0%) in zone x.com`);
        expect(provider.applied).toEqual([]);
        expect(provider.records).toBe(before);
        expect(s.tripped).toEqual([expect.objectContaining({ provider: provider.name, zone: 'x.com', allowed: false, deletes, owned: 14 })]);
        expect(s.warnings).toEqual([expect.stringMatching(/^dns publish refused: refusing to delete 8 of 14/)]);
      } else {
        expect(outcome).toMatchObject({ provider: provider.name, zone: 'x.com', changed: true });
        expect(provider.applied).toHaveLength(1);
        expect(s.tripped).toEqual([]);
      }
    }
  });

  it('force applies what the guard refuses; a dry run applies nothing', async () => {
    for (const provider of providers()) {
      const everyDown = planRecords(input(['c1', 'c2', 'c3']));
      const dry = await publishRecords(provider, 'x.com', everyDown, settings(), { force: true, dryRun: true });
      expect(dry).toMatchObject({ dryRun: true, changed: false });
      expect(dry.deleted.length).toBeGreaterThan(0);
      expect(provider.applied).toEqual([]);
      const forced = await publishRecords(provider, 'x.com', everyDown, settings(), { force: true });
      expect(forced.changed).toBe(true);
      expect(provider.applied).toHaveLength(1);
    }
  });

  it('the exclusive store owns every set it holds; marker ownership leaves foreign names alone', async () => {
    const store = new FakeProvider('builtin', [...foreign], { exclusive: true });
    const r = await publishRecords(store, 'x.com', planRecords(input()), settings(), {});
    expect(r.skippedForeign).toEqual([]);
    expect(r.deleted.map((d) => d.name)).toEqual(['web.default.fed.svc.z9.r9.x.com', 'www.x.com']);

    const remote = new FakeProvider('route53', [...foreign, { name: 'mail.x.com', type: 'A', ttl: 60, values: ['192.0.2.25'] }], { foreignNames: ['web.default.fed.svc.z1.r1.x.com'] });
    const s = settings();
    const out = await publishRecords(remote, 'x.com', planRecords(input()), s, {});
    expect(out.deleted).toEqual([]);
    expect(out.skippedForeign.map((d) => `${d.name}/${d.type}`)).toEqual([
      'web.default.fed.svc.z1.r1.x.com/A',
      `${ownershipTxtName('web.default.fed.svc.z1.r1.x.com')}/TXT`,
    ]);
    expect(s.warnings).toEqual(['dns names owned by someone else left untouched']);
    expect(remote.records.filter((x) => foreign.includes(x) || x.name === 'mail.x.com')).toHaveLength(3);
  });

  it('apply runs for an empty diff too (a store keeps more than records with them)', async () => {
    const store = new FakeProvider('builtin', planRecords(input()), { exclusive: true });
    const r = await publishRecords(store, 'x.com', planRecords(input()), settings(), {});
    expect(store.applied).toHaveLength(1);
    expect(store.applied[0]!.diff).toMatchObject({ create: [], update: [], delete: [] });
    expect(store.applied[0]!.ownerId).toBe('fed-a');
    expect(r.changed).toBe(false);
  });

  it('refuses record sets outside the zone, and at the apex where the provider keeps none, before reading', async () => {
    const apex = { name: 'x.com', type: 'TXT' as const, ttl: 30, values: [formatOwnership('fed-a', 'service/default/web')] };
    const remote = new FakeProvider('route53', [], { apexRecords: false });
    remote.read = () => Promise.reject(new Error('read must not be called'));
    const atApex = await publishRecords(remote, 'x.com', [apex], settings(), {}).catch((e: unknown) => e);
    expect((atApex as DomainError).details).toEqual([{ path: 'desired.x.com', message: 'not below zone x.com' }]);
    const outside = await publishRecords(new FakeProvider('builtin', []), 'x.org', planRecords(input()), settings(), {}).catch((e: unknown) => e);
    expect((outside as DomainError).code).toBe(ErrorCode.Invalid);
    expect((outside as DomainError).details).toHaveLength(14);
    expect((outside as DomainError).details).toContainEqual({ path: 'desired.web.default.fed.svc.x.com', message: 'outside zone x.org' });
  });
});
