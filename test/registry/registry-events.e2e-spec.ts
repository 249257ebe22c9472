/**
 * Registry changes reach every process of a fleet (issue #14): with the api and worker roles in two
 * processes sharing one PostgreSQL and Redis, a label PATCH made on the api re-plans on the worker at
 * once (PostgreSQL NOTIFY), not at the next resync (set to 5 minutes here). A real member cluster.
 */
import { MemberObjects } from '#libs/kube';
import { startMemberClusters, type MemberClusterSet } from '#libs/kube-harness';
import { request, waitFor } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/server.js';

const NS = 'e2e_registry_events';
const ENV = { UBERNETES_RESYNC_SECONDS: '300', UBERNETES_RATE_LIMIT_RPS: '0' };

describe('registry changes reach every process', () => {
  let members: MemberClusterSet;
  let api: TestServer;
  let worker: TestServer;

  beforeAll(async () => {
    members = await startMemberClusters([{ name: 'rev-1', region: 'us-east-1', zones: ['us-east-1a'] }]);
    api = await startTestServer(NS, { env: { ...ENV, UBERNETES_ROLES: 'api' } });
    worker = await startTestServer(NS, { env: { ...ENV, UBERNETES_ROLES: 'worker' }, fresh: false });
    const m = members.clusters[0];
    const res = await request(api, 'POST', '/api/v1/clusters', { auth: api.auth, body: { metadata: { name: m.name }, spec: { server: m.server, caData: m.caData, credentials: { token: m.adminToken } } } });
    expect(res.status).toBe(201);
    await waitFor('rev-1 Ready', async () => {
      const c = await request(api, 'GET', '/api/v1/clusters/rev-1', { auth: api.auth });
      return c.body?.status?.conditions?.some((x: { type: string; status: string }) => x.type === 'Ready' && x.status === 'True');
    }, 60_000);
  }, 180_000);

  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    await members?.stopAll();
  }, 60_000);

  it('a label PATCH on the api process re-plans on the worker process: a FederatedConfigMap follows the label in and out of the member', async () => {
    const m = members.clusters[0];
    const member = new MemberObjects({ name: m.name, server: m.server, caData: m.caData, token: m.adminToken }, 3_000);
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'settings' };
    const patchLabels = async (labels: Record<string, string | null>) => {
      const res = await request(api, 'PATCH', '/api/v1/clusters/rev-1', { auth: api.auth, body: { metadata: { labels } }, contentType: 'application/merge-patch+json' });
      expect(res.status).toBe(200);
    };
    try {
      await patchLabels({ env: 'prod' });
      const created = await request(api, 'PUT', '/api/v1/namespaces/default/federatedconfigmaps/settings', {
        auth: api.auth,
        body: {
          apiVersion: 'federation.ubernetes.io/v1',
          kind: 'FederatedConfigMap',
          metadata: { name: 'settings', namespace: 'default' },
          spec: { template: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } }, placement: { clusterSelector: { matchLabels: { env: 'prod' } } } },
        },
      });
      expect(created.status).toBeLessThan(300);
      await waitFor('ConfigMap in the member', async () => member.get(ref, 3_000), 30_000, 100);
      await waitFor('Propagated', async () => {
        const o = await request(api, 'GET', '/api/v1/namespaces/default/federatedconfigmaps/settings', { auth: api.auth });
        return o.body?.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Propagated' && c.status === 'True');
      }, 30_000);
      // Converged: nothing looks at the object again by itself before the resync (5 minutes here).
      await new Promise((r) => setTimeout(r, 3_000));

      const patchedAt = Date.now();
      await patchLabels({ env: null });
      await waitFor('ConfigMap gone from the member', async () => (await member.get(ref, 3_000)) === undefined, 15_000, 100);
      process.stderr.write(`label removed on the api → ConfigMap deleted by the worker: ${Date.now() - patchedAt} ms\n`);
    } finally {
      member.close();
    }
  }, 120_000);
});
