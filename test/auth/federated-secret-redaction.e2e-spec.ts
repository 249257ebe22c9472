import { FEDERATION_API_VERSION } from '#libs/federation';
import { startTestServer, type TestServer } from '../support/server.js';
import { call, createToken } from './auth-helpers.js';

/** The real FederatedSecret routes (federation feature) seen through the access-control layer. */
describe('FederatedSecret routes and roles', () => {
  let server: TestServer;
  let viewer: string;
  let operator: string;
  const secret = {
    apiVersion: FEDERATION_API_VERSION,
    kind: 'FederatedSecret',
    metadata: { name: 'db' },
    spec: {
      template: { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', data: { password: 'aHVudGVyMg==' }, stringData: { user: 'root-user' } },
      placement: { clusters: [] },
      overrides: [{ clusterName: 'east', clusterOverrides: [{ path: '/data/password', value: 'ZWFzdC1vbmx5' }] }],
    },
  };

  beforeAll(async () => {
    server = await startTestServer('e2e_auth_fsecret');
    viewer = await createToken(server, 'viewer', 'viewer');
    operator = await createToken(server, 'operator', 'operator');
  }, 30_000);
  afterAll(() => server?.stop());

  it('lets an operator create one and a viewer not', async () => {
    expect((await call(server, 'POST', '/api/v1/namespaces/prod/federatedsecrets', { auth: viewer, body: secret })).status).toBe(403);
    const created = await call(server, 'POST', '/api/v1/namespaces/prod/federatedsecrets', { auth: operator, body: secret });
    expect(created.status).toBe(201);
  });

  it('never shows secret data to a viewer, in a get or a list', async () => {
    for (const path of ['/api/v1/namespaces/prod/federatedsecrets/db', '/api/v1/namespaces/prod/federatedsecrets', '/api/v1/federatedsecrets']) {
      const res = await call(server, 'GET', path, { auth: viewer });
      expect([path, res.status]).toEqual([path, 200]);
      expect(res.text).not.toContain('aHVudGVyMg==');
      expect(res.text).not.toContain('root-user');
      expect(res.text).not.toContain('ZWFzdC1vbmx5');
    }
    const one = await call(server, 'GET', '/api/v1/namespaces/prod/federatedsecrets/db', { auth: viewer });
    expect(one.body.spec.template.data).toEqual({ password: '<redacted>' });
    expect(one.body.metadata.name).toBe('db');
  });

  it('shows the data to an operator', async () => {
    const res = await call(server, 'GET', '/api/v1/namespaces/prod/federatedsecrets/db', { auth: operator });
    expect(res.body.spec.template.data).toEqual({ password: 'aHVudGVyMg==' });
  });

  it('audits the create with its actor and object', async () => {
    const trail = await call(server, 'GET', '/api/v1/audit?limit=20', { auth: server.auth });
    expect(trail.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ actor: 'token:operator', method: 'POST', kind: 'federatedsecrets', namespace: 'prod', name: 'db', result: 'success' }),
        expect.objectContaining({ actor: 'token:viewer', method: 'POST', kind: 'federatedsecrets', namespace: 'prod', result: 'denied', statusCode: 403 }),
      ]),
    );
    expect(trail.text).not.toContain('aHVudGVyMg==');
  });
});
