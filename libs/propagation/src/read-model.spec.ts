import { RETAIN_REPLICAS_ANNOTATION, type FederatedObject } from '#libs/federation';
import type { MemberClusterInfo } from './member-cluster-directory.js';
import { clusterStatusOf, objectStatus, serviceEndpointsOf, statusChanged } from './read-model.js';
import type { Work } from './work.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const cluster = (name: string, ready = true): MemberClusterInfo => ({ name, labels: {}, ready, schedulable: true });

function work(cluster: string, change: Partial<Work> = {}): Work {
  return {
    objectUid: 'u1',
    cluster,
    manifest: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2 } },
    hash: 'h',
    appliedHash: 'h',
    appliedAt: t0,
    state: 'Applied',
    error: null,
    observed: { specReplicas: 2, replicas: 2, readyReplicas: 2, availableReplicas: 2 },
    updatedAt: t0,
    ...change,
  };
}

const obj: FederatedObject = {
  apiVersion: 'federation.ubernetes.io/v1',
  kind: 'FederatedDeployment',
  metadata: { name: 'web', namespace: 'shop', uid: 'u1' },
  spec: { template: { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 4 } } },
};

describe('read model: per-cluster status', () => {
  it('reports the plan, what the member runs and when it was applied', () => {
    expect(clusterStatusOf(work('a'), cluster('a'), 2)).toEqual({
      cluster: 'a',
      state: 'Applied',
      plannedReplicas: 2,
      replicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      lastAppliedAt: t0.toISOString(),
    });
  });

  it('an item applied at an older hash is Pending; a conflict, an error and an unregistered cluster say so', () => {
    expect(clusterStatusOf(work('a', { hash: 'new' }), cluster('a'), 2).state).toBe('Pending');
    expect(clusterStatusOf(work('a', { state: 'Error', error: 'belongs to X', observed: { conflict: { managed: true } } }), cluster('a'), 2)).toMatchObject({ state: 'Error', reason: 'Conflict', error: 'belongs to X' });
    expect(clusterStatusOf(work('gone'), undefined, undefined)).toMatchObject({ error: 'cluster is not registered', plannedReplicas: 2 });
  });

  it('a member owning its replica count (retainReplicas) is planned what it asks for', () => {
    const retained = work('a', { manifest: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { annotations: { [RETAIN_REPLICAS_ANNOTATION]: 'true' } } }, observed: { specReplicas: 7, readyReplicas: 7 } });
    expect(clusterStatusOf(retained, cluster('a'), 2).plannedReplicas).toBe(7);
  });
});

describe('read model: object status', () => {
  const decision = { selected: [cluster('a'), cluster('b', false)], targets: [{ cluster: 'a', replicas: 2 }, { cluster: 'b', replicas: 2 }], planResult: { plan: { a: 2, b: 2 }, overflow: {}, unschedulable: 0 } };

  it('one entry per item plus a Pending one for a target without an item; totals and conditions', () => {
    const status = objectStatus({ object: obj, generation: 3, decision, works: [work('a')], clusters: new Map([['a', cluster('a')]]), autoscaled: false, previous: undefined, now: t0.toISOString() });
    expect(status.observedGeneration).toBe(3);
    expect(status.clusters.map((c) => [c.cluster, c.state, c.error])).toEqual([
      ['a', 'Applied', undefined],
      ['b', 'Pending', 'cluster is NotReady'],
    ]);
    expect(status.totals).toEqual({ desiredReplicas: 4, replicas: 2, readyReplicas: 2, availableReplicas: 2, unschedulable: 0 });
    expect(status.conditions.find((c) => c.type === 'Propagated')).toMatchObject({ status: 'False', reason: 'Pending' });
  });

  it('is stored again only when more than its timestamps changed', () => {
    const input = { object: obj, generation: 3, decision, works: [work('a'), work('b')], clusters: new Map([['a', cluster('a')], ['b', cluster('b')]]), autoscaled: false, previous: undefined };
    const first = objectStatus({ ...input, now: t0.toISOString() });
    const later = objectStatus({ ...input, works: [work('a', { appliedAt: new Date(t0.getTime() + 1) }), work('b')], previous: first, now: new Date(t0.getTime() + 60_000).toISOString() });
    expect(statusChanged(undefined, first)).toBe(true);
    expect(statusChanged(first, later)).toBe(false);
    const scaled = objectStatus({ ...input, works: [work('a', { observed: { specReplicas: 2, readyReplicas: 1 } }), work('b')], previous: first, now: t0.toISOString() });
    expect(statusChanged(first, scaled)).toBe(true);
  });
});

describe('read model: DNS inputs', () => {
  it('per Service, every cluster holding it by name with ingress and ready endpoints; items being deleted are left out', () => {
    const svc = (cluster: string, change: Partial<Work> = {}) => work(cluster, { objectUid: 's1', manifest: { apiVersion: 'v1', kind: 'Service' }, observed: { ingress: [{ ip: `10.0.0.${cluster.length}` }], readyEndpoints: 2 }, ...change });
    const works = [svc('c'), svc('a', { state: 'Pending', observed: {} }), svc('bb', { state: 'Deleting' }), work('a')];
    expect(serviceEndpointsOf([{ uid: 's1', namespace: 'shop', name: 'web' }], works)).toEqual([
      {
        uid: 's1',
        namespace: 'shop',
        name: 'web',
        clusters: [
          { cluster: 'a', ingress: [], readyEndpoints: 0 },
          { cluster: 'c', ingress: [{ ip: '10.0.0.1' }], readyEndpoints: 2 },
        ],
      },
    ]);
  });
});
