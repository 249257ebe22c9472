import { Controller, Get, Module, Param } from '@nestjs/common';
import { FEATURES } from '../../apps/server/src/features.js';
import { SecretData } from '../../apps/server/src/auth/access.decorators.js';
import { startTestServer, TEST_ADMIN_TOKEN, type TestServer } from '../support/server.js';
import { call, createToken, sleep } from './auth-helpers.js';

/**
 * A test-only read route returning a FederatedSecret-shaped object, to pin the redaction mechanism itself
 * (`@SecretData` paths plus the kind rule); federated-secret-redaction.e2e-spec.ts checks the real routes.
 */
@Controller('api/v1/namespaces/:namespace/testsecrets')
class TestSecretsController {
  @Get(':name')
  @SecretData('spec.template.data')
  get(@Param('namespace') namespace: string, @Param('name') name: string) {
    return {
      kind: 'FederatedSecret',
      metadata: { namespace, name },
      spec: { template: { type: 'Opaque', data: { password: 'aHVudGVyMg==' }, stringData: { user: 'root' } }, placement: { clusters: ['a'] } },
    };
  }
}
@Module({ controllers: [TestSecretsController] })
class TestSecretsModule {}
FEATURES.push(() => ({ module: TestSecretsModule }));

describe('access control of the API', () => {
  let server: TestServer;
  let viewer: string;
  let operator: string;

  beforeAll(async () => {
    server = await startTestServer('e2e_auth_access');
    viewer = await createToken(server, 'viewer-1', 'viewer');
    operator = await createToken(server, 'operator-1', 'operator');
  }, 30_000);
  afterAll(() => server?.stop());

  it('refuses API calls without a token with 401 and the error shape', async () => {
    const res = await call(server, 'GET', '/api/v1/tokens');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(res.body).toMatchObject({ code: 'Unauthorized', requestId: expect.any(String) });
    expect((await call(server, 'GET', '/api/v1/whoami')).status).toBe(401);
    expect((await call(server, 'GET', '/api/v1/namespaces/default/testsecrets/db')).status).toBe(401);
  });

  it('never reflects a bad token in the response', async () => {
    const bad = 'ubt_thisIsNotAValidTokenButLooksLikeOne0123456789';
    const res = await call(server, 'GET', '/api/v1/whoami', { auth: `Bearer ${bad}` });
    expect(res.status).toBe(401);
    expect(res.text).not.toContain(bad);
    expect(res.text).not.toContain('thisIsNot');
    const odd = await call(server, 'GET', '/api/v1/whoami', { auth: 'Basic c2VjcmV0OnBhc3N3b3Jk' });
    expect(odd.status).toBe(401);
    expect(odd.text).not.toContain('c2VjcmV0');
  });

  it('keeps /healthz, /readyz, /metrics and the OpenAPI document public', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json']) expect((await call(server, 'GET', path)).status).toBe(200);
  });

  it('tells callers who they are', async () => {
    expect((await call(server, 'GET', '/api/v1/whoami', { auth: server.auth })).body).toEqual({ actor: 'bootstrap', kind: 'bootstrap', role: 'admin' });
    expect((await call(server, 'GET', '/api/v1/whoami', { auth: viewer })).body).toEqual({ actor: 'token:viewer-1', kind: 'token', role: 'viewer' });
  });

  it('forbids a viewer to write (403) and to touch tokens or the audit trail', async () => {
    const write = await call(server, 'POST', '/api/v1/tokens', { auth: viewer, body: { name: 'sneaky', role: 'admin' } });
    expect(write.status).toBe(403);
    expect(write.body.code).toBe('Forbidden');
    expect((await call(server, 'DELETE', '/api/v1/tokens/operator-1', { auth: viewer })).status).toBe(403);
    expect((await call(server, 'GET', '/api/v1/audit', { auth: viewer })).status).toBe(403);
  });

  it('lets an operator read but keeps tokens and admin actions for admins', async () => {
    expect((await call(server, 'GET', '/api/v1/whoami', { auth: operator })).status).toBe(200);
    expect((await call(server, 'POST', '/api/v1/tokens', { auth: operator, body: { name: 'x', role: 'viewer' } })).status).toBe(403);
    expect((await call(server, 'GET', '/api/v1/tokens', { auth: operator })).status).toBe(403);
    expect((await call(server, 'POST', '/api/v1/admin/encryption/rotate', { auth: operator })).status).toBe(403);
  });

  it('shows a token once, lists tokens without values, and refuses duplicates and bad input', async () => {
    const created = await call(server, 'POST', '/api/v1/tokens', { auth: server.auth, body: { name: 'ci', role: 'operator', expiresIn: '24h' } });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^ubt_[A-Za-z0-9_-]{43}$/);
    expect(new Date(created.body.expiresAt).getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
    const listed = await call(server, 'GET', '/api/v1/tokens', { auth: server.auth });
    expect(listed.body.items.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(['viewer-1', 'operator-1', 'ci']));
    expect(listed.text).not.toContain(created.body.token);
    expect(listed.text).not.toMatch(/hash/i);
    expect((await call(server, 'POST', '/api/v1/tokens', { auth: server.auth, body: { name: 'ci', role: 'viewer' } })).status).toBe(409);
    const bad = await call(server, 'POST', '/api/v1/tokens', { auth: server.auth, body: { name: 'Bad Name', role: 'root', expiresIn: 'forever' } });
    expect(bad.status).toBe(422);
    expect(bad.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['role']);
  });

  it('rejects a revoked token with 401 at once', async () => {
    const token = await createToken(server, 'short-lived', 'operator');
    expect((await call(server, 'GET', '/api/v1/whoami', { auth: token })).status).toBe(200);
    const revoked = await call(server, 'DELETE', '/api/v1/tokens/short-lived', { auth: server.auth });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    expect((await call(server, 'GET', '/api/v1/whoami', { auth: token })).status).toBe(401);
    expect((await call(server, 'DELETE', '/api/v1/tokens/short-lived', { auth: server.auth })).status).toBe(404);
    // the name is free again
    expect((await call(server, 'POST', '/api/v1/tokens', { auth: server.auth, body: { name: 'short-lived', role: 'viewer' } })).status).toBe(201);
  });

  it('rejects an expired token with 401', async () => {
    const token = await createToken(server, 'one-second', 'viewer', '1s');
    expect((await call(server, 'GET', '/api/v1/whoami', { auth: token })).status).toBe(200);
    await sleep(1_200);
    expect((await call(server, 'GET', '/api/v1/whoami', { auth: token })).status).toBe(401);
  });

  it('hides FederatedSecret data from viewers and shows it to operators', async () => {
    const asViewer = await call(server, 'GET', '/api/v1/namespaces/prod/testsecrets/db', { auth: viewer });
    expect(asViewer.status).toBe(200);
    expect(asViewer.body.spec.template.data).toEqual({ password: '<redacted>' });
    expect(asViewer.body.spec.template.stringData).toEqual({ user: '<redacted>' });
    expect(asViewer.text).not.toContain('aHVudGVyMg==');
    expect(asViewer.text).not.toContain('root');
    expect(asViewer.body.spec.placement).toEqual({ clusters: ['a'] });
    const asOperator = await call(server, 'GET', '/api/v1/namespaces/prod/testsecrets/db', { auth: operator });
    expect(asOperator.body.spec.template.data).toEqual({ password: 'aHVudGVyMg==' });
  });

  it('answers a 10 MB body with 413 and the JSON error shape', async () => {
    const big = JSON.stringify({ name: 'big', role: 'viewer', padding: 'x'.repeat(10 * 1024 * 1024) });
    const res = await call(server, 'POST', '/api/v1/tokens', { auth: server.auth, rawBody: big });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: 'TooLarge', message: expect.any(String), requestId: expect.any(String) });
    expect((await call(server, 'GET', '/healthz')).status).toBe(200);
  });

  it('sends security headers and no CORS headers by default', async () => {
    const res = await fetch(`${server.url}/api/v1/whoami`, { headers: { authorization: server.auth, origin: 'https://evil.example' } });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=/);
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${server.url}/api/v1/tokens`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('records every mutation of this test with its actor, including denied ones, and never a token', async () => {
    const before = new Date(Date.now() - 1000).toISOString();
    await call(server, 'POST', '/api/v1/tokens', { auth: server.auth, body: { name: 'audited', role: 'viewer' } });
    await call(server, 'DELETE', '/api/v1/tokens/audited', { auth: server.auth });
    await call(server, 'DELETE', '/api/v1/tokens/no-such-token', { auth: operator });
    await call(server, 'POST', '/api/v1/tokens', { body: { name: 'anon', role: 'admin' } });
    const trail = await call(server, 'GET', `/api/v1/audit?since=${encodeURIComponent(before)}`, { auth: server.auth });
    expect(trail.status).toBe(200);
    const rows = trail.body.items.map((e: Record<string, unknown>) => [e.actor, e.method, e.kind, e.name, e.statusCode, e.result]);
    expect(rows).toEqual(
      expect.arrayContaining([
        ['bootstrap', 'POST', 'tokens', 'audited', 201, 'success'],
        ['bootstrap', 'DELETE', 'tokens', 'audited', 200, 'success'],
        ['token:operator-1', 'DELETE', 'tokens', 'no-such-token', 403, 'denied'],
        ['anonymous', 'POST', 'tokens', 'anon', 401, 'denied'],
      ]),
    );
    expect(trail.body.items.every((e: { requestId: string | null }) => typeof e.requestId === 'string')).toBe(true);
    expect(trail.text).not.toContain('ubt_');
    expect(trail.text).not.toContain(TEST_ADMIN_TOKEN);

    const mine = await call(server, 'GET', '/api/v1/audit?actor=token:operator-1&limit=5', { auth: server.auth });
    expect(mine.body.items.length).toBeGreaterThan(0);
    expect(mine.body.items.every((e: { actor: string }) => e.actor === 'token:operator-1')).toBe(true);
    expect((await call(server, 'GET', '/api/v1/audit?since=yesterday', { auth: server.auth })).status).toBe(422);
  });

  it('has audited every mutation made since the server started', async () => {
    const trail = await call(server, 'GET', '/api/v1/audit?limit=1000', { auth: server.auth });
    const creates = trail.body.items.filter((e: { method: string; kind: string; result: string }) => e.method === 'POST' && e.kind === 'tokens' && e.result === 'success');
    expect(creates.map((e: { name: string }) => e.name)).toEqual(expect.arrayContaining(['viewer-1', 'operator-1', 'ci', 'short-lived', 'one-second', 'audited']));
    expect(trail.body.items.filter((e: { method: string }) => e.method === 'GET')).toEqual([]);
  });
});
