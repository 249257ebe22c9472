import { createDecipheriv, randomBytes } from 'node:crypto';
import pg from 'pg';
import { defaultTopology, startMemberClusters, type MemberClusterSet } from '#libs/kube-harness';
import { TEST_DATABASE_URL, startTestServer, type TestServer } from '../support/server.js';
import { request, waitFor } from '../support/http.js';

const NS = 'e2e_rotation_live';

/** Tries to open a stored credential with `key` directly (AES-256-GCM, the record's associated data). */
function opensWith(key: Buffer, ciphertext: string, uid: string): boolean {
  const raw = Buffer.from(ciphertext.split(':')[3], 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  decipher.setAAD(Buffer.from(`cluster:${uid}`, 'utf8'));
  try {
    decipher.update(raw.subarray(28));
    decipher.final();
    return true;
  } catch {
    return false;
  }
}

async function storedCredentials(): Promise<{ uid: string; credentials: string }[]> {
  const db = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
  try {
    return (await db.query(`SELECT uid, credentials FROM "${NS}".clusters ORDER BY name`)).rows;
  } finally {
    await db.end();
  }
}

/**
 * Key rotation without downtime, against real member clusters: the clusters stay Ready while the server
 * re-encrypts their credentials, and afterwards the old key opens nothing that is stored.
 */
describe('encryption key rotation with live members', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);
  let members: MemberClusterSet;
  let server: TestServer | undefined;

  beforeAll(async () => {
    members = await startMemberClusters(defaultTopology(2, { prefix: 'rotl' }));
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
    await members?.stopAll();
  }, 60_000);

  const readyNames = async (s: TestServer) => {
    const res = await request<{ items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[] }>(s, 'GET', '/api/v1/clusters', { auth: s.auth });
    return res.body.items.filter((c) => c.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')).map((c) => c.metadata.name);
  };

  it('keeps every cluster Ready through the rotation, and the old key decrypts nothing afterwards', async () => {
    server = await startTestServer(NS, { env: { UBERNETES_DEV_MODE: 'false', UBERNETES_ENCRYPTION_KEY: k1.toString('base64') } });
    for (const m of members.clusters) {
      const res = await request(server, 'POST', '/api/v1/clusters', {
        auth: server.auth,
        body: { metadata: { name: m.name }, spec: { server: m.server, caData: m.caData, credentials: { token: m.adminToken } } },
      });
      expect(res.status).toBe(201);
    }
    await waitFor('both clusters Ready', async () => (await readyNames(server!)).length === 2, 60_000);
    await server.stop();

    // The new key becomes current, the old one is kept for decryption only; rotate while probes run.
    server = await startTestServer(NS, {
      fresh: false,
      env: { UBERNETES_DEV_MODE: 'false', UBERNETES_ENCRYPTION_KEY: k2.toString('base64'), UBERNETES_ENCRYPTION_OLD_KEYS: k1.toString('base64') },
    });
    await waitFor('both clusters Ready after the restart', async () => (await readyNames(server!)).length === 2, 60_000);
    const rotated = await request(server, 'POST', '/api/v1/admin/encryption/rotate', { auth: server.auth, body: {} });
    expect(rotated.body).toMatchObject({ total: 2, reencrypted: 2, failed: [] });
    // Probes keep using the re-encrypted credentials: Ready throughout the next probe periods.
    for (let i = 0; i < 10; i++) {
      expect((await readyNames(server)).sort()).toEqual(['rotl-1', 'rotl-2']);
      await new Promise((r) => setTimeout(r, 500));
    }
    for (const name of ['rotl-1', 'rotl-2']) {
      const history = await request<{ items: { condition: string; to: string }[] }>(server, 'GET', `/api/v1/clusters/${name}/history`, { auth: server.auth });
      expect(history.body.items.filter((t) => t.condition === 'Ready' && t.to !== 'True')).toEqual([]);
    }
    const stored = await storedCredentials();
    expect(stored).toHaveLength(2);
    for (const row of stored) {
      expect(opensWith(k2, row.credentials, row.uid)).toBe(true);
      expect(opensWith(k1, row.credentials, row.uid)).toBe(false);
    }
    await server.stop();

    // The old key is dropped from the configuration: the clusters stay Ready.
    server = await startTestServer(NS, { fresh: false, env: { UBERNETES_DEV_MODE: 'false', UBERNETES_ENCRYPTION_KEY: k2.toString('base64') } });
    await waitFor('both clusters Ready with only the new key', async () => (await readyNames(server!)).length === 2, 60_000);
  }, 300_000);
});
