import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { startTestServer, type TestServer } from '../support/server.js';
import { call } from './auth-helpers.js';

const ISSUER = 'https://idp.example.test';
const AUDIENCE = 'ubernetes';
const GROUP_ROLES = 'platform-admins=admin,devs=operator,auditors=viewer';

interface Signer {
  key: CryptoKey;
  kid: string;
}

async function newSigner(kid: string): Promise<{ signer: Signer; jwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return { signer: { key: privateKey, kid }, jwk };
}

function jwt(signer: Signer, claims: Record<string, unknown>, options: { iss?: string; aud?: string; exp?: string | number; sub?: string } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: signer.kid })
    .setIssuer(options.iss ?? ISSUER)
    .setAudience(options.aud ?? AUDIENCE)
    .setSubject(options.sub ?? 'alice-123')
    .setIssuedAt()
    .setExpirationTime(options.exp ?? '5m')
    .sign(signer.key);
}

describe('OIDC bearer tokens (JWKS file)', () => {
  let server: TestServer;
  let idp: Signer;
  let stranger: Signer;

  beforeAll(async () => {
    const main = await newSigner('key-1');
    idp = main.signer;
    stranger = (await newSigner('key-1')).signer; // same kid, different key
    const dir = mkdtempSync(join(tmpdir(), 'ubernetes-oidc-'));
    const file = join(dir, 'jwks.json');
    writeFileSync(file, JSON.stringify({ keys: [main.jwk] }));
    server = await startTestServer('e2e_auth_oidc_file', {
      env: {
        UBERNETES_OIDC_ISSUER: ISSUER,
        UBERNETES_OIDC_AUDIENCE: AUDIENCE,
        UBERNETES_OIDC_JWKS_FILE: file,
        UBERNETES_OIDC_GROUP_ROLES: GROUP_ROLES,
        UBERNETES_OIDC_USERNAME_CLAIM: 'email',
      },
    });
  }, 30_000);
  afterAll(() => server?.stop());

  it('maps groups to roles', async () => {
    const dev = `Bearer ${await jwt(idp, { groups: ['devs', 'everyone'], email: 'alice@example.com' })}`;
    expect((await call(server, 'GET', '/api/v1/whoami', { auth: dev })).body).toEqual({ actor: 'oidc:alice@example.com', kind: 'oidc', role: 'operator' });
    expect((await call(server, 'GET', '/api/v1/tokens', { auth: dev })).status).toBe(403);

    const admin = `Bearer ${await jwt(idp, { groups: ['devs', 'platform-admins'], email: 'root@example.com' }, { sub: 'root-1' })}`;
    expect((await call(server, 'GET', '/api/v1/whoami', { auth: admin })).body.role).toBe('admin');
    const created = await call(server, 'POST', '/api/v1/tokens', { auth: admin, body: { name: 'from-oidc', role: 'viewer' } });
    expect(created.status).toBe(201);
    expect(created.body.createdBy).toBe('oidc:root@example.com');
    const trail = await call(server, 'GET', '/api/v1/audit?actor=oidc:root@example.com', { auth: server.auth });
    expect(trail.body.items).toEqual([expect.objectContaining({ method: 'POST', kind: 'tokens', name: 'from-oidc', result: 'success', role: 'admin' })]);
  });

  it('authenticates but allows nothing when no group is mapped', async () => {
    const nobody = `Bearer ${await jwt(idp, { groups: ['sales'] })}`;
    expect((await call(server, 'GET', '/api/v1/whoami', { auth: nobody })).status).toBe(403);
  });

  it('refuses a wrong audience, a wrong issuer, an expired token and a foreign signature with 401', async () => {
    const cases = {
      audience: await jwt(idp, { groups: ['platform-admins'] }, { aud: 'someone-else' }),
      issuer: await jwt(idp, { groups: ['platform-admins'] }, { iss: 'https://evil.example.test' }),
      expired: await jwt(idp, { groups: ['platform-admins'] }, { exp: Math.floor(Date.now() / 1000) - 3600 }),
      signature: await jwt(stranger, { groups: ['platform-admins'] }),
      unsigned: `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(
        JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: 'x', exp: Math.floor(Date.now() / 1000) + 600, groups: ['platform-admins'] }),
      ).toString('base64url')}.AAAA`,
    };
    for (const [what, token] of Object.entries(cases)) {
      const res = await call(server, 'GET', '/api/v1/whoami', { auth: `Bearer ${token}` });
      expect([what, res.status]).toEqual([what, 401]);
      expect(res.text).not.toContain(token.slice(0, 20));
    }
  });

  it('still accepts API tokens next to OIDC', async () => {
    expect((await call(server, 'GET', '/api/v1/whoami', { auth: server.auth })).status).toBe(200);
  });
});

describe('OIDC bearer tokens (JWKS URL on a local server)', () => {
  let server: TestServer;
  let jwks: Server;
  let idp: Signer;
  let fetches = 0;

  beforeAll(async () => {
    const main = await newSigner('url-key');
    idp = main.signer;
    jwks = createServer((req, res) => {
      fetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [main.jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as { port: number };
    server = await startTestServer('e2e_auth_oidc_url', {
      env: {
        UBERNETES_OIDC_ISSUER: ISSUER,
        UBERNETES_OIDC_AUDIENCE: AUDIENCE,
        UBERNETES_OIDC_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
        UBERNETES_OIDC_GROUP_ROLES: GROUP_ROLES,
      },
    });
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
    await new Promise((resolve) => jwks?.close(resolve));
  });

  it('verifies JWTs against the served key set, fetched once and cached', async () => {
    const viewer = `Bearer ${await jwt(idp, { groups: 'auditors' }, { sub: 'bob' })}`;
    for (let i = 0; i < 3; i++) expect((await call(server, 'GET', '/api/v1/whoami', { auth: viewer })).body).toEqual({ actor: 'oidc:bob', kind: 'oidc', role: 'viewer' });
    expect(fetches).toBe(1);
    const writes = await call(server, 'POST', '/api/v1/tokens', { auth: viewer, body: { name: 'nope', role: 'viewer' } });
    expect(writes.status).toBe(403);
    const wrongAudience = `Bearer ${await jwt(idp, { groups: 'auditors' }, { aud: 'other' })}`;
    expect((await call(server, 'GET', '/api/v1/whoami', { auth: wrongAudience })).status).toBe(401);
  });
});
