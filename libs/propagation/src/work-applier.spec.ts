import { manifestHash, materialize, FEDERATED_OBJECT_UID_ANNOTATION, OWNER_ID_ANNOTATION, type FederatedObject, type FederatedSpec } from '#libs/federation';
import { MemberRequestError, type MemberObject, type MemberObjectRef } from '#libs/kube';
import type { MemberClusterInfo } from './member-cluster-directory.js';
import { desiredWork, type Work } from './work.js';
import { WorkApplier, type MemberClient, type MemberClients } from './work-applier.js';

const now = Date.parse('2026-01-01T00:10:00Z');
const context = { ownerId: 'test' };

/** A member holding objects in memory: creates fail on taken names, applies and deletes check the version read. */
class FakeMember implements MemberClient {
  readonly objects = new Map<string, MemberObject>();
  readonly writes: string[] = [];
  pods: MemberObject[] = [];
  failWith?: Error;
  private version = 0;

  private key(ref: { kind: string; namespace?: string; name?: string }): string {
    return `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
  }
  private check(): void {
    if (this.failWith) throw this.failWith;
  }
  put(obj: MemberObject): MemberObject {
    const stored = { ...structuredClone(obj), metadata: { ...obj.metadata, uid: obj.metadata?.uid ?? `uid-${obj.metadata?.name}`, resourceVersion: String(++this.version) } };
    this.objects.set(this.key({ kind: obj.kind, namespace: obj.metadata?.namespace, name: obj.metadata?.name }), stored);
    return structuredClone(stored);
  }
  async get(ref: MemberObjectRef): Promise<MemberObject | undefined> {
    this.check();
    const o = this.objects.get(this.key(ref));
    return o && structuredClone(o);
  }
  async create(manifest: MemberObject): Promise<MemberObject> {
    this.check();
    if (this.objects.has(this.key({ kind: manifest.kind, namespace: manifest.metadata?.namespace, name: manifest.metadata?.name }))) throw new MemberRequestError('a', 409, 'AlreadyExists');
    this.writes.push(`create ${manifest.kind}`);
    return this.put(manifest);
  }
  async apply(manifest: MemberObject, options: { resourceVersion?: string }): Promise<MemberObject> {
    this.check();
    const live = this.objects.get(this.key({ kind: manifest.kind, namespace: manifest.metadata?.namespace, name: manifest.metadata?.name }));
    if (options.resourceVersion !== undefined && live?.metadata?.resourceVersion !== options.resourceVersion) throw new MemberRequestError('a', 409, 'Conflict');
    this.writes.push(`apply ${manifest.kind} ${JSON.stringify(manifest.spec)}`);
    return this.put({ ...manifest, metadata: { ...manifest.metadata, uid: live?.metadata?.uid }, ...(live?.status ? { status: live.status } : {}) });
  }
  async claimFieldsAsApplied(live: MemberObject): Promise<MemberObject> {
    return live;
  }
  async delete(ref: MemberObjectRef, _timeoutMs?: number, preconditions?: { uid?: string; resourceVersion?: string }): Promise<boolean> {
    this.check();
    const live = this.objects.get(this.key(ref));
    if (!live) return false;
    if (preconditions?.resourceVersion !== undefined && preconditions.resourceVersion !== live.metadata?.resourceVersion) throw new MemberRequestError('a', 409, 'Conflict');
    this.writes.push(`delete ${ref.kind}`);
    return this.objects.delete(this.key(ref));
  }
  async list(_apiVersion: string, kind: string, options: { namespace?: string; fieldSelector?: string } = {}): Promise<MemberObject[]> {
    this.check();
    if (kind !== 'Pod') throw new Error(`FakeMember.list(${kind}) is not stubbed`);
    const pending = options.fieldSelector === 'status.phase=Pending';
    return this.pods.filter((p) => p.metadata?.namespace === options.namespace && (!pending || (p.status as { phase?: string } | undefined)?.phase === 'Pending'));
  }
}

/** The member for cluster `a`; any other cluster (or a NotReady one) must not be called. */
function clients(member: FakeMember): MemberClients {
  return {
    async for(cluster: string) {
      if (cluster !== 'a') throw new Error(`no member ${cluster} in this test`);
      return member;
    },
  };
}

const quiet = { debug: () => undefined, log: () => undefined, warn: () => undefined };
const applierFor = (member: FakeMember) => new WorkApplier(clients(member), { ownerId: 'test', timeoutMs: 1_000, unschedulableMs: 5_000 }, quiet, () => now);
const ready: MemberClusterInfo = { name: 'a', labels: {}, ready: true, schedulable: true };

function federated(spec: Partial<FederatedSpec> = {}, replicas = 3): FederatedObject {
  return {
    apiVersion: 'federation.ubernetes.io/v1',
    kind: 'FederatedDeployment',
    metadata: { name: 'web', namespace: 'shop', uid: 'u1' },
    spec: { template: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas, selector: { matchLabels: { app: 'web' } } } }, ...spec },
  };
}
function workFor(obj: FederatedObject, replicas = 3): Work {
  const manifest = materialize(obj, { name: 'a' }, replicas, context);
  return desiredWork(undefined, { objectUid: 'u1', cluster: 'a', manifest, hash: manifestHash(manifest) }, new Date(now));
}
const deploymentRef = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' };

describe('applier: applying a work item', () => {
  it('creates the member object with its owner marks, then reports what it runs; an unchanged member is not written again', async () => {
    const member = new FakeMember();
    const applier = applierFor(member);
    const obj = federated();
    const first = await applier.apply(obj, workFor(obj), ready);
    expect(member.writes).toEqual(['create Deployment']);
    const live = await member.get(deploymentRef);
    expect(live?.metadata?.annotations).toMatchObject({ [OWNER_ID_ANNOTATION]: 'test', [FEDERATED_OBJECT_UID_ANNOTATION]: 'u1' });
    expect(first).toEqual({ work: expect.objectContaining({ state: 'Applied', error: null, appliedAt: new Date(now) }), replan: false, written: true });
    expect(first.work.appliedHash).toBe(first.work.hash);
    expect(first.work.observed).toMatchObject({ specReplicas: 3, readyReplicas: 0 });

    const again = await applier.apply(obj, first.work, ready);
    expect(member.writes).toEqual(['create Deployment']);
    expect(again.work).toEqual(first.work);
    expect(again.written).toBe(false);
  });

  it('leaves another owner’s object alone and reports the conflict, with nothing observed', async () => {
    const member = new FakeMember();
    member.put({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop', annotations: { [OWNER_ID_ANNOTATION]: 'other', [FEDERATED_OBJECT_UID_ANNOTATION]: 'u9' } }, spec: { replicas: 1 } });
    const obj = federated();
    const stale = { ...workFor(obj), observed: { specReplicas: 3 } };
    const { work } = await applierFor(member).apply(obj, stale, ready);
    expect(member.writes).toEqual([]);
    expect(work).toMatchObject({ state: 'Error', observed: { conflict: { managed: false, ownerId: 'other', uid: 'u9' } } });
    expect(work.error).toMatch(/belongs to another federated object \(federation other\)/);
    expect(work.observed.specReplicas).toBeUndefined();
  });

  it('takes over an unowned object only with adoptExisting', async () => {
    const unowned: MemberObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: { replicas: 1 } };
    const member = new FakeMember();
    member.put(unowned);
    const refused = await applierFor(member).apply(federated(), workFor(federated()), ready);
    expect(refused.work).toMatchObject({ state: 'Error', error: expect.stringMatching(/not created by Ubernetes already exists \(set spec.adoptExisting: true/) });
    expect(member.writes).toEqual([]);

    const adopting = federated({ adoptExisting: true });
    const adopted = await applierFor(member).apply(adopting, workFor(adopting), ready);
    expect(adopted.work.state).toBe('Applied');
    expect(member.writes).toEqual(['apply Deployment {"replicas":3,"selector":{"matchLabels":{"app":"web"}}}']);
  });

  it('with retainReplicas keeps the member’s replica count', async () => {
    const member = new FakeMember();
    const obj = federated({ retainReplicas: true });
    const created = await applierFor(member).apply(obj, workFor(obj), ready);
    // A member autoscaler scales to 7; then the federated template changes.
    const live = (await member.get(deploymentRef))!;
    member.put({ ...live, spec: { ...(live.spec as object), replicas: 7 } });
    const changed = federated({ retainReplicas: true, overrides: [{ clusterName: 'a', clusterOverrides: [{ op: 'add', path: '/metadata/labels', value: { tier: 'web' } }] }] });
    const next = desiredWork(created.work, { ...workFor(changed), cluster: 'a' }, new Date(now));
    const { work } = await applierFor(member).apply(changed, next, ready);
    expect((await member.get(deploymentRef))?.spec).toMatchObject({ replicas: 7 });
    expect(work.observed.specReplicas).toBe(7);
  });

  it('sends nothing to a NotReady cluster: the item waits, saying why', async () => {
    const applier = new WorkApplier({ for: () => Promise.reject(new Error('must not be called')) }, { ownerId: 'test', timeoutMs: 1_000, unschedulableMs: 5_000 }, quiet, () => now);
    const { work } = await applier.apply(federated(), workFor(federated()), { ...ready, ready: false }, 'cluster is NotReady; its replicas stay planned there');
    expect(work).toMatchObject({ state: 'Pending', error: 'cluster is NotReady; its replicas stay planned there' });
  });

  it('a failing member is an Error on the item, not a thrown error', async () => {
    const member = new FakeMember();
    member.failWith = new MemberRequestError('a', 503, 'member a: HTTP 503 Service Unavailable');
    const { work } = await applierFor(member).apply(federated(), workFor(federated()), ready);
    expect(work).toMatchObject({ state: 'Error', error: 'member a: HTTP 503 Service Unavailable' });
  });

  it('learns a capacity from pods that stay Unschedulable and asks for a re-plan until the plan fits it', async () => {
    const member = new FakeMember();
    const pod = (name: string, scheduled: boolean): MemberObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'shop', labels: { app: 'web' } },
      spec: scheduled ? { nodeName: 'n1' } : {},
      status: { phase: scheduled ? 'Running' : 'Pending', conditions: [{ type: 'PodScheduled', status: scheduled ? 'True' : 'False', ...(scheduled ? {} : { reason: 'Unschedulable' }), lastTransitionTime: '2026-01-01T00:00:00Z' }] },
    });
    member.pods = [pod('p1', true), pod('p2', false), pod('p3', false)];
    const obj = federated();
    const first = await applierFor(member).apply(obj, workFor(obj), ready);
    expect(first.replan).toBe(true);
    expect(first.work.observed).toMatchObject({ capacity: 1, capacityAt: now });
    // Re-planned to what fits: the same estimate changes nothing more.
    const replanned = desiredWork(first.work, { ...workFor(obj, 1) }, new Date(now));
    const second = await applierFor(member).apply(obj, replanned, ready);
    expect(second.replan).toBe(false);
    expect(second.work.observed).toMatchObject({ capacity: 1, capacityAt: now });
  });
});

describe('applier: removing a work item', () => {
  it('deletes what this federated object owns', async () => {
    const member = new FakeMember();
    const obj = federated();
    const { work } = await applierFor(member).apply(obj, workFor(obj), ready);
    expect(await applierFor(member).remove(work, ready)).toEqual({ outcome: 'removed' });
    expect(member.writes).toEqual(['create Deployment', 'delete Deployment']);
    expect(await member.get(deploymentRef)).toBeUndefined();
  });

  it('never deletes another owner’s object, and forgets the item', async () => {
    const member = new FakeMember();
    member.put({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop', annotations: { [OWNER_ID_ANNOTATION]: 'other', [FEDERATED_OBJECT_UID_ANNOTATION]: 'u9' } } });
    expect(await applierFor(member).remove(workFor(federated()), ready)).toEqual({ outcome: 'removed' });
    expect(member.writes).toEqual([]);
    expect(await member.get(deploymentRef)).toBeDefined();
  });

  it('waits for a NotReady cluster (Deleting), forgets an unregistered one, and reports a failure', async () => {
    const none = new WorkApplier({ for: () => Promise.reject(new Error('must not be called')) }, { ownerId: 'test', timeoutMs: 1_000, unschedulableMs: 5_000 }, quiet, () => now);
    const work = workFor(federated());
    expect(await none.remove(work, { ...ready, ready: false })).toEqual({ outcome: 'waiting', work: expect.objectContaining({ state: 'Deleting', error: 'cluster is NotReady; deletion will be retried' }) });
    expect(await none.remove(work, undefined)).toEqual({ outcome: 'removed' });
    const member = new FakeMember();
    member.failWith = new MemberRequestError('a', undefined, 'member a: timeout');
    expect(await applierFor(member).remove(work, ready)).toEqual({ outcome: 'failed', work: expect.objectContaining({ state: 'Error', error: 'member a: timeout' }) });
  });
});
