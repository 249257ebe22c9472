import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { QueueName, redisConnection } from '#libs/queues';
import { fedctl } from '../registry/registry-helpers.js';
import { startTestServer, TEST_REDIS_URL, type TestServer } from '../support/server.js';
import { call, federatedDeployment } from './propagation-helpers.js';

const NS = 'propagation_admission';
const path = (name: string) => `/api/v1/namespaces/default/federateddeployments/${name}`;

/**
 * Flow control of writes: an API-only server (no worker takes reconcile jobs, so every accepted write
 * leaves one waiting) with a backlog limit of 2 and a 1 s admission timeout.
 */
describe('admission of federated-object writes under a propagation backlog', () => {
  let server: TestServer;
  let reconcile: Queue;

  beforeAll(async () => {
    server = await startTestServer(NS, { env: { UBERNETES_ROLES: 'api', UBERNETES_ADMISSION_MAX_BACKLOG: '2', UBERNETES_ADMISSION_TIMEOUT_SECONDS: '1' } });
    reconcile = new Queue(QueueName.Reconcile, { connection: redisConnection(TEST_REDIS_URL), prefix: NS });
  }, 60_000);

  afterAll(async () => {
    await reconcile?.close();
    await server?.stop();
  }, 30_000);

  it('accepts writes below the limit at once, then refuses with 429 and Retry-After, storing nothing', async () => {
    for (const name of ['a', 'b']) {
      const started = Date.now();
      const res = await call(server, 'PUT', path(name), federatedDeployment(name));
      expect(res.status).toBe(201);
      expect(Date.now() - started).toBeLessThan(900);
    }
    expect((await reconcile.getJobCounts('waiting')).waiting).toBe(2);

    const started = Date.now();
    const refused = await call(server, 'PUT', path('c'), federatedDeployment('c'));
    expect(refused.status).toBe(429);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.body).toMatchObject({ code: 'RateLimited', message: expect.stringMatching(/propagation is backlogged.*retry later/) });
    expect((await call(server, 'GET', path('c'))).status).toBe(404);

    // Reads, dry runs and deletions are never held back.
    expect((await call(server, 'GET', path('a'))).status).toBe(200);
    const dryRun = await call(server, 'PUT', `${path('c')}?dryRun=All`, federatedDeployment('c'));
    expect(dryRun.status).toBe(200);
    expect(dryRun.body.dryRun).toBe(true);
    const deleted = await call(server, 'DELETE', path('b'));
    expect(deleted.status).toBeLessThan(300);
  }, 30_000);

  it('lets a waiting write in as soon as the backlog drains; fedctl retries a 429 like kubectl', async () => {
    expect((await reconcile.getJobCounts('waiting')).waiting).toBeGreaterThanOrEqual(2);
    const dir = mkdtempSync(join(tmpdir(), 'fedctl-admission-'));
    const file = join(dir, 'd.json');
    writeFileSync(file, JSON.stringify(federatedDeployment('d')));
    // fedctl is refused at least once (the backlog stays full for 2.5 s), waits Retry-After and tries again.
    const applying = fedctl(server, ['apply', '-f', file]);
    await new Promise((r) => setTimeout(r, 2_500));
    expect((await call(server, 'GET', path('d'))).status).toBe(404);
    await reconcile.drain();
    const result = await applying;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/federateddeployment\.federation\.ubernetes\.io\/d created/i);
    expect((await call(server, 'GET', path('d'))).body.metadata.name).toBe('d');
  }, 60_000);
});
