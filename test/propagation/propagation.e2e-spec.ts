import { createMemberClient, PatchStrategy, requestOptions } from '#libs/kube';
import { startMemberClusters, type MemberCluster, type MemberClusterSet } from '#libs/kube-harness';
import { startTestServer, type TestServer } from '../support/server.js';
import {
  PROPAGATION_TEST_ENV,
  adminObjects,
  call,
  condition,
  deploymentRef,
  federatedDeployment,
  memberDeployment,
  registerClusters,
  waitFor,
} from './propagation-helpers.js';

const NS = 'propagation_e2e';
const BASE = '/api/v1/namespaces/default/federateddeployments';

describe('federated deployments propagate to real member clusters', () => {
  let members: MemberClusterSet;
  let server: TestServer;
  let a: MemberCluster;
  let b: MemberCluster;
  let c: MemberCluster;

  beforeAll(async () => {
    members = await startMemberClusters([
      { name: 'pa', region: 'us-east-1', zones: ['us-east-1a'] },
      { name: 'pb', region: 'eu-west-1', zones: ['eu-west-1a'] },
      { name: 'pc', region: 'ap-southeast-1', zones: ['ap-southeast-1a'] },
    ]);
    [a, b, c] = members.clusters;
    server = await startTestServer(NS, { env: PROPAGATION_TEST_ENV });
    await registerClusters(server, members, { pa: { region: 'us' }, pb: { region: 'eu' }, pc: { region: 'ap' } });
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    await members?.stopAll();
  }, 60_000);

  const replicasIn = async (m: MemberCluster, name: string) => ((await memberDeployment(m, 'default', name))?.spec as { replicas?: number } | undefined)?.replicas;
  const split = async (name: string) => [await replicasIn(a, name), await replicasIn(b, name), await replicasIn(c, name)];

  it('splits 9 replicas 3/6 by weights A:1 B:2, runs them Ready and reports 9/9', async () => {
    const body = federatedDeployment('web', { replicas: 9, spec: { replicaScheduling: { clusters: { pa: { weight: 1 }, pb: { weight: 2 } } } } });
    const created = await call(server, 'PUT', `${BASE}/web`, body);
    expect(created.status).toBe(201);
    expect(created.body.outcome).toBe('created');

    await waitFor('3/6 split in the members', async () => JSON.stringify(await split('web')) === JSON.stringify([3, 6, undefined]));
    const live = await memberDeployment(a, 'default', 'web');
    expect(live?.metadata?.labels?.['federation.ubernetes.io/managed-by']).toBe('ubernetes');
    expect(live?.metadata?.annotations?.['federation.ubernetes.io/federated-object']).toBe('FederatedDeployment/default/web');

    const status = await waitFor('9/9 ready', async () => {
      const res = await call(server, 'GET', `${BASE}/web/status`);
      return res.body?.status?.totals?.readyReplicas === 9 && condition(res.body, 'Ready')?.status === 'True' ? res.body : undefined;
    }, 30_000);
    expect(condition(status, 'Propagated')?.status).toBe('True');
    expect(condition(status, 'Unschedulable')?.status).toBe('False');
    expect(status.status.clusters.map((x: { cluster: string; readyReplicas: number }) => [x.cluster, x.readyReplicas])).toEqual([
      ['pa', 3],
      ['pb', 6],
    ]);

    // Applying the same manifest again changes nothing.
    const again = await call(server, 'PUT', `${BASE}/web`, body);
    expect(again.status).toBe(200);
    expect(again.body.outcome).toBe('unchanged');
  }, 60_000);

  it('an override for one cluster changes only that cluster', async () => {
    const before = { a: await memberDeployment(a, 'default', 'web'), b: await memberDeployment(b, 'default', 'web') };
    const current = (await call(server, 'GET', `${BASE}/web`)).body;
    const body = {
      ...current,
      metadata: { name: 'web', namespace: 'default' },
      spec: { ...current.spec, overrides: [{ clusterName: 'pa', clusterOverrides: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:1.27' }] }] },
    };
    delete body.status;
    const res = await call(server, 'PUT', `${BASE}/web`, body);
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('configured');
    await waitFor('new image in pa', async () => ((await memberDeployment(a, 'default', 'web'))?.spec as any)?.template?.spec?.containers?.[0]?.image === 'nginx:1.27');
    // Let a resync or two pass: pb must not be written.
    await new Promise((r) => setTimeout(r, 2_500));
    const afterB = await memberDeployment(b, 'default', 'web');
    expect(afterB?.metadata?.resourceVersion).toBe(before.b?.metadata?.resourceVersion);
    expect(afterB?.metadata?.generation).toBe(before.b?.metadata?.generation);
    expect((await memberDeployment(a, 'default', 'web'))?.metadata?.generation).toBe((before.a?.metadata?.generation ?? 0) + 1);
  }, 30_000);

  it('changing the total and then the weights (rebalance) moves replicas, gaining cluster first', async () => {
    const get = async () => {
      const obj = (await call(server, 'GET', `${BASE}/web`)).body;
      delete obj.status;
      return obj;
    };
    let obj = await get();
    obj.spec.replicaScheduling.totalReplicas = 12;
    expect((await call(server, 'PUT', `${BASE}/web`, obj)).status).toBe(200);
    await waitFor('4/8', async () => JSON.stringify(await split('web')) === JSON.stringify([4, 8, undefined]));

    await waitFor('12/12 ready', async () => (await call(server, 'GET', `${BASE}/web/status`)).body?.status?.totals?.readyReplicas === 12, 30_000);

    // Watch both members while the weights flip: pb gives replicas back only once pa runs its 8 ready.
    const seen: { spec: (number | undefined)[]; paReady: number }[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const [da, db] = await Promise.all([memberDeployment(a, 'default', 'web'), memberDeployment(b, 'default', 'web')]);
        const spec = [(da?.spec as { replicas?: number })?.replicas, (db?.spec as { replicas?: number })?.replicas];
        const paReady = (da?.status as { readyReplicas?: number })?.readyReplicas ?? 0;
        if (JSON.stringify(seen.at(-1)) !== JSON.stringify({ spec, paReady })) seen.push({ spec, paReady });
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    obj = await get();
    obj.spec.replicaScheduling = { totalReplicas: 12, rebalance: true, clusters: { pa: { weight: 2 }, pb: { weight: 1 } } };
    expect((await call(server, 'PUT', `${BASE}/web`, obj)).status).toBe(200);
    await waitFor('8/4', async () => JSON.stringify(await split('web')) === JSON.stringify([8, 4, undefined]));
    watching = false;
    await watcher;
    const firstDown = seen.findIndex((x) => x.spec[1] === 4);
    expect(seen.map((x) => x.spec[1]).filter((n, i, all) => n !== all[i - 1])).toEqual([8, 4]);
    expect(seen[firstDown - 1]).toEqual({ spec: [8, 8], paReady: 8 });
    await waitFor('12/12 ready', async () => (await call(server, 'GET', `${BASE}/web/status`)).body?.status?.totals?.readyReplicas === 12, 30_000);
  }, 60_000);

  it('refuses a stale resourceVersion with 409', async () => {
    const obj = (await call(server, 'GET', `${BASE}/web`)).body;
    delete obj.status;
    obj.metadata.resourceVersion = '1';
    const res = await call(server, 'PUT', `${BASE}/web`, { ...obj, metadata: { ...obj.metadata, labels: { changed: 'yes' } } });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('Conflict');
  });

  it('recreates a member object deleted by hand and restores one edited by hand', async () => {
    const admin = adminObjects(b);
    try {
      await admin.delete(deploymentRef('default', 'web'));
      await waitFor('pb/web recreated', async () => (await memberDeployment(b, 'default', 'web'))?.metadata?.uid !== undefined && (await replicasIn(b, 'web')) === 4, 15_000);

      const kubectl = createMemberClient({ name: a.name, server: a.server, caData: a.caData, token: a.adminToken });
      await kubectl.apps.patchNamespacedDeployment(
        { name: 'web', namespace: 'default', body: { spec: { replicas: 1, template: { spec: { containers: [{ name: 'web', image: 'evil:1' }] } } } } },
        requestOptions({ patch: PatchStrategy.StrategicMergePatch }),
      );
      expect(await replicasIn(a, 'web')).toBe(1);
      await waitFor('pa/web restored', async () => {
        const d = (await memberDeployment(a, 'default', 'web')) as any;
        return d?.spec?.replicas === 8 && d?.spec?.template?.spec?.containers?.[0]?.image === 'nginx:1.27';
      }, 15_000);
    } finally {
      admin.close();
    }
  }, 40_000);

  it('refuses bad input naming the field, and the running version stays untouched', async () => {
    // Generation and spec (status updates from the controllers may still bump resourceVersion).
    const snapshot = (d: any) => JSON.stringify([d?.metadata?.uid, d?.metadata?.generation, d?.spec]);
    const before = [await memberDeployment(a, 'default', 'web'), await memberDeployment(b, 'default', 'web')].map(snapshot);
    const cases: [string, Record<string, unknown>, string][] = [
      ['negative weight', { replicaScheduling: { clusters: { pa: { weight: -1 } } } }, 'spec.replicaScheduling.clusters.pa.weight'],
      ['min > max', { replicaScheduling: { clusters: { pa: { weight: 1, minReplicas: 5, maxReplicas: 2 } } } }, 'spec.replicaScheduling.clusters.pa.minReplicas'],
      ['unknown algorithm', { replicaScheduling: { algorithm: 'random' } }, 'spec.replicaScheduling.algorithm'],
    ];
    for (const [what, spec, path] of cases) {
      const res = await call(server, 'PUT', `${BASE}/web`, federatedDeployment('web', { spec }));
      expect([what, res.status]).toEqual([what, 422]);
      expect(res.body.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    const noKind = federatedDeployment('web') as any;
    delete noKind.spec.template.kind;
    const res = await call(server, 'PUT', `${BASE}/web`, noKind);
    expect(res.status).toBe(422);
    expect(res.body.details.map((d: { path: string }) => d.path)).toContain('spec.template.kind');

    const huge = federatedDeployment('web') as any;
    huge.metadata.annotations = { blob: 'x'.repeat(2 * 1024 * 1024) };
    const big = await call(server, 'PUT', `${BASE}/web`, huge);
    expect(big.status).toBe(413);

    const badOverride = federatedDeployment('web', { spec: { overrides: [{ clusterName: 'pa', clusterOverrides: [{ op: 'replace', path: '/spec/nothing/here', value: 1 }] }] } });
    const bo = await call(server, 'PUT', `${BASE}/web`, badOverride);
    expect(bo.status).toBe(422);
    expect(bo.body.details[0].path).toBe('spec.overrides[0].clusterOverrides[0].path');

    await new Promise((r) => setTimeout(r, 1_500));
    const after = [await memberDeployment(a, 'default', 'web'), await memberDeployment(b, 'default', 'web')].map(snapshot);
    expect(after).toEqual(before);
    expect((await call(server, 'GET', `${BASE}/web`)).body.spec.replicaScheduling.totalReplicas).toBe(12);
  }, 30_000);

  it('previews the placement without storing (dry run and plan)', async () => {
    const body = federatedDeployment('preview', { replicas: 6 });
    const dry = await call(server, 'POST', `${BASE}?dryRun=All`, body);
    expect(dry.status).toBe(200);
    expect(dry.body.plan.clusters).toEqual([
      { cluster: 'pa', replicas: 2 },
      { cluster: 'pb', replicas: 2 },
      { cluster: 'pc', replicas: 2 },
    ]);
    expect((await call(server, 'GET', `${BASE}/preview`)).status).toBe(404);
    const plan = await call(server, 'POST', `${BASE}/web/plan`, {});
    expect(plan.status).toBe(200);
    expect(plan.body.clusters).toEqual([
      { cluster: 'pa', replicas: 8 },
      { cluster: 'pb', replicas: 4 },
    ]);
  });

  it('accepts KubeFed manifests with a ReplicaSchedulingPreference (legacy split A4 B5 C0) and says it converted them', async () => {
    const kubefed = {
      apiVersion: 'types.kubefed.io/v1beta1',
      kind: 'FederatedDeployment',
      metadata: { name: 'kf', namespace: 'default' },
      spec: {
        template: {
          metadata: { labels: { app: 'kf' } },
          spec: { replicas: 9, selector: { matchLabels: { app: 'kf' } }, template: { metadata: { labels: { app: 'kf' } }, spec: { containers: [{ name: 'kf', image: 'nginx' }] } } },
        },
        placement: { clusters: [{ name: 'pa' }, { name: 'pb' }, { name: 'pc' }] },
      },
    };
    const rsp = {
      apiVersion: 'scheduling.kubefed.io/v1alpha1',
      kind: 'ReplicaSchedulingPreference',
      metadata: { name: 'kf', namespace: 'default' },
      spec: { targetKind: 'FederatedDeployment', totalReplicas: 9, clusters: { pa: { minReplicas: 4, maxReplicas: 6, weight: 1 }, pb: { minReplicas: 4, maxReplicas: 8, weight: 2 } } },
    };
    const fd = await call(server, 'PUT', `${BASE}/kf`, kubefed);
    expect(fd.status).toBe(201);
    expect(fd.body.conversion.join(' ')).toContain('types.kubefed.io/v1beta1');
    const pref = await call(server, 'PUT', '/api/v1/namespaces/default/replicaschedulingpreferences/kf', rsp);
    expect(pref.status).toBe(200);
    expect(pref.body.conversion.join(' ')).toContain('ReplicaSchedulingPreference');
    expect(pref.body.spec.replicaScheduling.algorithm).toBe('legacy');
    await waitFor('A4 B5 C0', async () => JSON.stringify(await split('kf')) === JSON.stringify([4, 5, undefined]));
  }, 30_000);

  it('accepts a Federation v1 Deployment with replica preferences (legacy split A3 B6 C0)', async () => {
    const v1 = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'v1app',
        namespace: 'default',
        annotations: { 'federation.kubernetes.io/deployment-preferences': JSON.stringify({ rebalance: true, clusters: { pa: { weight: 1 }, pb: { weight: 2 } } }) },
      },
      spec: { replicas: 9, selector: { matchLabels: { app: 'v1app' } }, template: { metadata: { labels: { app: 'v1app' } }, spec: { containers: [{ name: 'v1', image: 'nginx' }] } } },
    };
    const res = await call(server, 'POST', BASE, v1);
    expect(res.status).toBe(201);
    expect(res.body.conversion.join(' ')).toContain('federation.kubernetes.io/deployment-preferences');
    expect(res.body.spec.replicaScheduling).toEqual({ rebalance: true, clusters: { pa: { weight: 1 }, pb: { weight: 2 } }, algorithm: 'legacy', totalReplicas: 9 });
    await waitFor('A3 B6 C0', async () => JSON.stringify(await split('v1app')) === JSON.stringify([3, 6, undefined]));
    // The annotation is not propagated.
    expect((await memberDeployment(a, 'default', 'v1app'))?.metadata?.annotations?.['federation.kubernetes.io/deployment-preferences']).toBeUndefined();
  }, 30_000);

  it('KubeFed guide: 50 replicas, * w1, C w1 max20, clusters A and C → A30 C20', async () => {
    const body = federatedDeployment('fifty', {
      replicas: 50,
      spec: { placement: { clusters: ['pa', 'pc'] }, replicaScheduling: { algorithm: 'legacy', clusters: { '*': { weight: 1 }, pc: { weight: 1, maxReplicas: 20 } } } },
    });
    expect((await call(server, 'PUT', `${BASE}/fifty`, body)).status).toBe(201);
    await waitFor('A30 C20', async () => JSON.stringify(await split('fifty')) === JSON.stringify([30, undefined, 20]));
  }, 30_000);

  it('removing a cluster from the placement deletes what Ubernetes created there', async () => {
    const body = federatedDeployment('fifty', {
      replicas: 50,
      spec: { placement: { clusters: ['pa'] }, replicaScheduling: { algorithm: 'legacy', clusters: { '*': { weight: 1 }, pc: { weight: 1, maxReplicas: 20 } } } },
    });
    expect((await call(server, 'PUT', `${BASE}/fifty`, body)).status).toBe(200);
    await waitFor('A50, nothing in C', async () => JSON.stringify(await split('fifty')) === JSON.stringify([50, undefined, undefined]));
  }, 30_000);

  it('does not take over an unmanaged object of the same name unless asked', async () => {
    const admin = adminObjects(c);
    try {
      await admin.apply(
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default' }, data: { owner: 'someone-else' } },
        { fieldManager: 'kubectl', force: true },
      );
      const fcm = {
        apiVersion: 'federation.ubernetes.io/v1',
        kind: 'FederatedConfigMap',
        metadata: { name: 'settings', namespace: 'default' },
        spec: { template: { apiVersion: 'v1', kind: 'ConfigMap', data: { owner: 'federation' } } },
      };
      expect((await call(server, 'PUT', '/api/v1/namespaces/default/federatedconfigmaps/settings', fcm)).status).toBe(201);
      const status = await waitFor('per-cluster error for pc', async () => {
        const s = (await call(server, 'GET', '/api/v1/namespaces/default/federatedconfigmaps/settings/status')).body;
        const pc = s?.status?.clusters?.find((x: { cluster: string }) => x.cluster === 'pc');
        const pa = s?.status?.clusters?.find((x: { cluster: string }) => x.cluster === 'pa');
        return pc?.state === 'Error' && pa?.state === 'Applied' ? s : undefined;
      });
      expect(status.status.clusters.find((x: { cluster: string }) => x.cluster === 'pc').error).toContain('adoptExisting');
      expect(((await admin.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'settings' })) as any).data.owner).toBe('someone-else');

      const adopt = { ...fcm, spec: { ...fcm.spec, adoptExisting: true } };
      expect((await call(server, 'PUT', '/api/v1/namespaces/default/federatedconfigmaps/settings', adopt)).status).toBe(200);
      await waitFor('adopted', async () => ((await admin.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'settings' })) as any)?.data?.owner === 'federation');
    } finally {
      admin.close();
    }
  }, 30_000);

  it('deleting removes what Ubernetes created in every member, then the object', async () => {
    for (const name of ['web', 'kf', 'v1app', 'fifty']) expect((await call(server, 'DELETE', `${BASE}/${name}`)).status).toBe(200);
    await waitFor('member objects gone', async () => {
      for (const name of ['web', 'kf', 'v1app', 'fifty']) for (const m of [a, b, c]) if (await memberDeployment(m, 'default', name)) return false;
      return true;
    }, 20_000);
    await waitFor('federated objects gone', async () => (await call(server, 'GET', `${BASE}/web`)).status === 404);
    expect((await call(server, 'GET', BASE)).body.items).toEqual([]);
  }, 30_000);
});
