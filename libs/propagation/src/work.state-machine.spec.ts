import type { PropagationWorkEntity } from '#libs/persistence';
import { appliedWork, awaitingCluster, deletingWork, desiredWork, failedWork, needsSaving, refusedWork, writtenOffWork, type Work } from './work.js';
import { parseObserved, toWork, toWorkEntity } from './work.mapper.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:01:00Z');
const manifest = (replicas: number) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: { replicas } });

const pending = desiredWork(undefined, { objectUid: 'u1', cluster: 'a', manifest: manifest(3), hash: 'h3' }, t0);

describe('work item state machine', () => {
  it('a new manifest makes a Pending item; the same hash keeps the item itself', () => {
    expect(pending).toEqual({ objectUid: 'u1', cluster: 'a', manifest: manifest(3), hash: 'h3', appliedHash: null, appliedAt: null, state: 'Pending', error: null, observed: {}, updatedAt: t0 });
    expect(desiredWork(pending, { objectUid: 'u1', cluster: 'a', manifest: manifest(3), hash: 'h3' }, t1)).toBe(pending);
  });

  it('Pending → Applied records the hash and the observation; a new manifest → Pending keeps them', () => {
    const applied = appliedWork(pending, { observed: { specReplicas: 3, readyReplicas: 1 }, appliedAt: t1 }, t1);
    expect(applied).toMatchObject({ state: 'Applied', error: null, appliedHash: 'h3', appliedAt: t1, observed: { specReplicas: 3, readyReplicas: 1 } });
    const next = desiredWork(applied, { objectUid: 'u1', cluster: 'a', manifest: manifest(5), hash: 'h5' }, t1);
    expect(next).toMatchObject({ state: 'Pending', hash: 'h5', appliedHash: 'h3', observed: { specReplicas: 3 } });
    // Values: nothing changed in place.
    expect(pending.state).toBe('Pending');
    expect(applied.hash).toBe('h3');
  });

  it('waiting for a NotReady cluster is Pending with the reason; the same wait again is no change', () => {
    const waiting = awaitingCluster(pending, 'cluster is NotReady', t1);
    expect(waiting).toMatchObject({ state: 'Pending', error: 'cluster is NotReady' });
    expect(awaitingCluster(waiting, 'cluster is NotReady', t1)).toBe(waiting);
  });

  it('a write-off asks for 0, drops the stale replica count and records what moved', () => {
    const applied = appliedWork(pending, { observed: { specReplicas: 3, readyReplicas: 3, capacity: 4, capacityAt: 1 }, appliedAt: t0 }, t0);
    const off = writtenOffWork(applied, { manifest: manifest(0), hash: 'h0', replicas: 3, since: t0.toISOString() }, t1);
    expect(off).toMatchObject({ state: 'Pending', hash: 'h0', appliedHash: 'h3', error: 'cluster is NotReady; its 3 replicas were re-planned onto Ready clusters' });
    expect(off.observed).toEqual({ readyReplicas: 3, capacity: 4, capacityAt: 1, writtenOff: { replicas: 3, since: t0.toISOString() } });
  });

  it('refusals and failures are Error with the reason; a removal waiting for its cluster is Deleting', () => {
    const conflict = { managed: true, ownerId: 'other', uid: 'u9', key: 'FederatedDeployment/shop/web' };
    const refused = refusedWork(pending, { error: 'belongs to someone else', observed: { conflict } }, t1);
    expect(refused).toMatchObject({ state: 'Error', error: 'belongs to someone else', observed: { conflict } });
    expect(refusedWork(refused, { error: 'belongs to someone else', observed: { conflict } }, t1)).toBe(refused);
    expect(failedWork(pending, 'connect ECONNREFUSED', t1)).toMatchObject({ state: 'Error', error: 'connect ECONNREFUSED', observed: {} });
    expect(deletingWork(refused, t1)).toMatchObject({ state: 'Deleting', error: 'cluster is NotReady; deletion will be retried' });
  });

  it('every event may follow every state (clusters fail, return and leave the placement at any point)', () => {
    const states: Work[] = [pending, appliedWork(pending, { observed: {}, appliedAt: t0 }, t0), failedWork(pending, 'x', t0), deletingWork(pending, t0)];
    for (const w of states) {
      expect(appliedWork(w, { observed: {}, appliedAt: t1 }, t1).state).toBe('Applied');
      expect(awaitingCluster(w, 'wait', t1).state).toBe('Pending');
      expect(deletingWork(w, t1).state).toBe('Deleting');
      expect(failedWork(w, 'y', t1).state).toBe('Error');
    }
  });

  it('only a change of what an item says is saved, not of its timestamps', () => {
    const applied = appliedWork(pending, { observed: { specReplicas: 3 }, appliedAt: t0 }, t0);
    expect(needsSaving(undefined, applied)).toBe(true);
    expect(needsSaving(pending, applied)).toBe(true);
    expect(needsSaving(applied, appliedWork(applied, { observed: { specReplicas: 3 }, appliedAt: t1 }, t1))).toBe(false);
    expect(needsSaving(applied, appliedWork(applied, { observed: { specReplicas: 3, readyReplicas: 3 }, appliedAt: t0 }, t1))).toBe(true);
  });
});

describe('work item rows', () => {
  const row: PropagationWorkEntity = {
    objectUid: 'u1',
    cluster: 'a',
    manifest: manifest(3),
    hash: 'h3',
    appliedHash: 'h3',
    appliedAt: t0,
    state: 'Applied',
    error: null,
    observed: { specReplicas: 3, readyReplicas: 2, ingress: [{ ip: '10.0.0.1' }], writtenOff: { replicas: 2, since: 'x' }, conflict: { managed: false } },
    updatedAt: t0,
  };

  it('round-trip between row and value', () => {
    const work = toWork(row);
    expect(work.observed.readyReplicas).toBe(2);
    expect(toWorkEntity(work)).toEqual(row);
  });

  it('check every stored field: wrong types are dropped, unknown states read as Pending, a manifest without kind is refused', () => {
    expect(parseObserved({ specReplicas: '3', readyReplicas: 1, ingress: [{ ip: 1, hostname: 'lb' }, 'x'], writtenOff: { replicas: 1 }, upToDate: true })).toEqual({
      readyReplicas: 1,
      ingress: [{ hostname: 'lb' }],
      upToDate: true,
    });
    expect(toWork({ ...row, state: 'Exploded' }).state).toBe('Pending');
    expect(() => toWork({ ...row, manifest: { spec: {} } })).toThrow(/no apiVersion\/kind/);
  });
});
