import { ConditionStatus } from '#libs/registry';
import { DisruptionMode, evaluateGate, failureDomainOf, writeOffDueAtMs, WriteOffHold, type GateCluster, type GateState } from './disruption.js';

const S = { threshold: 0.55, recoveryGraceMs: 60_000, intervalMs: 10_000 };
const T0 = Date.parse('2026-12-04T12:00:00.000Z');

function cluster(name: string, zone: string, region: string, downAt?: number, failingProbes = 0): GateCluster {
  return {
    name,
    ready: downAt === undefined,
    readiness: downAt === undefined ? ConditionStatus.True : ConditionStatus.False,
    ...(downAt !== undefined ? { notReadySince: downAt } : {}),
    zones: [zone],
    region,
    failingProbes: downAt === undefined ? failingProbes : 0,
  };
}

/** Runs evaluations one after another, feeding each one's state to the next (as the service does). */
function run(steps: { at: number; clusters: GateCluster[] }[], start?: GateState) {
  let state = start;
  return steps.map(({ at, clusters }) => {
    const d = evaluateGate(clusters, state, S, at);
    state = d.state;
    return d;
  });
}

describe('failover gate: disruption modes', () => {
  it('1 of 3 NotReady (33% < 55%): Normal, its replicas may be written off at once', () => {
    const d = evaluateGate([cluster('a', 'z1', 'r1', T0), cluster('b', 'z2', 'r1'), cluster('c', 'z3', 'r2')], undefined, S, T0 + 100);
    expect(d.mode).toBe(DisruptionMode.Normal);
    expect(d.writeOffs).toEqual([{ cluster: 'a', atMs: T0, clockMs: T0 }]);
  });

  it('2 of 3 NotReady (67% >= 55%): PartialDisruption holds every write-off', () => {
    const d = evaluateGate([cluster('a', 'z1', 'r1', T0), cluster('b', 'z2', 'r1', T0 + 500), cluster('c', 'z3', 'r2')], undefined, S, T0 + 1_000);
    expect(d.mode).toBe(DisruptionMode.PartialDisruption);
    expect(d.share).toBeCloseTo(2 / 3);
    expect(d.writeOffs.map((w) => [w.cluster, w.atMs, w.hold?.reason])).toEqual([
      ['a', undefined, WriteOffHold.FederationDisrupted],
      ['b', undefined, WriteOffHold.FederationDisrupted],
    ]);
    expect(d.writeOffs[0].hold!.message).toContain('PartialDisruption (2/3 clusters NotReady, threshold 55%)');
  });

  it('every cluster NotReady: FullDisruption', () => {
    const d = evaluateGate([cluster('a', 'z1', 'r1', T0), cluster('b', 'z2', 'r1', T0), cluster('c', 'z3', 'r2', T0)], undefined, S, T0);
    expect(d.mode).toBe(DisruptionMode.FullDisruption);
    expect(d.writeOffs.every((w) => w.atMs === undefined)).toBe(true);
  });

  it('clusters never probed count neither way', () => {
    const unknown: GateCluster = { ...cluster('new', 'z9', 'r9'), ready: false, readiness: ConditionStatus.Unknown };
    const d = evaluateGate([cluster('a', 'z1', 'r1', T0), cluster('b', 'z2', 'r1'), cluster('c', 'z3', 'r2'), unknown], undefined, S, T0);
    expect(d.mode).toBe(DisruptionMode.Normal);
    expect(d.ready + d.notReady).toBe(3);
    expect(d.writeOffs.map((w) => w.cluster)).toEqual(['a']);
  });

  it('the first of three clusters frozen together is held while the others are failing probes (corroboration)', () => {
    const d = evaluateGate([cluster('a', 'z1', 'r1', T0), cluster('b', 'z2', 'r1', undefined, 2), cluster('c', 'z3', 'r2', undefined, 1)], undefined, S, T0 + 10);
    expect(d.mode).toBe(DisruptionMode.Normal);
    expect(d.writeOffs).toEqual([
      { cluster: 'a', clockMs: T0, hold: { reason: WriteOffHold.SuspectClusters, message: expect.stringContaining('b, c are failing probes too (3/3 clusters') } },
    ]);
    // The suspects recover: the write-off goes ahead, counted from when the cluster turned NotReady.
    const later = evaluateGate([cluster('a', 'z1', 'r1', T0), cluster('b', 'z2', 'r1'), cluster('c', 'z3', 'r2')], d.state, S, T0 + 3_000);
    expect(later.writeOffs).toEqual([{ cluster: 'a', atMs: T0, clockMs: T0 }]);
  });

  it('one suspect among five does not hold a single failure (2/5 < 55%)', () => {
    const d = evaluateGate(
      [cluster('a', 'z1', 'r1', T0), cluster('b', 'z2', 'r1', undefined, 1), cluster('c', 'z3', 'r2'), cluster('d', 'z4', 'r2'), cluster('e', 'z5', 'r3')],
      undefined,
      S,
      T0,
    );
    expect(d.writeOffs).toEqual([{ cluster: 'a', atMs: T0, clockMs: T0 }]);
  });

  it('a region with >= 3 NotReady clusters and some Ready is disrupted; a region wholly down is an outage and fails over', () => {
    const big = [
      cluster('r1-a', 'z1', 'r1', T0),
      cluster('r1-b', 'z1', 'r1', T0),
      cluster('r1-c', 'z2', 'r1', T0),
      cluster('r1-d', 'z2', 'r1'),
      ...Array.from({ length: 6 }, (_, i) => cluster(`r2-${i}`, 'z3', 'r2')),
    ];
    const partial = evaluateGate(big, undefined, S, T0);
    expect(partial.mode).toBe(DisruptionMode.Normal);
    expect(partial.regions.find((r) => r.region === 'r1')).toEqual({ region: 'r1', ready: 1, notReady: 3, disrupted: true });
    expect(partial.writeOffs.every((w) => w.hold?.reason === WriteOffHold.RegionDisrupted)).toBe(true);
    expect(partial.state.disruptedRegions).toEqual(['r1']);

    const whole = evaluateGate([...big.slice(0, 3), cluster('r1-d', 'z2', 'r1', T0), ...big.slice(4)], undefined, S, T0);
    expect(whole.regions.find((r) => r.region === 'r1')!.disrupted).toBe(false);
    expect(whole.writeOffs.every((w) => w.hold === undefined || w.hold.reason === WriteOffHold.RateLimited)).toBe(true);
  });
});

describe('failover gate: leaving a disruption', () => {
  it('clusters back by the end hold nothing; a straggler gets its clock restarted and the recovery grace', () => {
    const [during, after] = run([
      { at: T0 + 1_000, clusters: [cluster('a', 'z1', 'r1', T0), cluster('b', 'z2', 'r1', T0), cluster('c', 'z3', 'r2', T0)] },
      // a and b are back; c (1/3) is not: the federation leaves the disruption now.
      { at: T0 + 30_000, clusters: [cluster('a', 'z1', 'r1'), cluster('b', 'z2', 'r1'), cluster('c', 'z3', 'r2', T0)] },
    ]);
    expect(during.mode).toBe(DisruptionMode.FullDisruption);
    expect(during.state.sinceMs).toBe(T0 + 1_000);
    expect(after.mode).toBe(DisruptionMode.Normal);
    expect(after.recoveredAtMs).toBe(T0 + 30_000);
    expect(after.writeOffs).toEqual([
      { cluster: 'c', atMs: T0 + 90_000, clockMs: T0 + 30_000, hold: { reason: WriteOffHold.RecoveryGrace, message: expect.stringContaining('c gets 60s to come back') } },
    ]);
    // The workload's failover delay counts from the restarted clock.
    expect(writeOffDueAtMs(after.writeOffs[0], 0)).toBe(T0 + 90_000);
    expect(writeOffDueAtMs(after.writeOffs[0], 120)).toBe(T0 + 150_000);
  });

  it('partial ↔ full is one disruption: its start does not move', () => {
    const [a, b] = run([
      { at: T0, clusters: [cluster('a', 'z1', 'r1', T0), cluster('b', 'z2', 'r1', T0), cluster('c', 'z3', 'r2')] },
      { at: T0 + 5_000, clusters: [cluster('a', 'z1', 'r1', T0), cluster('b', 'z2', 'r1', T0), cluster('c', 'z3', 'r2', T0 + 4_000)] },
    ]);
    expect([a.mode, b.mode]).toEqual([DisruptionMode.PartialDisruption, DisruptionMode.FullDisruption]);
    expect(b.sinceMs).toBe(T0);
  });
});

describe('failover gate: one failure domain per interval', () => {
  const five = (down: Record<string, number>) =>
    ['a:z1', 'b:z2', 'c:z3', 'd:z4', 'e:z5'].map((s) => {
      const [n, z] = s.split(':');
      return cluster(n, z, z === 'z5' ? 'r2' : 'r1', down[n]);
    });

  it('a second domain 3 s after the first waits for the interval; its slot is kept for the outage', () => {
    const [first, second, again] = run([
      { at: T0 + 50, clusters: five({ a: T0 }) },
      { at: T0 + 3_050, clusters: five({ a: T0, c: T0 + 3_000 }) },
      { at: T0 + 4_000, clusters: five({ a: T0, c: T0 + 3_000 }) },
    ]);
    expect(first.writeOffs).toEqual([{ cluster: 'a', atMs: T0, clockMs: T0 }]);
    expect(second.writeOffs[1]).toEqual({
      cluster: 'c',
      atMs: T0 + 10_000,
      clockMs: T0 + 3_000,
      hold: { reason: WriteOffHold.RateLimited, message: `at most one failure domain is written off per 10s: replicas of c (z3) can be written off at ${new Date(T0 + 10_000).toISOString()}` },
    });
    expect(again.writeOffs[1].atMs).toBe(T0 + 10_000);
    // At the slot it goes ahead.
    const due = evaluateGate(five({ a: T0, c: T0 + 3_000 }), again.state, S, T0 + 10_000);
    expect(due.writeOffs[1]).toEqual({ cluster: 'c', atMs: T0 + 10_000, clockMs: T0 + 3_000 });
  });

  it('clusters of one zone failing together count once', () => {
    const clusters = [cluster('a1', 'z1', 'r1', T0), cluster('a2', 'z1', 'r1', T0 + 1_500), cluster('b', 'z2', 'r1'), cluster('c', 'z3', 'r2'), cluster('d', 'z4', 'r2'), cluster('e', 'z5', 'r2')];
    const [, both] = run([
      { at: T0, clusters: [cluster('a1', 'z1', 'r1', T0), ...clusters.slice(1).map((c) => (c.name === 'a2' ? cluster('a2', 'z1', 'r1') : c))] },
      { at: T0 + 1_600, clusters },
    ]);
    expect(both.writeOffs).toEqual([
      { cluster: 'a1', atMs: T0, clockMs: T0 },
      { cluster: 'a2', atMs: T0 + 1_500, clockMs: T0 + 1_500 },
    ]);
  });

  it('a domain that fails long after the last write-off is not limited', () => {
    const [, later] = run([
      { at: T0, clusters: five({ a: T0 }) },
      { at: T0 + 60_000, clusters: five({ a: T0, c: T0 + 60_000 }) },
    ]);
    expect(later.writeOffs[1]).toEqual({ cluster: 'c', atMs: T0 + 60_000, clockMs: T0 + 60_000 });
  });

  it('a slot reserved for a cluster that came back holds nobody back', () => {
    // c straggled out of a disruption (grace until +60 s), then came back; a fails in another zone.
    const [, , back] = run([
      { at: T0, clusters: five({ a: T0 - 1_000, b: T0 - 1_000, c: T0 - 1_000 }) },
      { at: T0 + 5_000, clusters: five({ c: T0 - 1_000 }) },
      { at: T0 + 8_000, clusters: five({}) },
    ]);
    expect(back.state.slots).toEqual({});
    const fresh = evaluateGate(five({ d: T0 + 9_000 }), back.state, S, T0 + 9_100);
    expect(fresh.writeOffs).toEqual([{ cluster: 'd', atMs: T0 + 9_000, clockMs: T0 + 9_000 }]);
  });

  it('a new domain fits between reserved slots only with an interval on both sides', () => {
    // a's slot is used at T0; c (another zone) is reserved at T0 + 10 s; e fails at T0 + 1 s: T0 + 20 s.
    const seven = (down: Record<string, number>) => ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((n, i) => cluster(n, `z${i + 1}`, 'r1', down[n]));
    const [, , third] = run([
      { at: T0, clusters: seven({ a: T0 }) },
      { at: T0 + 500, clusters: seven({ a: T0, c: T0 + 500 }) },
      { at: T0 + 1_000, clusters: seven({ a: T0, c: T0 + 500, e: T0 + 1_000 }) },
    ]);
    expect(third.writeOffs.map((w) => [w.cluster, w.atMs])).toEqual([
      ['a', T0],
      ['c', T0 + 10_000],
      ['e', T0 + 20_000],
    ]);
  });

  it('the failure domain is the zone set, or the cluster itself without zones', () => {
    expect(failureDomainOf({ name: 'x', zones: ['b', 'a'] })).toBe('a,b');
    expect(failureDomainOf({ name: 'x', zones: [] })).toBe('cluster/x');
  });
});
