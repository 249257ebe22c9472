import { setTimeout as sleep } from 'node:timers/promises';
import { createMemberClient, PatchStrategy, requestOptions, type MemberObject } from '#libs/kube';
import { startMemberClusters, type MemberCluster, type MemberClusterSet } from '#libs/kube-harness';
import { startTestServer, type TestServer } from '../support/server.js';
import { PROPAGATION_TEST_ENV, adminObjects, call, condition, federatedDeployment, memberDeployment, registerClusters, waitFor } from './propagation-helpers.js';

const NS = 'propagation_ownership';
const RESYNC_SECONDS = 2;
const CM_BASE = '/api/v1/namespaces/default/federatedconfigmaps';
const DEPLOY_BASE = '/api/v1/namespaces/default/federateddeployments';
const OBJ_BASE = '/api/v1/namespaces/default/federatedobjects';

/** A FederatedConfigMap named `name` whose template is the ConfigMap `target`. */
function federatedConfigMap(name: string, target: string, data: Record<string, string>, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'federation.ubernetes.io/v1',
    kind: 'FederatedConfigMap',
    metadata: { name, namespace: 'default' },
    spec: { template: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: target }, data }, ...spec },
  };
}

/** A federated HorizontalPodAutoscaler (autoscaling/v1) scaling the Deployment `target` between 1 and 10. */
function federatedAutoscaler(name: string, target: string) {
  return {
    apiVersion: 'federation.ubernetes.io/v1',
    kind: 'FederatedObject',
    metadata: { name, namespace: 'default' },
    spec: {
      template: {
        apiVersion: 'autoscaling/v1',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name },
        spec: { minReplicas: 1, maxReplicas: 10, targetCPUUtilizationPercentage: 80, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target } },
      },
    },
  };
}

const configMapRef = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name });

/** Members' ownership marks, members run 1.20 and its HPA controller; no metrics server (HPAs never scale on load). */
describe('member objects belong to one federated object of one federation', () => {
  let members: MemberClusterSet;
  let server: TestServer;
  let a: MemberCluster;
  let b: MemberCluster;

  beforeAll(async () => {
    members = await startMemberClusters([
      { name: 'oa', region: 'us-east-1', zones: ['us-east-1a'] },
      { name: 'ob', region: 'eu-west-1', zones: ['eu-west-1a'] },
    ]);
    [a, b] = members.clusters;
    server = await startTestServer(NS, { env: { ...PROPAGATION_TEST_ENV, UBERNETES_RESYNC_SECONDS: String(RESYNC_SECONDS), FEDERATION_NAME: 'demo' } });
    await registerClusters(server, members);
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    await members?.stopAll();
  }, 60_000);

  async function configMapIn(m: MemberCluster, name: string): Promise<(MemberObject & { data?: Record<string, string> }) | undefined> {
    const admin = adminObjects(m);
    try {
      return (await admin.get(configMapRef(name))) as (MemberObject & { data?: Record<string, string> }) | undefined;
    } finally {
      admin.close();
    }
  }

  const statusOf = async (base: string, name: string) => (await call(server, 'GET', `${base}/${name}/status`)).body;
  const clusterOf = (status: any, cluster: string) => status?.status?.clusters?.find((c: { cluster: string }) => c.cluster === cluster);
  const applied = async (base: string, name: string) => {
    const s = await statusOf(base, name);
    return condition(s, 'Propagated')?.status === 'True' && !condition(s, 'Conflict') ? s : undefined;
  };
  /** Fails as soon as `fn` is false during `ms` (what must hold while resyncs pass). */
  async function holds(what: string, fn: () => Promise<boolean>, ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (!(await fn())) throw new Error(`no longer true: ${what}`);
      await sleep(250);
    }
  }
  const threeResyncs = 3 * RESYNC_SECONDS * 1000 + 500;
  /** Reconcile jobs run so far (every job name and outcome), from the server's Prometheus metrics. */
  async function reconcileJobs(): Promise<number> {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    return [...text.matchAll(/^ubernetes_job_duration_seconds_count\{[^}]*queue="reconcile"[^}]*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
  }

  it('a second federated object naming the same member object gets a Conflict naming the first, and neither deletion takes the other one\'s object', async () => {
    expect((await call(server, 'PUT', `${CM_BASE}/first`, federatedConfigMap('first', 'shared', { owner: 'first' }))).status).toBe(201);
    const first = await waitFor('first applied in both members', () => applied(CM_BASE, 'first'));
    const firstUid = (await call(server, 'GET', `${CM_BASE}/first`)).body.metadata.uid;
    const live = await configMapIn(a, 'shared');
    expect(live?.metadata?.annotations).toMatchObject({
      'federation.ubernetes.io/federated-object': 'FederatedConfigMap/default/first',
      'federation.ubernetes.io/federated-object-uid': firstUid,
      'federation.ubernetes.io/owner-id': 'demo',
    });
    expect(first.status.clusters.map((c: { state: string }) => c.state)).toEqual(['Applied', 'Applied']);

    // The second one: reported, never applied over the first's object.
    expect((await call(server, 'PUT', `${CM_BASE}/second`, federatedConfigMap('second', 'shared', { owner: 'second' }, { adoptExisting: true }))).status).toBe(201);
    const second = await waitFor('second reports the conflict', async () => {
      const s = await statusOf(CM_BASE, 'second');
      return condition(s, 'Conflict')?.status === 'True' && s.status.clusters.length === 2 ? s : undefined;
    });
    for (const cluster of ['oa', 'ob']) {
      const message = `ConfigMap default/shared in cluster ${cluster} belongs to FederatedConfigMap/default/first (federation demo)`;
      expect(condition(second, 'Conflict')?.message).toContain(message);
      expect(clusterOf(second, cluster)).toMatchObject({ state: 'Error', reason: 'Conflict', error: message });
    }
    expect(condition(second, 'Propagated')?.status).toBe('False');
    const versions = async () => [(await configMapIn(a, 'shared'))?.metadata?.resourceVersion, (await configMapIn(b, 'shared'))?.metadata?.resourceVersion];
    const before = await versions();
    const jobsBefore = await reconcileJobs();
    await holds('the first\'s object is not written', async () => JSON.stringify(await versions()) === JSON.stringify(before), threeResyncs);
    // Looked at again once per resync, not retried in a loop (nothing else is converging meanwhile).
    expect((await reconcileJobs()) - jobsBefore).toBeLessThanOrEqual(5);
    expect((await configMapIn(a, 'shared'))?.data).toEqual({ owner: 'first' });
    expect((await configMapIn(b, 'shared'))?.data).toEqual({ owner: 'first' });
    // Still reported after those resyncs.
    expect(condition(await statusOf(CM_BASE, 'second'), 'Conflict')?.status).toBe('True');

    // Deleting the second leaves the first's object alone.
    expect((await call(server, 'DELETE', `${CM_BASE}/second`)).status).toBe(200);
    await waitFor('second gone', async () => (await call(server, 'GET', `${CM_BASE}/second`)).status === 404);
    expect(JSON.stringify(await versions())).toBe(JSON.stringify(before));
    expect((await configMapIn(a, 'shared'))?.data).toEqual({ owner: 'first' });
    expect(await applied(CM_BASE, 'first')).toBeTruthy();

    // The other direction. The second again (in conflict), then the first deleted: the first's own object
    // goes, and the second, looked at again on resync, creates its own.
    expect((await call(server, 'PUT', `${CM_BASE}/second`, federatedConfigMap('second', 'shared', { owner: 'second' }))).status).toBe(201);
    await waitFor('second in conflict again', async () => condition(await statusOf(CM_BASE, 'second'), 'Conflict')?.status === 'True');
    expect((await call(server, 'DELETE', `${CM_BASE}/first`)).status).toBe(200);
    await waitFor('the second owns the member objects now', async () => {
      const [x, y] = [await configMapIn(a, 'shared'), await configMapIn(b, 'shared')];
      return x?.data?.owner === 'second' && y?.data?.owner === 'second' && (await applied(CM_BASE, 'second')) !== undefined;
    }, 20_000);
    await waitFor('first gone', async () => (await call(server, 'GET', `${CM_BASE}/first`)).status === 404);

    // A new first now conflicts with the second; deleting it leaves the second's object in place.
    expect((await call(server, 'PUT', `${CM_BASE}/first`, federatedConfigMap('first', 'shared', { owner: 'first' }))).status).toBe(201);
    const again = await waitFor('the new first reports the conflict', async () => {
      const s = await statusOf(CM_BASE, 'first');
      return condition(s, 'Conflict')?.status === 'True' ? s : undefined;
    });
    expect(condition(again, 'Conflict')?.message).toContain('belongs to FederatedConfigMap/default/second (federation demo)');
    const secondVersions = await versions();
    expect((await call(server, 'DELETE', `${CM_BASE}/first`)).status).toBe(200);
    await waitFor('new first gone', async () => (await call(server, 'GET', `${CM_BASE}/first`)).status === 404);
    expect(JSON.stringify(await versions())).toBe(JSON.stringify(secondVersions));
    expect((await configMapIn(b, 'shared'))?.data).toEqual({ owner: 'second' });

    // The owner deleted: its objects go.
    expect((await call(server, 'DELETE', `${CM_BASE}/second`)).status).toBe(200);
    await waitFor('shared gone from both members', async () => !(await configMapIn(a, 'shared')) && !(await configMapIn(b, 'shared')));
  }, 90_000);

  it('an object of another federation is left alone and reported, even with adoptExisting; one of an earlier version is taken over', async () => {
    const admin = adminObjects(a);
    try {
      await admin.apply(
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: 'theirs',
            namespace: 'default',
            labels: { 'federation.ubernetes.io/managed-by': 'ubernetes' },
            annotations: {
              'federation.ubernetes.io/federated-object': 'FederatedConfigMap/default/theirs',
              'federation.ubernetes.io/federated-object-uid': '4f7c2a9e-0000-4000-8000-000000000001',
              'federation.ubernetes.io/owner-id': 'other-federation',
            },
          },
          data: { owner: 'other-federation' },
        },
        { fieldManager: 'ubernetes', force: true },
      );
      expect((await call(server, 'PUT', `${CM_BASE}/theirs`, federatedConfigMap('theirs', 'theirs', { owner: 'demo' }, { adoptExisting: true }))).status).toBe(201);
      const status = await waitFor('conflict in oa, applied in ob', async () => {
        const s = await statusOf(CM_BASE, 'theirs');
        return clusterOf(s, 'oa')?.reason === 'Conflict' && clusterOf(s, 'ob')?.state === 'Applied' ? s : undefined;
      });
      const message = 'ConfigMap default/theirs in cluster oa belongs to FederatedConfigMap/default/theirs (federation other-federation)';
      expect(condition(status, 'Conflict')).toMatchObject({ status: 'True', message });
      expect(clusterOf(status, 'oa')).toMatchObject({ state: 'Error', error: message });
      const version = (await configMapIn(a, 'theirs'))?.metadata?.resourceVersion;
      await holds('the other federation\'s object is not written', async () => (await configMapIn(a, 'theirs'))?.metadata?.resourceVersion === version, threeResyncs);
      expect((await configMapIn(a, 'theirs'))?.data).toEqual({ owner: 'other-federation' });

      expect((await call(server, 'DELETE', `${CM_BASE}/theirs`)).status).toBe(200);
      await waitFor('deleted from ob, federated object gone', async () => !(await configMapIn(b, 'theirs')) && (await call(server, 'GET', `${CM_BASE}/theirs`)).status === 404);
      expect((await configMapIn(a, 'theirs'))?.data).toEqual({ owner: 'other-federation' });

      // Written by an earlier Ubernetes: managed-by label and this object's name, no uid. This object's:
      // taken over without adoptExisting, and the next apply adds the owner marks.
      await admin.apply(
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: 'legacy',
            namespace: 'default',
            labels: { 'federation.ubernetes.io/managed-by': 'ubernetes' },
            annotations: { 'federation.ubernetes.io/federated-object': 'FederatedConfigMap/default/legacy' },
          },
          data: { version: 'old' },
        },
        { fieldManager: 'ubernetes', force: true },
      );
      const created = await call(server, 'PUT', `${CM_BASE}/legacy`, federatedConfigMap('legacy', 'legacy', { version: 'new' }));
      expect(created.status).toBe(201);
      await waitFor('legacy taken over', () => applied(CM_BASE, 'legacy'));
      const upgraded = await configMapIn(a, 'legacy');
      expect(upgraded?.data).toEqual({ version: 'new' });
      expect(upgraded?.metadata?.annotations).toMatchObject({ 'federation.ubernetes.io/federated-object-uid': created.body.metadata.uid, 'federation.ubernetes.io/owner-id': 'demo' });
    } finally {
      admin.close();
    }
  }, 60_000);

  it('objects Ubernetes creates behave as applied: a field left out of the template is removed from the members', async () => {
    expect((await call(server, 'PUT', `${CM_BASE}/fields`, federatedConfigMap('fields', 'fields', { keep: '1', drop: '2' }))).status).toBe(201);
    await waitFor('created in both', async () => (await configMapIn(b, 'fields'))?.data?.drop === '2' && (await configMapIn(a, 'fields'))?.data?.drop === '2');
    expect((await call(server, 'PUT', `${CM_BASE}/fields`, federatedConfigMap('fields', 'fields', { keep: '1' }))).status).toBe(200);
    await waitFor('drop removed in both', async () => {
      const [x, y] = [await configMapIn(a, 'fields'), await configMapIn(b, 'fields')];
      return JSON.stringify([x?.data, y?.data]) === JSON.stringify([{ keep: '1' }, { keep: '1' }]);
    });
  }, 30_000);

  describe('replica counts owned by a member autoscaler', () => {
    const replicasIn = async (m: MemberCluster, name: string) => ((await memberDeployment(m, 'default', name))?.spec as { replicas?: number } | undefined)?.replicas;
    const split = async (name: string) => [await replicasIn(a, name), await replicasIn(b, name)];

    /** What the member's HPA controller does: writes the Deployment's scale with the member's credentials. */
    async function scaleInMember(m: MemberCluster, name: string, replicas: number): Promise<void> {
      const kube = createMemberClient({ name: m.name, server: m.server, caData: m.caData, token: m.adminToken });
      await kube.apps.patchNamespacedDeploymentScale({ name, namespace: 'default', body: { spec: { replicas } } }, requestOptions({ patch: PatchStrategy.MergePatch }));
    }

    async function deploy(name: string, spec: Record<string, unknown> = {}): Promise<void> {
      expect((await call(server, 'PUT', `${DEPLOY_BASE}/${name}`, federatedDeployment(name, { replicas: 4, spec }))).status).toBe(201);
      // The first create uses the planned count.
      await waitFor(`${name}: 2/2`, async () => JSON.stringify(await split(name)) === JSON.stringify([2, 2]));
      await waitFor(`${name}: 4/4 ready`, async () => (await statusOf(DEPLOY_BASE, name))?.status?.totals?.readyReplicas === 4, 30_000);
    }

    it('with retainReplicas: true, the member keeps its count through resyncs and drift correction, and status reports it', async () => {
      await deploy('retained', { retainReplicas: true });
      // A real HPA in the member (it has no metrics, so it leaves 5 alone: within 1..10).
      const admin = adminObjects(a);
      try {
        await admin.apply(
          {
            apiVersion: 'autoscaling/v1',
            kind: 'HorizontalPodAutoscaler',
            metadata: { name: 'retained', namespace: 'default' },
            spec: { minReplicas: 1, maxReplicas: 10, targetCPUUtilizationPercentage: 80, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'retained' } },
          },
          { fieldManager: 'kubectl', force: true },
        );
      } finally {
        admin.close();
      }
      await scaleInMember(a, 'retained', 5);
      await holds('oa keeps 5 replicas', async () => (await replicasIn(a, 'retained')) === 5, threeResyncs);
      const status = await waitFor('status counts what the members run', async () => {
        const s = await statusOf(DEPLOY_BASE, 'retained');
        return s?.status?.totals?.readyReplicas === 7 && condition(s, 'Ready')?.status === 'True' ? s : undefined;
      }, 30_000);
      expect(status.status.totals).toMatchObject({ desiredReplicas: 7, replicas: 7, readyReplicas: 7 });
      expect(clusterOf(status, 'oa')).toMatchObject({ state: 'Applied', plannedReplicas: 5, replicas: 5, readyReplicas: 5 });

      // Drift in anything else is still corrected, and the count stays.
      const kube = createMemberClient({ name: a.name, server: a.server, caData: a.caData, token: a.adminToken });
      await kube.apps.patchNamespacedDeployment(
        { name: 'retained', namespace: 'default', body: { spec: { template: { spec: { containers: [{ name: 'web', image: 'evil:1' }] } } } } },
        requestOptions({ patch: PatchStrategy.StrategicMergePatch }),
      );
      await waitFor('image restored in oa', async () => ((await memberDeployment(a, 'default', 'retained')) as any)?.spec?.template?.spec?.containers?.[0]?.image === 'nginx:1.25', 15_000);
      expect(await split('retained')).toEqual([5, 2]);
      // A spec change is applied with the members' counts too.
      const body = federatedDeployment('retained', { replicas: 4, image: 'nginx:1.27', spec: { retainReplicas: true } });
      expect((await call(server, 'PUT', `${DEPLOY_BASE}/retained`, body)).status).toBe(200);
      await waitFor('new image in both', async () => {
        const [x, y] = [await memberDeployment(a, 'default', 'retained'), await memberDeployment(b, 'default', 'retained')];
        return [x, y].every((d) => (d as any)?.spec?.template?.spec?.containers?.[0]?.image === 'nginx:1.27');
      });
      expect(await split('retained')).toEqual([5, 2]);
    }, 90_000);

    it('a federated HPA targeting the workload has the same effect, and once it is deleted the plan owns the counts again', async () => {
      expect((await call(server, 'PUT', `${OBJ_BASE}/scaled-hpa`, federatedAutoscaler('scaled-hpa', 'scaled'))).status).toBe(201);
      await deploy('scaled');
      await waitFor('the HPA is in both members', () => applied(OBJ_BASE, 'scaled-hpa'));
      await scaleInMember(b, 'scaled', 6);
      await holds('ob keeps 6 replicas', async () => (await replicasIn(b, 'scaled')) === 6, threeResyncs);
      const status = await waitFor('status counts what the members run', async () => {
        const s = await statusOf(DEPLOY_BASE, 'scaled');
        return s?.status?.totals?.readyReplicas === 8 ? s : undefined;
      }, 30_000);
      expect(clusterOf(status, 'ob')).toMatchObject({ plannedReplicas: 6, replicas: 6 });
      expect(await split('scaled')).toEqual([2, 6]);

      expect((await call(server, 'DELETE', `${OBJ_BASE}/scaled-hpa`)).status).toBe(200);
      await waitFor('the plan is applied again: 2/2', async () => JSON.stringify(await split('scaled')) === JSON.stringify([2, 2]), 20_000);
    }, 90_000);

    it('without either, drift in spec.replicas is corrected', async () => {
      await deploy('planned');
      await scaleInMember(a, 'planned', 5);
      await waitFor('oa back to its planned 2', async () => (await replicasIn(a, 'planned')) === 2, threeResyncs);
      expect(await split('planned')).toEqual([2, 2]);
    }, 60_000);
  });
});
