import type { MemberClusterInfo } from './member-cluster-directory.js';
import type { Work } from './work.js';
import { delayedFailovers, desiredReplicasOf, HELD_RECHECK_MS, holdScaleDowns, writtenOffOf } from './work-items.js';

const now = Date.parse('2026-01-01T00:10:00Z');

/** A Deployment work item asking for `replicas`, applied at its hash, `ready` of them ready. */
function work(cluster: string, replicas: number, ready = replicas, options: { applied?: boolean; appliedAgoMs?: number } = {}): Work {
  const applied = options.applied ?? true;
  return {
    objectUid: 'u1',
    cluster,
    manifest: { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas } },
    hash: `h-${replicas}`,
    appliedHash: applied ? `h-${replicas}` : 'h-old',
    appliedAt: new Date(now - (options.appliedAgoMs ?? 1_000)),
    state: applied ? 'Applied' : 'Pending',
    error: null,
    observed: { specReplicas: replicas, readyReplicas: ready },
    updatedAt: new Date(now),
  };
}
const byCluster = (...works: Work[]) => new Map(works.map((w) => [w.cluster, w]));
const cluster = (name: string, ready: boolean, notReadySince?: number): MemberClusterInfo => ({ name, labels: {}, ready, schedulable: true, ...(notReadySince !== undefined ? { notReadySince } : {}) });

describe('work items', () => {
  it('read the desired replicas from the manifest and the write-off from the observation', () => {
    expect(desiredReplicasOf(work('a', 3))).toBe(3);
    expect(desiredReplicasOf({ manifest: { kind: 'ConfigMap' } })).toBe(0);
    expect(writtenOffOf({ observed: { writtenOff: { replicas: 2, since: '2026-01-01T00:00:00.000Z' } } })).toEqual({ replicas: 2, since: '2026-01-01T00:00:00.000Z' });
  });
});

describe('failover delay: a NotReady cluster keeps its replicas planned until the delay ends', () => {
  const works = byCluster(work('a', 3), work('b', 3), work('c', 0));
  it('holds a NotReady cluster with replicas, counting from when it left Ready', () => {
    const clusters = [cluster('a', false, now - 10_000), cluster('b', true), cluster('c', false, now - 10_000)];
    // c asks for nothing: nothing to hold.
    expect(delayedFailovers(clusters, works, 30, now)).toEqual([
      { cluster: 'a', dueInMs: 20_000, dueAtMs: now + 20_000, note: `cluster is NotReady; its replicas stay planned there until the failover delay ends (${new Date(now + 20_000).toISOString()})` },
    ]);
  });
  it('lets the replicas go once the delay has passed, or at once with no delay', () => {
    expect(delayedFailovers([cluster('a', false, now - 30_000)], works, 30, now)).toEqual([]);
    expect(delayedFailovers([cluster('a', false, now)], works, 0, now)).toEqual([]);
  });
  it('does not hold a cordoned cluster, or one with no known transition time', () => {
    expect(delayedFailovers([{ ...cluster('a', false, now), schedulable: false }, cluster('b', false)], works, 30, now)).toEqual([]);
  });
});

describe('failover gate: a held write-off keeps the replicas planned on the NotReady cluster', () => {
  const works = byCluster(work('a', 3), work('b', 3));
  const gated = (writeOff: MemberClusterInfo['writeOff']): MemberClusterInfo => ({ ...cluster('a', false, now - 10_000), writeOff });
  const hold = { reason: 'FederationDisrupted', message: 'the federation is in FullDisruption' };

  it('held with no end (a disruption): planned there, looked at again later', () => {
    expect(delayedFailovers([gated({ clockMs: now - 10_000, hold })], works, 0, now)).toEqual([
      { cluster: 'a', dueInMs: HELD_RECHECK_MS, dueAtMs: Infinity, hold, note: 'cluster is NotReady; its replicas stay planned there: the federation is in FullDisruption' },
    ]);
  });

  it('a rate-limit slot after the delay decides; a delay after the slot decides', () => {
    const slot = { reason: 'RateLimited', message: 'at most one failure domain per 10s' };
    expect(delayedFailovers([gated({ atMs: now + 5_000, clockMs: now - 10_000, hold: slot })], works, 0, now)).toMatchObject([{ dueAtMs: now + 5_000, hold: slot }]);
    const [byDelay] = delayedFailovers([gated({ atMs: now + 5_000, clockMs: now - 10_000, hold: slot })], works, 30, now);
    expect(byDelay).toMatchObject({ dueAtMs: now + 20_000, dueInMs: 20_000 });
    expect(byDelay.hold).toBeUndefined();
  });

  it('the delay counts from the gate clock (restarted when a disruption ended)', () => {
    expect(delayedFailovers([gated({ atMs: now - 10_000, clockMs: now - 1_000 })], works, 30, now)).toMatchObject([{ dueAtMs: now + 29_000 }]);
    // Slot passed and no delay: the replicas go.
    expect(delayedFailovers([gated({ atMs: now - 1, clockMs: now - 10_000 })], works, 0, now)).toEqual([]);
  });

  it('a cluster already written off (asking for 0) has nothing to hold', () => {
    expect(delayedFailovers([gated({ clockMs: now, hold })], byCluster(work('a', 0)), 0, now)).toEqual([]);
  });
});

describe('make before break: replicas leave a cluster only once their replacements are ready', () => {
  const readyTimeoutMs = 120_000;

  it('holds the losing cluster while the gaining one is not applied or not ready, then lets it go', () => {
    // Recovery with rebalance: b returns (0 → 2), a and c go 3 → 2.
    const targets = () => [
      { cluster: 'a', replicas: 2 },
      { cluster: 'b', replicas: 2 },
      { cluster: 'c', replicas: 2 },
    ];
    const notApplied = targets();
    expect(holdScaleDowns(notApplied, byCluster(work('a', 3), work('b', 0), work('c', 3)), readyTimeoutMs, now)).toEqual([
      { cluster: 'a', keeps: 3, planned: 2 },
      { cluster: 'c', keeps: 3, planned: 2 },
    ]);
    expect(notApplied).toEqual([
      { cluster: 'a', replicas: 3 },
      { cluster: 'b', replicas: 2 },
      { cluster: 'c', replicas: 3 },
    ]);
    const notReady = targets();
    expect(holdScaleDowns(notReady, byCluster(work('a', 3), work('b', 2, 1), work('c', 3)), readyTimeoutMs, now)).toHaveLength(2);
    const ready = targets();
    expect(holdScaleDowns(ready, byCluster(work('a', 3), work('b', 2, 2), work('c', 3)), readyTimeoutMs, now)).toEqual([]);
    expect(ready).toEqual(targets());
  });

  it('never holds a scale-up, nor a scale-down next to clusters that are ready or unready for long', () => {
    const up = [{ cluster: 'a', replicas: 5 }];
    expect(holdScaleDowns(up, byCluster(work('a', 3)), readyTimeoutMs, now)).toEqual([]);
    const down = () => [
      { cluster: 'a', replicas: 1 },
      { cluster: 'b', replicas: 2 },
    ];
    const nextToReady = down();
    expect(holdScaleDowns(nextToReady, byCluster(work('a', 3), work('b', 2)), readyTimeoutMs, now)).toEqual([]);
    expect(nextToReady[0].replicas).toBe(1);
    // b has been unready since long before (applied 10 min ago): a scales down at once.
    expect(holdScaleDowns(down(), byCluster(work('a', 3), work('b', 2, 0, { appliedAgoMs: 600_000 })), readyTimeoutMs, now)).toEqual([]);
  });

  it('stops waiting for a cluster that stayed unready for the ready timeout after its apply', () => {
    const targets = [
      { cluster: 'a', replicas: 1 },
      { cluster: 'b', replicas: 5 },
    ];
    expect(holdScaleDowns(targets, byCluster(work('a', 3), work('b', 5, 2, { appliedAgoMs: 121_000 })), readyTimeoutMs, now)).toEqual([]);
    expect(targets[0].replicas).toBe(1);
  });
});
