/**
 * Several server processes as correct as one (issue #14): an api process and two worker processes sharing
 * one schema and queue prefix, and a real member. One object is never reconciled by two of them at once
 * (a probe counts overlapping runs), a reconcile record computed from an older state is refused, a
 * reconcile that writes to the member after another worker finished the object's deletion leaves nothing
 * behind, and resync deletes a member object whose federated object is gone.
 *
 * The "stale" reconcile — what a job BullMQ hands to a second worker after a stall amounts to — is run
 * by the api process's ReconcileService (it has no queue worker), held between its read and its member
 * calls until the workers moved on. Resync runs every 300 s here, so nothing but the code under test
 * cleans up.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { FEDERATED_OBJECT_UID_ANNOTATION, MANAGED_BY_LABEL, MANAGED_BY_VALUE, OWNER_ID_ANNOTATION } from '#libs/federation';
import type { MemberObject, MemberObjects } from '#libs/kube';
import { startMemberClusters, type MemberClusterSet } from '#libs/kube-harness';
import { FederatedObjectRepository } from '#libs/persistence';
import { MemberConnections, ReconcileService, ResyncService, type ReconcileFollowUp, type ReconcileRun } from '#libs/propagation';
import { startTestServer, type TestServer } from '../support/server.js';
import { PROPAGATION_TEST_ENV, adminObjects, call, condition, federatedDeployment, memberDeployment, registerClusters, waitFor } from './propagation-helpers.js';

const NS = 'e2e_fleet_reconcile';
const ENV = { ...PROPAGATION_TEST_ENV, UBERNETES_RESYNC_SECONDS: '300', UBERNETES_ADMISSION_MAX_BACKLOG: '0' };
const cmPath = (name: string) => `/api/v1/namespaces/default/federatedconfigmaps/${name}`;
const cmRef = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name });

function configMap(name: string, data: Record<string, string>) {
  return {
    apiVersion: 'federation.ubernetes.io/v1',
    kind: 'FederatedConfigMap',
    metadata: { name, namespace: 'default' },
    spec: { template: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data } },
  };
}

/** Holds the api process's member calls until released, and records what it wrote. */
function holdMemberCalls(server: TestServer) {
  const connections = server.app.get(MemberConnections);
  const original = connections.for.bind(connections);
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const wrote: string[] = [];
  let reached!: () => void;
  const waiting = new Promise<void>((r) => (reached = r));
  connections.for = (async (cluster: string, timeoutMs: number) => {
    reached();
    await released;
    const member = await original(cluster, timeoutMs);
    return new Proxy(member, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if ((prop === 'create' || prop === 'apply') && typeof value === 'function') {
          return (manifest: MemberObject, ...rest: unknown[]) => {
            wrote.push(`${String(prop)} ${manifest.kind}/${manifest.metadata?.name}`);
            return (value as (...a: unknown[]) => unknown).call(target, manifest, ...rest);
          };
        }
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    }) as MemberObjects;
  }) as typeof connections.for;
  return { waiting, release, wrote, restore: () => (connections.for = original) };
}

describe('one object, one process at a time, across a fleet', () => {
  let members: MemberClusterSet;
  let api: TestServer;
  let w1: TestServer;
  let w2: TestServer;
  let admin: MemberObjects;
  const active = new Map<string, number>();
  const runsBy = { w1: 0, w2: 0 };
  let overlaps = 0;

  beforeAll(async () => {
    members = await startMemberClusters([{ name: 'flr-1', region: 'us-east-1', zones: ['us-east-1a'] }]);
    api = await startTestServer(NS, { env: { ...ENV, UBERNETES_ROLES: 'api' } });
    w1 = await startTestServer(NS, { env: { ...ENV, UBERNETES_ROLES: 'worker' }, fresh: false });
    w2 = await startTestServer(NS, { env: { ...ENV, UBERNETES_ROLES: 'worker' }, fresh: false });
    // The probe: every reconcile run of either worker, counted per object while it runs.
    for (const [name, w] of [['w1', w1], ['w2', w2]] as const) {
      const service = w.app.get(ReconcileService);
      const reconcile = service.reconcile.bind(service);
      service.reconcile = async (uid: string, run?: ReconcileRun): Promise<ReconcileFollowUp | undefined> => {
        const n = (active.get(uid) ?? 0) + 1;
        active.set(uid, n);
        if (n > 1) overlaps++;
        runsBy[name]++;
        try {
          return await reconcile(uid, run);
        } finally {
          active.set(uid, (active.get(uid) ?? 1) - 1);
        }
      };
    }
    await registerClusters(api, members);
    admin = adminObjects(members.clusters[0]!);
  }, 180_000);

  afterAll(async () => {
    admin?.close();
    await w2?.stop();
    await w1?.stop();
    await api?.stop();
    await members?.stopAll();
  }, 60_000);

  it('never runs two reconciles of one object at once, while users write and both workers re-plan it for 8 s', async () => {
    const name = 'busy';
    const path = `/api/v1/namespaces/default/federateddeployments/${name}`;
    expect((await call(api, 'PUT', path, federatedDeployment(name, { replicas: 2 }))).status).toBe(201);
    const deadline = Date.now() + 8_000;
    let replicas = 2;
    const writes = (async () => {
      while (Date.now() < deadline) {
        replicas = replicas === 2 ? 3 : 2;
        const res = await call(api, 'PUT', path, federatedDeployment(name, { replicas }));
        expect(res.status).toBe(200);
        await sleep(150);
      }
    })();
    // The control plane asks too, from both workers (health transitions, registry changes, resync).
    const replans = Promise.all(
      [w1, w2].map(async (w) => {
        const service = w.app.get(ReconcileService);
        while (Date.now() < deadline) {
          await service.requestReconcileAll();
          await sleep(40);
        }
      }),
    );
    await Promise.all([writes, replans]);
    const final = replicas;
    await waitFor('the last write running in the member', async () => ((await memberDeployment(members.clusters[0]!, 'default', name))?.spec as { replicas?: number } | undefined)?.replicas === final, 30_000);
    await waitFor('status of the last generation', async () => {
      const o = (await call(api, 'GET', path)).body;
      return o.status?.observedGeneration === o.metadata.generation && condition(o, 'Propagated')?.status === 'True';
    }, 30_000);
    process.stderr.write(`reconcile runs: w1 ${runsBy.w1}, w2 ${runsBy.w2}, overlapping ${overlaps}\n`);
    expect(runsBy.w1 + runsBy.w2).toBeGreaterThan(20);
    expect(runsBy.w1).toBeGreaterThan(0);
    expect(runsBy.w2).toBeGreaterThan(0);
    expect(overlaps).toBe(0);
  }, 90_000);

  it('refuses a reconcile record computed from an older state, and the stale apply it made is undone', async () => {
    const name = 'versions';
    const created = await call(api, 'PUT', cmPath(name), configMap(name, { v: '1' }));
    expect(created.status).toBe(201);
    const uid: string = created.body.metadata.uid;
    await waitFor('v1 in the member', async () => (await admin.get(cmRef(name)))?.data?.['v' as never] === '1', 20_000);
    await waitFor('v1 recorded', async () => (await call(api, 'GET', cmPath(name))).body.status?.observedGeneration === 1, 20_000);

    // Two records computed from the same read: the first is stored, the second refused.
    const objects = api.app.get(FederatedObjectRepository);
    const read = (await objects.findWithWorks(uid))!;
    const status = read.object.status;
    expect(await objects.recordReconcile(uid, { seq: read.recordSeq, works: [], status })).toBe(true);
    expect(await objects.recordReconcile(uid, { seq: read.recordSeq, works: [], status: { clusters: [], conditions: [] } })).toBe(false);
    expect((await call(api, 'GET', cmPath(name))).body.status).toEqual(status);

    // A whole reconcile that read v1 and writes it after the workers stored v2 (a stalled job's first worker).
    const hold = holdMemberCalls(api);
    const stale = api.app.get(ReconcileService).reconcile(uid);
    await hold.waiting;
    expect((await call(api, 'PUT', cmPath(name), configMap(name, { v: '2' }))).status).toBe(200);
    await waitFor('v2 in the member', async () => (await admin.get(cmRef(name)))?.data?.['v' as never] === '2', 20_000);
    await waitFor('v2 recorded', async () => (await call(api, 'GET', cmPath(name))).body.status?.observedGeneration === 2, 20_000);
    hold.release();
    await stale;
    hold.restore();
    expect(hold.wrote).toEqual([`apply ConfigMap/${name}`]);
    // Its record was refused: what is stored still says generation 2, and v2 is back in the member.
    expect((await call(api, 'GET', cmPath(name))).body.status?.observedGeneration).toBe(2);
    await waitFor('v2 back in the member', async () => (await admin.get(cmRef(name)))?.data?.['v' as never] === '2', 20_000);
    expect((await call(api, 'GET', cmPath(name))).body.status?.observedGeneration).toBe(2);
  }, 90_000);

  it('a reconcile that creates the member object after another worker finished the deletion leaves nothing behind', async () => {
    const name = 'doomed';
    const created = await call(api, 'PUT', cmPath(name), configMap(name, { a: '1' }));
    expect(created.status).toBe(201);
    const uid: string = created.body.metadata.uid;
    await waitFor('in the member', async () => admin.get(cmRef(name)), 20_000);
    await waitFor('recorded', async () => (await call(api, 'GET', cmPath(name))).body.status?.observedGeneration === 1, 20_000);

    const hold = holdMemberCalls(api);
    const stale = api.app.get(ReconcileService).reconcile(uid);
    await hold.waiting;
    expect((await call(api, 'DELETE', cmPath(name))).status).toBe(200);
    await waitFor('the object gone', async () => (await call(api, 'GET', cmPath(name))).status === 404, 20_000);
    await waitFor('gone from the member', async () => (await admin.get(cmRef(name))) === undefined, 20_000);
    await sleep(300); // the member's watch cache has seen the deletion too
    hold.release();
    await stale;
    hold.restore();
    // The late reconcile did create it again …
    expect(hold.wrote).toEqual([`create ConfigMap/${name}`]);
    // … and removed it before returning: its record was refused, the object is gone.
    expect(await admin.get(cmRef(name))).toBeUndefined();
    await sleep(1_000);
    expect(await admin.get(cmRef(name))).toBeUndefined();
  }, 90_000);

  it('resync deletes a member object whose federated object is gone, and leaves a young untracked one of a live object', async () => {
    const ownerId = w1.config.propagation.ownerId;
    const live = await call(api, 'PUT', cmPath('alive'), configMap('alive', { a: '1' }));
    expect(live.status).toBe(201);
    await waitFor('alive recorded', async () => (await call(api, 'GET', cmPath('alive'))).body.status?.observedGeneration === 1, 20_000);
    const marks = (uid: string) => ({ labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE }, annotations: { [OWNER_ID_ANNOTATION]: ownerId, [FEDERATED_OBJECT_UID_ANNOTATION]: uid } });
    // What a reconcile that crashed between a late create and its clean-up would leave.
    await admin.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'orphan', namespace: 'default', ...marks(randomUUID()) }, data: { a: '1' } }, { fieldManager: 'test' });
    // Untracked, but its federated object exists and it is new: a reconcile may be about to record it.
    await admin.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'in-flight', namespace: 'default', ...marks(live.body.metadata.uid) }, data: { a: '1' } }, { fieldManager: 'test' });
    // Another federation's object is never touched.
    await admin.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'foreign', namespace: 'default', labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE }, annotations: { [OWNER_ID_ANNOTATION]: 'other-federation', [FEDERATED_OBJECT_UID_ANNOTATION]: randomUUID() } }, data: {} }, { fieldManager: 'test' });

    const report = await w1.app.get(ResyncService).resyncOnce();
    expect(report.errors).toEqual([]);
    expect(report.orphansDeleted).toBe(1);
    expect(await admin.get(cmRef('orphan'))).toBeUndefined();
    expect(await admin.get(cmRef('in-flight'))).toBeDefined();
    expect(await admin.get(cmRef('foreign'))).toBeDefined();
    expect(await admin.get(cmRef('alive'))).toBeDefined();
    await admin.delete(cmRef('in-flight'));
    await admin.delete(cmRef('foreign'));
  }, 60_000);
});
