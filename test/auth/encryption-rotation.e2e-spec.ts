import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startTestServer, TEST_DATABASE_URL, type TestServer } from '../support/server.js';
import { call, createToken } from './auth-helpers.js';

const NAMESPACE = 'e2e_auth_rotation';

async function credentialKeyIds(): Promise<string[]> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const rows = await client.query<{ credentials: string }>(`SELECT credentials FROM "${NAMESPACE}".clusters ORDER BY name`);
    return rows.rows.map((r) => String(r.credentials).split(':')[2]);
  } finally {
    await client.end();
  }
}

describe('encryption key rotation (admin)', () => {
  const k1 = randomBytes(32).toString('base64');
  const k2 = randomBytes(32).toString('base64');
  let server: TestServer | undefined;
  afterAll(() => server?.stop());

  it('re-encrypts stored member credentials with the new key while both keys are configured', async () => {
    server = await startTestServer(NAMESPACE, { env: { UBERNETES_ENCRYPTION_KEY: k1, UBERNETES_DEV_MODE: 'false' } });
    for (const name of ['east', 'west']) {
      const res = await call(server, 'POST', '/api/v1/clusters', {
        auth: server.auth,
        body: { metadata: { name }, spec: { server: 'https://127.0.0.1:6443', credentials: { token: `member-token-${name}` } } },
      });
      expect([name, res.status, res.text.includes('member-token')]).toEqual([name, 201, false]);
    }
    const [before] = await credentialKeyIds();
    await server.stop();

    // new key current, old key still accepted: every replica can read both during the rollout
    server = await startTestServer(NAMESPACE, { fresh: false, env: { UBERNETES_ENCRYPTION_KEY: k2, UBERNETES_ENCRYPTION_OLD_KEYS: k1, UBERNETES_DEV_MODE: 'false' } });
    const operator = await createToken(server, 'ops', 'operator');
    expect((await call(server, 'POST', '/api/v1/admin/encryption/rotate', { auth: operator, body: {} })).status).toBe(403);
    expect((await call(server, 'POST', '/api/v1/admin/encryption/rotate', { auth: server.auth, body: { force: true } })).status).toBe(422);
    const rotated = await call(server, 'POST', '/api/v1/admin/encryption/rotate', { auth: server.auth, body: {} });
    expect(rotated).toMatchObject({ status: 200, body: { total: 2, reencrypted: 2, failed: [] } });
    const after = await credentialKeyIds();
    expect(after).toHaveLength(2);
    expect(after.every((id) => id !== before)).toBe(true);
    expect(new Set(after).size).toBe(1);
    expect((await call(server, 'POST', '/api/v1/admin/encryption/rotate', { auth: server.auth })).body).toMatchObject({ total: 0, reencrypted: 0 });
    const trail = await call(server, 'GET', '/api/v1/audit?actor=bootstrap', { auth: server.auth });
    expect(trail.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ method: 'POST', kind: 'admin/encryption/rotate', statusCode: 200, result: 'success' })]));
  }, 60_000);
});
