import { manifestHash, materialize, type FederatedObject, type FederatedSpec } from '#libs/federation';
import { decide, decidePlacement, type DecideInput } from './decide.js';
import type { MemberClusterInfo } from './member-cluster-directory.js';
import type { Work } from './work.js';

const now = Date.parse('2026-01-01T00:10:00Z');
const context = { ownerId: 'test' };
const settings = { failoverDelaySeconds: 30, readyTimeoutMs: 120_000 };

function deployment(replicas: number, spec: Partial<FederatedSpec> = {}, annotations?: Record<string, string>): FederatedObject {
  return {
    apiVersion: 'federation.ubernetes.io/v1',
    kind: 'FederatedDeployment',
    metadata: { name: 'web', namespace: 'shop', uid: 'u1', ...(annotations ? { annotations } : {}) },
    spec: { template: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas } }, ...spec },
  };
}

const configMap: FederatedObject = {
  apiVersion: 'federation.ubernetes.io/v1',
  kind: 'FederatedConfigMap',
  metadata: { name: 'settings', namespace: 'shop', uid: 'u2' },
  spec: { template: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } } },
};

const ready = (name: string): MemberClusterInfo => ({ name, labels: {}, ready: true, schedulable: true });
const notReady = (name: string, sinceMs: number, writeOff?: MemberClusterInfo['writeOff']): MemberClusterInfo => ({
  name,
  labels: {},
  ready: false,
  schedulable: true,
  notReadySince: sinceMs,
  ...(writeOff ? { writeOff } : {}),
});

/** The item `obj` has on `cluster` asking for `replicas`, applied and running `readyReplicas` ready. */
function applied(obj: FederatedObject, cluster: string, replicas: number, readyReplicas = replicas): Work {
  const manifest = materialize(obj, { name: cluster }, replicas, context);
  const hash = manifestHash(manifest);
  return {
    objectUid: obj.metadata.uid!,
    cluster,
    manifest,
    hash,
    appliedHash: hash,
    appliedAt: new Date(now - 1_000),
    state: 'Applied',
    error: null,
    observed: { specReplicas: replicas, replicas, readyReplicas, availableReplicas: readyReplicas },
    updatedAt: new Date(now - 1_000),
  };
}

const input = (object: FederatedObject, clusters: MemberClusterInfo[], works: Work[]): DecideInput => ({ object, clusters, works, settings, nowMs: now, context });
const targets = (d: { targets: { cluster: string; replicas?: number }[] }) => Object.fromEntries(d.targets.map((t) => [t.cluster, t.replicas]));

describe('decide: replicas of a NotReady cluster', () => {
  const obj = deployment(6);
  const works = [applied(obj, 'a', 2), applied(obj, 'b', 2), applied(obj, 'c', 2)];

  it('stay planned there during the failover delay; its item waits with the delay end as its note', () => {
    const d = decide(input(obj, [ready('a'), ready('b'), notReady('c', now - 10_000)], works));
    expect(d.candidates).toEqual(['a', 'b', 'c']);
    expect(targets(d)).toEqual({ a: 2, b: 2, c: 2 });
    expect(d.delayed).toMatchObject([{ cluster: 'c', dueInMs: 20_000 }]);
    expect(d.writeOffs).toEqual([]);
    // Nothing changed: the stored items themselves.
    expect(d.desired).toEqual(works);
    expect(d.desired[2]).toBe(works[2]);
  });

  it('the workload annotation overrides the federation delay', () => {
    const annotated = deployment(6, {}, { 'federation.ubernetes.io/failover-delay-seconds': '5' });
    const d = decidePlacement(input(annotated, [ready('a'), ready('b'), notReady('c', now - 10_000)], works));
    expect(d.delayed).toEqual([]);
    expect(d.candidates).toEqual(['a', 'b']);
  });

  it('are written off once the delay has passed: re-planned onto Ready clusters, the item asks for 0 and records the move', () => {
    const d = decide(input(obj, [ready('a'), ready('b'), notReady('c', now - 60_000)], works));
    expect(targets(d)).toEqual({ a: 3, b: 3 });
    expect(d.obsolete).toEqual([]);
    expect(d.writeOffs.map((w) => [w.cluster, w.replicas])).toEqual([['c', 2]]);
    const [kept] = d.kept;
    expect(kept).toBe(d.writeOffs[0].work);
    expect(kept).toMatchObject({
      cluster: 'c',
      state: 'Pending',
      error: 'cluster is NotReady; its 2 replicas were re-planned onto Ready clusters',
      observed: { writtenOff: { replicas: 2, since: new Date(now - 60_000).toISOString() } },
    });
    expect(kept.observed.specReplicas).toBeUndefined();
    expect(kept.manifest.spec).toMatchObject({ replicas: 0 });
    expect(kept.hash).toBe(manifestHash(kept.manifest));
    // The stored item is a value: unchanged.
    expect(works[2].observed.writtenOff).toBeUndefined();
  });

  it('stay while the failover gate holds them, with no delay left, and are looked at again', () => {
    const hold = { reason: 'FederationDisrupted', message: 'the federation is in FullDisruption' };
    const d = decide(input(obj, [ready('a'), ready('b'), notReady('c', now - 600_000, { clockMs: now - 600_000, hold })], works));
    expect(targets(d)).toEqual({ a: 2, b: 2, c: 2 });
    expect(d.delayed).toMatchObject([{ cluster: 'c', dueAtMs: Infinity, hold }]);
    expect(d.writeOffs).toEqual([]);
  });

  it('leave once the gate’s slot has come, and not before', () => {
    const slot = { reason: 'RateLimited', message: 'at most one failure domain per 10s' };
    const waiting = decide(input(obj, [ready('a'), ready('b'), notReady('c', now - 600_000, { atMs: now + 5_000, clockMs: now - 600_000, hold: slot })], works));
    expect(waiting.delayed).toMatchObject([{ cluster: 'c', dueAtMs: now + 5_000, hold: slot }]);
    const due = decide(input(obj, [ready('a'), ready('b'), notReady('c', now - 600_000, { atMs: now - 1, clockMs: now - 600_000 })], works));
    expect(due.writeOffs.map((w) => w.cluster)).toEqual(['c']);
  });

  it('a cluster already written off (asking for 0) has nothing left to write off', () => {
    const first = decide(input(obj, [ready('a'), ready('b'), notReady('c', now - 60_000)], works));
    const stored = [...first.desired, ...first.kept];
    const again = decide(input(obj, [ready('a'), ready('b'), notReady('c', now - 60_000)], stored));
    expect(again.writeOffs).toEqual([]);
    expect(again.kept).toEqual([first.kept[0]]);
  });
});

describe('decide: make before break', () => {
  it('a returning cluster gains its replicas before the others give theirs up (rebalance)', () => {
    const obj = deployment(6, { replicaScheduling: { rebalance: true } });
    const returning = { ...applied(obj, 'c', 0), observed: {} };
    const d = decide(input(obj, [ready('a'), ready('b'), ready('c')], [applied(obj, 'a', 3), applied(obj, 'b', 3), returning]));
    expect(d.heldScaleDowns).toEqual([
      { cluster: 'a', keeps: 3, planned: 2 },
      { cluster: 'b', keeps: 3, planned: 2 },
    ]);
    expect(targets(d)).toEqual({ a: 3, b: 3, c: 2 });
    expect(d.desired.map((w) => [w.cluster, w.state])).toEqual([
      ['a', 'Applied'],
      ['b', 'Applied'],
      ['c', 'Pending'],
    ]);
  });

  it('lets them go once the gaining cluster runs its replicas ready', () => {
    const obj = deployment(6, { replicaScheduling: { rebalance: true } });
    const d = decide(input(obj, [ready('a'), ready('b'), ready('c')], [applied(obj, 'a', 3), applied(obj, 'b', 3), applied(obj, 'c', 2)]));
    expect(d.heldScaleDowns).toEqual([]);
    expect(targets(d)).toEqual({ a: 2, b: 2, c: 2 });
  });
});

describe('decide: which clusters get an item', () => {
  it('with explicit per-cluster preferences a cluster planned 0 gets none, and loses the one it had', () => {
    const obj = deployment(4, { replicaScheduling: { rebalance: true, clusters: { a: { weight: 1 } } } });
    const d = decide(input(obj, [ready('a'), ready('b')], [applied(obj, 'a', 4), applied(obj, 'b', 0)]));
    expect(targets(d)).toEqual({ a: 4 });
    expect(d.candidates).toEqual(['a', 'b']);
    expect(d.obsolete.map((w) => w.cluster)).toEqual(['b']);
    // While b still runs replicas the plan moves to a, it keeps them (make before break).
    const moving = decide(input(obj, [ready('a'), ready('b')], [applied(obj, 'a', 2), applied(obj, 'b', 2)]));
    expect(targets(moving)).toEqual({ a: 4, b: 2 });
    expect(moving.heldScaleDowns).toEqual([{ cluster: 'b', keeps: 2, planned: 0 }]);
  });

  it('without explicit preferences every candidate gets one, possibly with 0 replicas', () => {
    const obj = deployment(1);
    const d = decide(input(obj, [ready('a'), ready('b')], []));
    expect(Object.values(targets(d)).sort()).toEqual([0, 1]);
    expect(d.desired.map((w) => w.state)).toEqual(['Pending', 'Pending']);
  });

  it('non-replica kinds go to every selected cluster, a NotReady one too, with no plan', () => {
    const d = decide(input(configMap, [ready('a'), notReady('b', now - 600_000)], []));
    expect(d.targets).toEqual([{ cluster: 'a' }, { cluster: 'b' }]);
    expect(d.candidates).toEqual(['a']);
    expect(d.planInput).toBeUndefined();
    expect(d.desired.map((w) => [w.cluster, w.manifest.kind, w.state])).toEqual([
      ['a', 'ConfigMap', 'Pending'],
      ['b', 'ConfigMap', 'Pending'],
    ]);
  });

  it('removes items of clusters that left the placement or were unregistered; a NotReady one still selected keeps its own', () => {
    const obj = deployment(2, { placement: { clusters: ['a', 'c'] } });
    const stored = [applied(obj, 'a', 1), applied(obj, 'b', 1), applied(obj, 'c', 1), applied(obj, 'gone', 1)];
    const d = decide({ ...input(obj, [ready('a'), ready('b'), { ...notReady('c', now - 60_000), schedulable: false }], stored) });
    expect(d.selected.map((c) => c.name)).toEqual(['a', 'c']);
    expect(d.obsolete.map((w) => w.cluster)).toEqual(['b', 'gone']);
    // Cordoned and NotReady: not written off (it gets no new replicas but keeps what it runs).
    expect(d.kept.map((w) => w.cluster)).toEqual(['c']);
    expect(d.kept[0]).toBe(stored[2]);
  });

  it('a changed manifest makes a Pending item that keeps what was applied and observed', () => {
    const obj = deployment(2);
    const old = applied(obj, 'a', 2);
    const d = decide(input(deployment(3), [ready('a')], [old]));
    expect(d.desired[0]).toMatchObject({ state: 'Pending', error: null, appliedHash: old.hash, observed: old.observed });
    expect(d.desired[0].hash).not.toBe(old.hash);
  });
});
