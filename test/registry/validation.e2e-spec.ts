import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { QueueName, QueueService } from '#libs/queues';
import { ClustersService, Keyring } from '#libs/registry';
import { stringify } from 'yaml';
import { startTestServer, TEST_DATABASE_URL, type TestServer } from '../support/server.js';
import { call, condition, FAKE_CA, waitFor } from './registry-helpers.js';

const NS = 'registry_validation';

/** A registration body pointing at a loopback port nothing listens on (never reachable). */
function cluster(name: string, spec: Record<string, unknown> = {}, labels: Record<string, string> = {}) {
  return {
    apiVersion: 'federation.ubernetes.io/v1',
    kind: 'Cluster',
    metadata: { name, labels },
    spec: { server: 'https://127.0.0.1:9', caData: FAKE_CA, credentials: { token: `secret-token-of-${name}` }, ...spec },
  };
}

describe('cluster registry API: input safety and shape', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(NS);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  async function names(): Promise<string[]> {
    const list = await call(server, 'GET', '/api/v1/clusters');
    expect(list.status).toBe(200);
    return list.body.items.map((c: { metadata: { name: string } }) => c.metadata.name);
  }

  it('registers a cluster and returns a Kubernetes-like resource without its credentials', async () => {
    const res = await call(server, 'POST', '/api/v1/clusters', cluster('shape-1', { region: 'us-east-1', zones: ['us-east-1a'] }, { env: 'test' }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      apiVersion: 'federation.ubernetes.io/v1',
      kind: 'Cluster',
      metadata: { name: 'shape-1', labels: { env: 'test' }, uid: expect.stringMatching(/^[0-9a-f-]{36}$/), resourceVersion: expect.any(String), creationTimestamp: expect.any(String) },
      spec: { server: 'https://127.0.0.1:9', caData: FAKE_CA, region: 'us-east-1', zones: ['us-east-1a'], taints: [], unschedulable: false },
      status: { conditions: expect.arrayContaining([expect.objectContaining({ type: 'Ready' }), expect.objectContaining({ type: 'Offline' })]) },
    });
    expect(res.text).not.toContain('secret-token-of-shape-1');
    expect(res.text).not.toContain('credentials');
    const got = await call(server, 'GET', '/api/v1/clusters/shape-1');
    expect(got.text).not.toContain('secret-token-of-shape-1');
  });

  it.each([
    ['an invalid name', cluster('Bad_Name'), 'metadata.name'],
    ['an http:// URL', cluster('plain-http', { server: 'http://127.0.0.1:6443' }), 'spec.server'],
    ['the metadata address', cluster('metadata', { server: 'https://169.254.169.254' }), 'spec.server'],
    ['the IPv6 metadata address', cluster('metadata6', { server: 'https://[fd00:ec2::254]:443' }), 'spec.server'],
    ['a URL with userinfo', cluster('userinfo', { server: 'https://admin:pw@127.0.0.1:6443' }), 'spec.server'],
    ['a negative failure threshold', cluster('negative', { healthCheck: { failureThreshold: -1 } }), 'spec.healthCheck.failureThreshold'],
    ['a negative success threshold', cluster('negative2', { healthCheck: { successThreshold: -2 } }), 'spec.healthCheck.successThreshold'],
    ['no credentials', { metadata: { name: 'nocreds' }, spec: { server: 'https://127.0.0.1:9' } }, 'spec.credentials'],
  ])('refuses %s with 422 naming the field and stores nothing', async (_what, body, path) => {
    const before = await names();
    const res = await call(server, 'POST', '/api/v1/clusters', body);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('Invalid');
    expect(res.body.details.map((d: { path: string }) => d.path)).toContain(path);
    expect(await names()).toEqual(before);
  });

  it('refuses a duplicate name with 409 and keeps the first registration', async () => {
    expect((await call(server, 'POST', '/api/v1/clusters', cluster('dup', {}, { first: 'yes' }))).status).toBe(201);
    const res = await call(server, 'POST', '/api/v1/clusters', cluster('dup', { server: 'https://127.0.0.2:9' }));
    expect(res.status).toBe(409);
    expect(res.body.details).toEqual([{ path: 'metadata.name', message: 'is already taken' }]);
    const kept = await call(server, 'GET', '/api/v1/clusters/dup');
    expect(kept.body.spec.server).toBe('https://127.0.0.1:9');
    expect(kept.body.metadata.labels).toEqual({ first: 'yes' });
  });

  it('refuses an uploaded kubeconfig that runs a program or reads files, naming the entry', async () => {
    const kubeconfig = (user: Record<string, unknown>) =>
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:9', 'certificate-authority-data': FAKE_CA } }],
        users: [{ name: 'u', user }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      });
    const before = await names();
    const exec = await call(server, 'POST', '/api/v1/clusters', { metadata: { name: 'kc-exec' }, kubeconfig: kubeconfig({ exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'sh', args: ['-c', 'touch /tmp/pwned'] } }) });
    expect(exec.status).toBe(422);
    expect(exec.body.details).toEqual([{ path: 'kubeconfig.users[0].user.exec', message: expect.stringContaining('runs a program') }]);
    const file = await call(server, 'POST', '/api/v1/clusters', { metadata: { name: 'kc-file' }, kubeconfig: kubeconfig({ tokenFile: '/var/run/secrets/token' }) });
    expect(file.status).toBe(422);
    expect(file.body.details[0].path).toBe('kubeconfig.users[0].user.tokenFile');
    expect(await names()).toEqual(before);

    const ok = await call(server, 'POST', '/api/v1/clusters', { metadata: { name: 'kc-ok' }, kubeconfig: kubeconfig({ token: 'kc-secret-token' }) });
    expect(ok.status).toBe(201);
    expect(ok.body.spec).toMatchObject({ server: 'https://127.0.0.1:9', caData: FAKE_CA });
    expect(ok.text).not.toContain('kc-secret-token');
  });

  it('lists by Kubernetes label selector', async () => {
    for (const [name, labels] of [
      ['sel-1', { a: 'b', e: 'x', g: '1' }],
      ['sel-2', { a: 'b', c: 'd', e: 'x', g: '1' }],
      ['sel-3', { a: 'b', e: 'z', g: '1' }],
      ['sel-4', { a: 'b', e: 'y', f: 'no', g: '1' }],
      ['sel-5', { a: 'b', e: 'y' }],
    ] as const) {
      expect((await call(server, 'POST', '/api/v1/clusters', cluster(name, {}, labels))).status).toBe(201);
    }
    const res = await call(server, 'GET', `/api/v1/clusters?labelSelector=${encodeURIComponent('a=b,c!=d,e in (x,y),!f,g')}`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((c: { metadata: { name: string } }) => c.metadata.name)).toEqual(['sel-1']);
    const bad = await call(server, 'GET', `/api/v1/clusters?labelSelector=${encodeURIComponent('a in (x')}`);
    expect(bad.status).toBe(422);
    expect(bad.body.details[0].path).toBe('labelSelector');
  });

  it('updates labels, taints and cordon with merge-patch semantics', async () => {
    await call(server, 'POST', '/api/v1/clusters', cluster('patch-me', { healthCheck: { periodSeconds: 5 } }, { keep: 'yes', drop: 'me' }));
    const res = await call(
      server,
      'PATCH',
      '/api/v1/clusters/patch-me',
      { metadata: { labels: { drop: null, added: 'now' } }, spec: { unschedulable: true, taints: [{ key: 'maintenance', effect: 'NoSchedule' }] } },
      'application/merge-patch+json',
    );
    expect(res.status).toBe(200);
    expect(res.body.metadata.labels).toEqual({ keep: 'yes', added: 'now' });
    expect(res.body.spec).toMatchObject({ unschedulable: true, taints: [{ key: 'maintenance', effect: 'NoSchedule' }], healthCheck: { periodSeconds: 5 }, server: 'https://127.0.0.1:9' });
    const bad = await call(server, 'PATCH', '/api/v1/clusters/patch-me', { spec: { healthCheck: { failureThreshold: -3 } } });
    expect(bad.status).toBe(422);
    expect(bad.body.details[0].path).toBe('spec.healthCheck.failureThreshold');
    const badUrl = await call(server, 'PATCH', '/api/v1/clusters/patch-me', { spec: { server: 'https://169.254.169.254' } });
    expect(badUrl.status).toBe(422);
    expect((await call(server, 'GET', '/api/v1/clusters/patch-me')).body.spec.server).toBe('https://127.0.0.1:9');
  });

  it('marks an unreachable cluster NotReady / Offline (connection refused)', async () => {
    const c = await waitFor(
      'shape-1 to be probed',
      async () => {
        const res = await call(server, 'GET', '/api/v1/clusters/shape-1');
        return condition(res.body, 'Ready')?.status === 'False' ? res.body : undefined;
      },
      15_000,
    );
    expect(condition(c, 'Ready')).toMatchObject({ reason: 'ClusterNotReachable', message: expect.stringContaining('ECONNREFUSED') });
    expect(condition(c, 'Offline')?.status).toBe('True');
  });

  it('schedules each cluster with its effective probe period (federation setting, then per-cluster override)', async () => {
    const queue = server.app.get(QueueService).queue(QueueName.Health);
    const every = async (name: string) => Number((await queue.getJobScheduler(`probe:${name}`))?.every);
    const db = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    try {
      await db.query(`INSERT INTO "${NS}".federation_settings (key, value) VALUES ('health', $1)`, [JSON.stringify({ periodSeconds: 7 })]);
    } finally {
      await db.end();
    }
    await new Promise((r) => setTimeout(r, 5_100)); // the monitor caches federation settings for 5 s
    expect((await call(server, 'POST', '/api/v1/clusters', cluster('period-1'))).status).toBe(201);
    await waitFor('period-1 scheduled every 7 s', async () => (await every('period-1')) === 7_000, 5_000);
    expect((await call(server, 'PATCH', '/api/v1/clusters/period-1', { spec: { healthCheck: { periodSeconds: 3 } } })).status).toBe(200);
    await waitFor('period-1 rescheduled every 3 s', async () => (await every('period-1')) === 3_000, 5_000);
    expect((await call(server, 'DELETE', '/api/v1/clusters/period-1')).status).toBe(200);
    await waitFor('period-1 unscheduled', async () => (await queue.getJobScheduler('probe:period-1')) === undefined, 5_000);
    const payloads = (await queue.getJobs(['delayed', 'waiting', 'active'])).map((j) => JSON.stringify(j.data));
    for (const p of payloads) expect(p).not.toMatch(/token|secret/i);
  }, 30_000);

  it('deletes a cluster, then 404s', async () => {
    expect((await call(server, 'DELETE', '/api/v1/clusters/dup')).status).toBe(200);
    const gone = await call(server, 'GET', '/api/v1/clusters/dup');
    expect(gone.status).toBe(404);
    expect((await call(server, 'DELETE', '/api/v1/clusters/dup')).status).toBe(404);
  });

  it('stores credentials encrypted: no plaintext token in the database', async () => {
    const db = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    try {
      const rows = (await db.query(`SELECT name, credentials, spec::text AS spec, status::text AS status FROM "${NS}".clusters`)).rows as { name: string; credentials: string; spec: string; status: string }[];
      expect(rows.length).toBeGreaterThan(3);
      for (const row of rows) {
        expect(row.credentials).toMatch(/^enc:v1:[0-9a-f]{16}:/);
        expect(row.credentials + row.spec + row.status).not.toContain('secret-token-of');
        expect(row.credentials + row.spec + row.status).not.toContain('kc-secret-token');
      }
    } finally {
      await db.end();
    }
  });

  it('documents /api/v1/clusters in /openapi.json', async () => {
    const res = await fetch(`${server.url}/openapi.json`, { headers: { authorization: server.auth } });
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/api/v1/clusters'])).toEqual(expect.arrayContaining(['get', 'post']));
    expect(Object.keys(doc.paths['/api/v1/clusters/{name}'])).toEqual(expect.arrayContaining(['get', 'patch', 'delete']));
    expect(doc.paths['/api/v1/clusters/{name}/history']).toBeDefined();
  });
});

describe('server start-up without an encryption key', () => {
  it('refuses to start outside dev mode with one line naming UBERNETES_ENCRYPTION_KEY', async () => {
    await expect(startTestServer(`${NS}_nokey`, { env: { UBERNETES_DEV_MODE: 'false' } })).rejects.toThrow(/^UBERNETES_ENCRYPTION_KEY is required outside dev mode[^\n]*$/);
  });
});

describe('encryption key rotation', () => {
  const ns = `${NS}_rotation`;
  const k1 = randomBytes(32).toString('base64');
  const k2 = randomBytes(32).toString('base64');

  async function keyIds(): Promise<string[]> {
    const db = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    try {
      return (await db.query(`SELECT credentials_key_id AS id FROM "${ns}".clusters ORDER BY name`)).rows.map((r: { id: string }) => r.id);
    } finally {
      await db.end();
    }
  }

  it('re-encrypts every credential with the new key, after which the old key can be dropped', async () => {
    let server = await startTestServer(ns, { env: { UBERNETES_DEV_MODE: 'false', UBERNETES_ENCRYPTION_KEY: k1 } });
    try {
      for (const name of ['rot-1', 'rot-2']) expect((await call(server, 'POST', '/api/v1/clusters', cluster(name))).status).toBe(201);
    } finally {
      await server.stop();
    }
    expect(await keyIds()).toEqual([Keyring.keyId(Buffer.from(k1, 'base64')), Keyring.keyId(Buffer.from(k1, 'base64'))]);

    // New key current, old key listed for decryption: everything still readable, then re-encrypted.
    server = await startTestServer(ns, { fresh: false, env: { UBERNETES_DEV_MODE: 'false', UBERNETES_ENCRYPTION_KEY: k2, UBERNETES_ENCRYPTION_OLD_KEYS: k1 } });
    try {
      const registry = server.app.get(ClustersService);
      expect((await registry.memberCredentials('rot-1')).token).toBe('secret-token-of-rot-1');
      expect(await registry.reencryptAll()).toEqual({ total: 2, reencrypted: 2, failed: [] });
      expect(await registry.reencryptAll()).toEqual({ total: 0, reencrypted: 0, failed: [] });
    } finally {
      await server.stop();
    }
    expect(await keyIds()).toEqual([Keyring.keyId(Buffer.from(k2, 'base64')), Keyring.keyId(Buffer.from(k2, 'base64'))]);

    // Old key dropped: the credentials still decrypt.
    server = await startTestServer(ns, { fresh: false, env: { UBERNETES_DEV_MODE: 'false', UBERNETES_ENCRYPTION_KEY: k2 } });
    try {
      expect((await server.app.get(ClustersService).memberCredentials('rot-2')).token).toBe('secret-token-of-rot-2');
    } finally {
      await server.stop();
    }
  }, 60_000);
});
