import { writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { stringify } from 'yaml';
import { createMemberClient, httpStatusOf, MEMBER_CLUSTER_ROLE, MEMBER_NAMESPACE, MEMBER_SERVICE_ACCOUNT } from '#libs/kube';
import { startMemberClusters, type MemberCluster, type MemberClusterSet } from '#libs/kube-harness';
import { ClustersService } from '#libs/registry';
import { startTestServer, TEST_DATABASE_URL, type TestServer } from '../support/server.js';
import { call, condition, fedctl, waitFor } from './registry-helpers.js';

const NS = 'registry_join';

describe('fedctl join / unjoin / get against real member clusters', () => {
  let members: MemberClusterSet;
  let server: TestServer;
  let m1: MemberCluster;
  let m2: MemberCluster;

  beforeAll(async () => {
    members = await startMemberClusters([
      { name: 'rj-1', region: 'us-east-1', zones: ['us-east-1a', 'us-east-1b'] },
      { name: 'rj-2', region: 'eu-west-1', zones: ['eu-west-1a'] },
    ]);
    [m1, m2] = members.clusters;
    server = await startTestServer(NS);
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    await members?.stopAll();
  }, 60_000);

  const admin = (m: MemberCluster) => createMemberClient({ name: m.name, server: m.server, caData: m.caData, token: m.adminToken });

  it('joins with the CLI: least-privilege identity in the member, Ready with zones and region from node labels', async () => {
    const result = await fedctl(server, ['join', 'rj-1', '--kubeconfig', m1.kubeconfigPath, '--label', 'env=test']);
    expect(result.stderr).toContain('cluster role ubernetes-member');
    expect(result.stderr).toContain('service account token');
    expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 0 });
    expect(result.stdout).toContain('cluster "rj-1" joined');

    // Member side: the ServiceAccount and a ClusterRole without any wildcard.
    const sa = await admin(m1).core.readNamespacedServiceAccount({ namespace: MEMBER_NAMESPACE, name: MEMBER_SERVICE_ACCOUNT });
    expect(sa.metadata?.name).toBe('ubernetes-member');
    const role = await admin(m1).rbac.readClusterRole({ name: MEMBER_CLUSTER_ROLE });
    expect(role.rules?.length).toBeGreaterThan(0);
    expect(JSON.stringify(role.rules)).not.toContain('*');

    // The stored token (not the user's) can list nodes but cannot create ClusterRoles.
    const registry = server.app.get(ClustersService);
    const stored = await registry.memberCredentials('rj-1');
    expect(stored.token).toBeTruthy();
    expect(stored.token).not.toBe(m1.adminToken);
    expect(stored.caData).toBe(m1.caData);
    const federation = await registry.memberClient('rj-1');
    expect((await federation.core.listNode()).items).toHaveLength(2);
    expect(await federation.can('list', 'nodes')).toBe(true);
    expect(await federation.can('create', 'clusterroles', 'rbac.authorization.k8s.io')).toBe(false);
    expect(await federation.can('create', 'deployments', 'apps')).toBe(true);
    const forbidden = await federation.rbac
      .createClusterRole({ body: { metadata: { name: 'escalate' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] } })
      .then(() => 201, (error: unknown) => httpStatusOf(error));
    expect(forbidden).toBe(403);

    await waitFor('rj-1 Ready', async () => condition((await call(server, 'GET', '/api/v1/clusters/rj-1')).body, 'Ready')?.status === 'True', 20_000);
    const get = await fedctl(server, ['get', 'clusters']);
    expect({ code: get.code, stderr: get.stderr }).toMatchObject({ code: 0 });
    const lines = get.stdout.trim().split('\n');
    expect(lines[0].split(/\s+/)).toEqual(['NAME', 'READY', 'ZONES', 'REGION', 'VERSION', 'AGE']);
    const version = await admin(m1).version();
    expect(lines[1].split(/\s+/)).toEqual(['rj-1', 'True', 'us-east-1a,us-east-1b', 'us-east-1', version, expect.stringMatching(/^\d+s$/)]);

    const wide = await fedctl(server, ['get', 'clusters', '-o', 'wide']);
    expect(wide.stdout.split('\n')[0].split(/\s+/)).toEqual(['NAME', 'READY', 'ZONES', 'REGION', 'VERSION', 'AGE', 'SERVER', 'LATENCY', 'LAST-PROBE']);
    expect(wide.stdout).toContain(m1.server);
    const json = JSON.parse((await fedctl(server, ['get', 'cluster', 'rj-1', '-o', 'json'])).stdout);
    expect(json.metadata.labels).toEqual({ env: 'test' });
    expect(JSON.stringify(json)).not.toContain(stored.token!);
  }, 120_000);

  it('never sends the user credentials to the server and stores the token encrypted', async () => {
    const db = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT c.*::text AS row FROM "${NS}".clusters c`);
      const stored = await server.app.get(ClustersService).memberCredentials('rj-1');
      for (const { row } of rows as { row: string }[]) {
        expect(row).not.toContain(m1.adminToken);
        expect(row).not.toContain(stored.token!);
      }
    } finally {
      await db.end();
    }
  });

  it('re-running join is idempotent and updates the registration', async () => {
    const before = (await call(server, 'GET', '/api/v1/clusters/rj-1')).body;
    const again = await fedctl(server, ['join', 'rj-1', '--kubeconfig', m1.kubeconfigPath, '--label', 'env=prod']);
    expect({ code: again.code, stderr: again.stderr }).toMatchObject({ code: 0 });
    expect(again.stdout).toContain('cluster "rj-1" rejoined');
    const after = (await call(server, 'GET', '/api/v1/clusters/rj-1')).body;
    expect(after.metadata.uid).toBe(before.metadata.uid);
    expect(after.metadata.labels).toEqual({ env: 'prod' });
    expect(Number(after.metadata.resourceVersion)).toBeGreaterThan(Number(before.metadata.resourceVersion));
    expect((await call(server, 'GET', '/api/v1/clusters')).body.items).toHaveLength(1);
    const federation = await server.app.get(ClustersService).memberClient('rj-1');
    expect((await federation.core.listNode()).items).toHaveLength(2);
  }, 120_000);

  it('refuses a kubeconfig that skips TLS verification unless --insecure-skip-tls-verify is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'registry-join-'));
    const path = join(dir, 'insecure.kubeconfig');
    writeFileSync(
      path,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'rj-2', cluster: { server: m2.server, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'rj-2', user: { token: m2.adminToken } }],
        contexts: [{ name: 'rj-2', context: { cluster: 'rj-2', user: 'rj-2' } }],
        'current-context': 'rj-2',
      }),
    );
    const refused = await fedctl(server, ['join', 'rj-2', '--kubeconfig', path]);
    expect({ code: refused.code, stderr: refused.stderr }).toMatchObject({ code: 2 });
    expect(refused.stderr).toMatch(/skips TLS verification.*--insecure-skip-tls-verify/);
    expect((await call(server, 'GET', '/api/v1/clusters/rj-2')).status).toBe(404);
    const nsGone = await admin(m2).core.readNamespace({ name: MEMBER_NAMESPACE }).then(() => 200, (e: unknown) => httpStatusOf(e));
    expect(nsGone).toBe(404);

    // With the explicit opt-in it joins, and the registration says so.
    const accepted = await fedctl(server, ['join', 'rj-2', '--kubeconfig', path, '--insecure-skip-tls-verify']);
    expect({ code: accepted.code, stderr: accepted.stderr }).toMatchObject({ code: 0 });
    const c = (await call(server, 'GET', '/api/v1/clusters/rj-2')).body;
    expect(c.spec.insecureSkipTLSVerify).toBe(true);
    expect(c.spec.caData).toBeUndefined();
    expect(condition(c, 'Ready')?.status).toBe('True');
  }, 90_000);

  it('unjoin removes the registration and the member-side objects, and only warns when they are already gone', async () => {
    // Re-joining with a verifying kubeconfig replaces the insecure opt-in by the member's CA.
    const joined = await fedctl(server, ['join', 'rj-2', '--kubeconfig', m2.kubeconfigPath, '--context', 'rj-2', '--no-wait']);
    expect({ code: joined.code, stderr: joined.stderr }).toMatchObject({ code: 0 });
    const secured = (await call(server, 'GET', '/api/v1/clusters/rj-2')).body;
    expect(secured.spec.insecureSkipTLSVerify).toBeUndefined();
    expect(secured.spec.caData).toBe(m2.caData);
    const unjoin = await fedctl(server, ['unjoin', 'rj-2', '--kubeconfig', m2.kubeconfigPath]);
    expect({ code: unjoin.code, stderr: unjoin.stderr }).toMatchObject({ code: 0 });
    expect(unjoin.stdout).toContain('cluster "rj-2" unjoined');
    expect((await call(server, 'GET', '/api/v1/clusters/rj-2')).status).toBe(404);
    const role = await admin(m2).rbac.readClusterRole({ name: MEMBER_CLUSTER_ROLE }).then(() => 200, (e: unknown) => httpStatusOf(e));
    expect(role).toBe(404);
    const binding = await admin(m2).rbac.readClusterRoleBinding({ name: MEMBER_CLUSTER_ROLE }).then(() => 200, (e: unknown) => httpStatusOf(e));
    expect(binding).toBe(404);

    const again = await fedctl(server, ['unjoin', 'rj-2', '--kubeconfig', m2.kubeconfigPath]);
    expect({ code: again.code, stderr: again.stderr }).toMatchObject({ code: 0 });
    expect(again.stderr).toContain('was not registered');
    expect(again.stderr).toContain('cluster role ubernetes-member was already gone');
    expect(again.stdout).toMatch(/unjoined with \d+ warning/);
  }, 120_000);
});
