/**
 * Security (issue #15): a member's stored credentials never follow it to a new address. Changing
 * `spec.server`, `spec.caData` or `spec.insecureSkipTLSVerify` takes the admin role and new credentials
 * in the same request; otherwise 403/422 naming the rule, nothing changed, and nothing is sent to the new
 * address. An HTTPS listener on loopback stands for "anywhere": it records every Authorization header.
 */
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:https';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createToken } from '../auth/auth-helpers.js';
import { request } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { FAKE_CA, waitFor } from './registry-helpers.js';

const NS = 'registry_credentials_follow_address';
const OLD_TOKEN = 'old-member-token-that-must-stay-home';
const NEW_TOKEN = 'new-member-token-for-the-new-address';

describe('the stored credentials never follow a member to a new address', () => {
  let server: TestServer;
  let elsewhere: Server;
  let elsewhereUrl = '';
  const seen: string[] = [];
  let operatorAuth = '';

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ubernetes-elsewhere-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    elsewhere = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
      seen.push(String(req.headers.authorization ?? ''));
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    elsewhereUrl = `https://127.0.0.1:${(elsewhere.address() as { port: number }).port}`;
    server = await startTestServer(NS, { env: { UBERNETES_HEALTH_PERIOD_SECONDS: '1' } });
    operatorAuth = await createToken(server, 'ops', 'operator');
    const res = await request(server, 'POST', '/api/v1/clusters', {
      auth: server.auth,
      body: { metadata: { name: 'm1', labels: { env: 'prod' } }, spec: { server: 'https://127.0.0.1:9', caData: FAKE_CA, credentials: { token: OLD_TOKEN } } },
    });
    expect(res.status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await new Promise((r) => elsewhere?.close(r));
  });

  const definition = async () => {
    const res = await request(server, 'GET', '/api/v1/clusters/m1', { auth: server.auth });
    return { metadata: res.body.metadata, spec: res.body.spec };
  };
  const patch = (auth: string, body: unknown) => request(server, 'PATCH', '/api/v1/clusters/m1', { auth, body, contentType: 'application/merge-patch+json' });
  const move = { server: elsewhereUrl, caData: null, insecureSkipTLSVerify: true };

  it('an admin moving the server without new credentials gets 422 naming spec.credentials; nothing changes and nothing reaches the new address', async () => {
    const before = await definition();
    const res = await patch(server.auth, { spec: { ...move, server: elsewhereUrl } });
    expect(res.status).toBe(422);
    expect(res.body.details).toEqual([
      { path: 'spec.credentials', message: 'are required when spec.server, spec.caData, spec.insecureSkipTLSVerify changes: the stored credentials never follow a member to a new address' },
    ]);
    expect(await definition()).toEqual(before);
    await sleep(3_000); // three probe periods
    expect(seen).toEqual([]);
  });

  it('an operator gets 403 naming the rule, even with new credentials; nothing changes', async () => {
    const before = await definition();
    const res = await patch(operatorAuth, { spec: { ...move, server: elsewhereUrl, credentials: { token: NEW_TOKEN } } });
    expect(res.status).toBe(403);
    expect(res.body.message).toBe('changing where cluster "m1" is reached (spec.server, spec.caData, spec.insecureSkipTLSVerify) needs the admin role');
    expect(await definition()).toEqual(before);
    // Labels and cordon stay an operator's business.
    expect((await patch(operatorAuth, { metadata: { labels: { tier: 'gold' } } })).status).toBe(200);
    expect(seen).toEqual([]);
  });

  it('an admin moving it with new credentials: the probes that follow carry the new token, never the old one', async () => {
    const res = await patch(server.auth, { spec: { ...move, server: elsewhereUrl, credentials: { token: NEW_TOKEN } } });
    expect(res.status).toBe(200);
    await waitFor('a probe at the new address', async () => seen.length > 0, 15_000, 100);
    expect(new Set(seen)).toEqual(new Set([`Bearer ${NEW_TOKEN}`]));
    expect(seen.some((h) => h.includes(OLD_TOKEN))).toBe(false);
  });
});
