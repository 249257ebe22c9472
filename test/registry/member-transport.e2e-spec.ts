import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemberClient, httpStatusOf, probeMember } from '#libs/kube';
import { guardedLookup } from '#libs/registry';

/**
 * The control plane's connections to members: TLS verified with the stored CA, redirects never followed
 * (neither by the raw probe nor by member API clients), forbidden addresses refused at connect time.
 */
describe('member transport', () => {
  let server: Server;
  let url: string;
  let caData: string;
  const hits: string[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'member-transport-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
    const cert = readFileSync(join(dir, 'cert.pem'));
    caData = cert.toString('base64');
    server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (req, res) => {
      hits.push(req.url ?? '');
      if (req.url?.startsWith('/redirected')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"kind":"NodeList","apiVersion":"v1","items":[]}');
        return;
      }
      res.writeHead(302, { location: `https://127.0.0.1:${(server.address() as { port: number }).port}/redirected${req.url}` }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('the probe does not follow a redirect', async () => {
    const result = await probeMember({ name: 'r', server: url, caData, token: 't' }, { timeoutMs: 2_000 });
    expect(result).toMatchObject({ healthy: false, reason: 'ClusterNotReady', statusCode: 302, message: expect.stringContaining('redirects are not followed') });
    expect(hits.filter((h) => h.startsWith('/redirected'))).toEqual([]);
  });

  it('member API clients do not follow a redirect', async () => {
    const client = createMemberClient({ name: 'r', server: url, caData, token: 't' });
    const status = await client.core.listNode().then(() => 200, (e: unknown) => httpStatusOf(e));
    expect(status).toBe(302);
    expect(hits.filter((h) => h.startsWith('/redirected'))).toEqual([]);
  });

  it('TLS is verified against the stored CA', async () => {
    const wrongCa = await probeMember({ name: 'r', server: url, token: 't' }, { timeoutMs: 2_000 });
    expect(wrongCa).toMatchObject({ healthy: false, reason: 'ClusterNotReachable', message: expect.stringMatching(/SELF_SIGNED|CERT/i) });
    const client = createMemberClient({ name: 'r', server: url, token: 't' });
    await expect(client.core.listNode()).rejects.toThrow(/self[- ]signed|certificate/i);
  });

  it('refuses forbidden addresses at connect time', async () => {
    const refuseLoopback = guardedLookup(false);
    const result = await probeMember({ name: 'r', server: url.replace('127.0.0.1', 'localhost'), caData, token: 't' }, { timeoutMs: 2_000, lookup: refuseLoopback });
    expect(result).toMatchObject({ healthy: false, reason: 'ClusterNotReachable', message: expect.stringContaining('EADDRREFUSED') });
  });
});
