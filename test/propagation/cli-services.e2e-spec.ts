import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ReconcileService } from '#libs/propagation';
import { startMemberClusters, type MemberCluster, type MemberClusterSet } from '#libs/kube-harness';
import { startTestServer, type TestServer } from '../support/server.js';
import { PROPAGATION_TEST_ENV, adminObjects, call, condition, federatedDeployment, memberDeployment, registerClusters, waitFor } from './propagation-helpers.js';

const NS = 'propagation_cli';
const FEDCTL = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'apps', 'fedctl', 'src', 'main.js');

function fedctl(server: TestServer, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FEDCTL, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: mkdtempSync(join(tmpdir(), 'fedctl-home-')), UBERNETES_SERVER: server.url, UBERNETES_TOKEN: server.auth.replace(/^Bearer /, '') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('fedctl apply/get/describe/delete, services and capacity', () => {
  let members: MemberClusterSet;
  let server: TestServer;
  let a: MemberCluster;
  let b: MemberCluster;

  beforeAll(async () => {
    members = await startMemberClusters([
      { name: 'ca', region: 'us-east-1', zones: ['us-east-1a'] },
      { name: 'cb', region: 'eu-west-1', zones: ['eu-west-1a'], loadBalancer: 'hostname' },
    ]);
    [a, b] = members.clusters;
    server = await startTestServer(NS, { env: { ...PROPAGATION_TEST_ENV, UBERNETES_UNSCHEDULABLE_SECONDS: '2' } });
    await registerClusters(server, members);
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    await members?.stopAll();
  }, 60_000);

  it('applies a multi-document file like kubectl and shows READY in fedctl get', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fedctl-apply-'));
    const file = join(dir, 'app.yaml');
    writeFileSync(
      file,
      `apiVersion: federation.ubernetes.io/v1
kind: FederatedDeployment
metadata:
  name: shop
spec:
  template:
    apiVersion: apps/v1
    kind: Deployment
    spec:
      replicas: 4
      selector: {matchLabels: {app: shop}}
      template:
        metadata: {labels: {app: shop}}
        spec: {containers: [{name: shop, image: "nginx:1.25"}]}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedService
metadata:
  name: shop
  namespace: default
spec:
  template:
    spec:
      type: LoadBalancer
      selector: {app: shop}
      ports: [{port: 80, targetPort: 8080}]
  placement:
    clusters: [{name: ca}, {name: cb}]
`,
    );
    const first = await fedctl(server, ['apply', '-f', file]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('federateddeployment.federation.ubernetes.io/shop created');
    expect(first.stdout).toContain('federatedservice.federation.ubernetes.io/shop created');
    expect(first.stdout).toContain('note: converted from types.kubefed.io/v1beta1 FederatedService');
    const again = await fedctl(server, ['apply', '-f', file]);
    expect(again.stdout).toContain('federateddeployment.federation.ubernetes.io/shop unchanged');

    await waitFor('4/4 ready', async () => (await call(server, 'GET', '/api/v1/namespaces/default/federateddeployments/shop')).body?.status?.totals?.readyReplicas === 4, 30_000);
    const get = await fedctl(server, ['get', 'fdeploy']);
    expect(get.code).toBe(0);
    const [header, row] = get.stdout.trim().split('\n');
    expect(header.split(/\s+/)).toEqual(['NAME', 'READY', 'CLUSTERS', 'AGE']);
    expect(row.split(/\s+/).slice(0, 3)).toEqual(['shop', '4/4', 'ca,cb']);
    const describe = await fedctl(server, ['describe', 'fdeploy', 'shop']);
    expect(describe.stdout).toMatch(/Replicas:\s+4\/4 ready/);
    const json = JSON.parse((await fedctl(server, ['get', 'federateddeployment', 'shop', '-o', 'json'])).stdout);
    expect(json.status.totals.desiredReplicas).toBe(4);
  }, 90_000);

  it('reports Service ingress and ready endpoints per cluster (status and listServiceEndpoints)', async () => {
    const endpoints = await waitFor('ingress and endpoints in both clusters', async () => {
      const list = await server.app.get(ReconcileService).listServiceEndpoints();
      const shop = list.find((s) => s.name === 'shop');
      return shop && shop.clusters.length === 2 && shop.clusters.every((c) => c.ingress.length > 0 && c.readyEndpoints > 0) ? shop : undefined;
    }, 30_000);
    expect(endpoints.namespace).toBe('default');
    expect(endpoints.clusters[0].cluster).toBe('ca');
    expect(endpoints.clusters[0].ingress[0].ip).toMatch(/^127\.66\./);
    expect(endpoints.clusters[1].ingress[0].hostname).toContain('cb');
    expect(endpoints.clusters[0].readyEndpoints).toBe(2);
    const status = (await call(server, 'GET', '/api/v1/namespaces/default/federatedservices/shop/status')).body;
    expect(status.status.clusters.map((c: { readyEndpoints: number }) => c.readyEndpoints)).toEqual([2, 2]);
    const get = await fedctl(server, ['get', 'fsvc']);
    expect(get.stderr).toBe('');
    expect(get.stdout).toMatch(/shop\s+2\/2\s+ca,cb/);
  }, 40_000);

  it('learns capacity from Unschedulable pods: the default planner moves replicas and reports Unschedulable', async () => {
    a.setCapacity(2 + 3); // shop's 2 pods + 3
    const body = federatedDeployment('batch', { replicas: 10 });
    expect((await call(server, 'PUT', '/api/v1/namespaces/default/federateddeployments/batch', body)).status).toBe(201);
    // 5/5 first; ca runs at most 3 (its other pods stay Unschedulable), so the rest moves to cb.
    await waitFor('ca 3, cb 7', async () => {
      const ra = ((await memberDeployment(a, 'default', 'batch'))?.spec as { replicas?: number })?.replicas;
      const rb = ((await memberDeployment(b, 'default', 'batch'))?.spec as { replicas?: number })?.replicas;
      return ra === 3 && rb === 7;
    }, 40_000);
    await waitFor('10/10 ready', async () => (await call(server, 'GET', '/api/v1/namespaces/default/federateddeployments/batch')).body?.status?.totals?.readyReplicas === 10, 30_000);

    // Capacity for more than both clusters can take: Unschedulable with the count.
    b.setCapacity(2 + 7 + 2); // shop's 2 pods + batch's 7 + 2 spare
    const big = federatedDeployment('batch', { replicas: 20 });
    expect((await call(server, 'PUT', '/api/v1/namespaces/default/federateddeployments/batch', big)).status).toBe(200);
    const s = await waitFor('Unschedulable', async () => {
      const obj = (await call(server, 'GET', '/api/v1/namespaces/default/federateddeployments/batch')).body;
      return condition(obj, 'Unschedulable')?.status === 'True' ? obj : undefined;
    }, 40_000);
    expect(s.status.totals.unschedulable).toBeGreaterThan(0);
    expect(condition(s, 'Unschedulable')?.message).toContain(String(s.status.totals.unschedulable));
    a.setCapacity(1000);
    b.setCapacity(1000);
  }, 120_000);

  it('fedctl delete removes the objects from the members', async () => {
    const res = await fedctl(server, ['delete', 'fdeploy', 'shop', 'batch', '--wait']);
    expect(res.stderr).toBe('');
    expect(res.stdout).toContain('federateddeployment.federation.ubernetes.io "shop" deleted');
    const svc = await fedctl(server, ['delete', 'fsvc', 'shop', '--wait']);
    expect(svc.code).toBe(0);
    for (const m of [a, b]) {
      expect(await memberDeployment(m, 'default', 'shop')).toBeUndefined();
      const objects = adminObjects(m);
      expect(await objects.get({ apiVersion: 'v1', kind: 'Service', namespace: 'default', name: 'shop' })).toBeUndefined();
      objects.close();
    }
    expect((await fedctl(server, ['get', 'fdeploy'])).stderr).toContain('No federateddeployments found.');
  }, 60_000);
  it('a hung cluster never blocks the others: skipped, reported, and caught up (creation and deletion) when it is back', async () => {
    const path = '/api/v1/namespaces/default/federatedconfigmaps/flags';
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'flags' };
    const body = { apiVersion: 'federation.ubernetes.io/v1', kind: 'FederatedConfigMap', metadata: { name: 'flags' }, spec: { template: { apiVersion: 'v1', kind: 'ConfigMap', data: { beta: 'on' } } } };
    const oa = adminObjects(a);
    const ob = adminObjects(b);
    try {
      await b.hang();
      const t0 = Date.now();
      expect((await call(server, 'PUT', path, body)).status).toBe(201);
      await waitFor('flags in ca', async () => (await oa.get(cm)) !== undefined, 10_000);
      expect(Date.now() - t0).toBeLessThan(8_000);
      const status = await waitFor('cb reported not applied', async () => {
        const s = (await call(server, 'GET', `${path}/status`)).body;
        const cb = s?.status?.clusters?.find((x: { cluster: string }) => x.cluster === 'cb');
        return cb && cb.state !== 'Applied' ? s : undefined;
      }, 30_000);
      expect(condition(status, 'Propagated')?.status).toBe('False');
      await b.resume();
      await waitFor('flags in cb', async () => (await ob.get(cm)) !== undefined, 30_000);

      await b.hang();
      await waitFor('cb NotReady', async () => {
        const res = await call(server, 'GET', '/api/v1/clusters/cb');
        return res.body?.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status !== 'True');
      }, 30_000);
      expect((await call(server, 'DELETE', path)).status).toBe(200);
      await waitFor('flags gone from ca', async () => (await oa.get(cm)) === undefined, 10_000);
      expect((await call(server, 'GET', path)).body.metadata.deletionTimestamp).toBeDefined();
      await b.resume();
      await waitFor('flags gone from cb', async () => (await ob.get(cm)) === undefined, 30_000);
      await waitFor('object removed', async () => (await call(server, 'GET', path)).status === 404, 10_000);
    } finally {
      await b.resume().catch(() => undefined);
      oa.close();
      ob.close();
    }
  }, 120_000);
});
