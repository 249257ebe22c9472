/**
 * Fleet-wide loops and admission with several worker processes (issue #14): an api process and two
 * worker processes sharing one schema and queue prefix, and a real member. The periodic resync and the
 * DNS input watch run in one process of the fleet (their leases) and move when it stops; the watch does
 * not re-read every FederatedService each second; and a re-plan of 200 objects by the control plane
 * neither makes users' writes wait nor refuses them with 429, and is taken after them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, type Job } from 'bullmq';
import { DnsPublishService } from '#libs/dns-publishing';
import { startMemberClusters, type MemberClusterSet } from '#libs/kube-harness';
import { ReconcileService, ResyncService } from '#libs/propagation';
import { QueueName, redisConnection } from '#libs/queues';
import { ReconcileProcessor } from '../../apps/server/src/federation/reconcile.processor.js';
import { startTestServer, TEST_REDIS_URL, type TestServer } from '../support/server.js';
import { PROPAGATION_TEST_ENV, adminObjects, call, registerClusters, waitFor } from './propagation-helpers.js';

const NS = 'e2e_fleet_loops';
const ENV = { ...PROPAGATION_TEST_ENV, UBERNETES_RESYNC_SECONDS: '1', UBERNETES_ADMISSION_MAX_BACKLOG: '0' };

function configMap(name: string) {
  return {
    apiVersion: 'federation.ubernetes.io/v1',
    kind: 'FederatedConfigMap',
    metadata: { name, namespace: 'default' },
    spec: { template: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' } } },
  };
}

/** Counts calls of `method` on the `token` provider of `server` from now on. */
function countCalls<T extends object>(server: TestServer, token: abstract new (...args: never[]) => T, method: keyof T & string): { count: number } {
  const target = server.app.get(token as never) as T;
  const original = (target[method] as (...a: unknown[]) => unknown).bind(target);
  const counter = { count: 0 };
  (target as Record<string, unknown>)[method] = (...args: unknown[]) => {
    counter.count++;
    return original(...args);
  };
  return counter;
}

describe('fleet-wide loops run once per fleet; the control plane never crowds users out', () => {
  let members: MemberClusterSet;
  let api: TestServer;
  let workers: TestServer[] = [];
  let reconcileQueue: Queue;

  beforeAll(async () => {
    members = await startMemberClusters([{ name: 'fll-1', region: 'us-east-1', zones: ['us-east-1a'] }]);
    // Users' writes go through an admission of 5 jobs and 1 s: before #14, 200 re-plans waiting were 429s.
    api = await startTestServer(NS, { env: { ...ENV, UBERNETES_ROLES: 'api', UBERNETES_ADMISSION_MAX_BACKLOG: '5', UBERNETES_ADMISSION_TIMEOUT_SECONDS: '1' } });
    for (let i = 0; i < 2; i++) workers.push(await startTestServer(NS, { env: { ...ENV, UBERNETES_ROLES: 'worker', UBERNETES_RECONCILE_CONCURRENCY: '2' }, fresh: false }));
    reconcileQueue = new Queue(QueueName.Reconcile, { connection: redisConnection(TEST_REDIS_URL), prefix: NS });
    await registerClusters(api, members);
  }, 180_000);

  afterAll(async () => {
    await reconcileQueue?.close();
    for (const w of workers) await w.stop();
    await api?.stop();
    await members?.stopAll();
  }, 60_000);

  it('resync and the DNS input watch run in one worker; the other takes over when it stops; the watch reads services only when one changed', async () => {
    const resyncs = workers.map((w) => countCalls(w, ResyncService, 'resyncOnce'));
    const watches = workers.map((w) => countCalls(w, DnsPublishService, 'inputFingerprint'));
    const serviceReads = workers.map((w) => countCalls(w, DnsPublishService, 'listServiceEndpoints'));
    await sleep(5_000);
    const holder = (counters: { count: number }[]) => counters.findIndex((c) => c.count > 0);
    process.stderr.write(`resync passes ${resyncs.map((c) => c.count)}, dns watch polls ${watches.map((c) => c.count)}, service reads ${serviceReads.map((c) => c.count)}\n`);
    const resyncHolder = holder(resyncs);
    const watchHolder = holder(watches);
    expect(resyncHolder).toBeGreaterThanOrEqual(0);
    expect(resyncs.filter((c) => c.count > 0)).toHaveLength(1);
    expect(resyncs[resyncHolder]!.count).toBeGreaterThanOrEqual(3);
    expect(watchHolder).toBeGreaterThanOrEqual(0);
    expect(watches.filter((c) => c.count > 0)).toHaveLength(1);
    expect(watches[watchHolder]!.count).toBeGreaterThanOrEqual(3);
    // Nothing changed: the watch polled every second but read the services at most once (when it took over).
    expect(serviceReads[watchHolder]!.count).toBeLessThanOrEqual(1);

    // A FederatedService is created: its records' notifications make the watch read the services again.
    const readsBefore = serviceReads[watchHolder]!.count;
    const svc = await call(api, 'PUT', '/api/v1/namespaces/default/federatedservices/web', {
      apiVersion: 'federation.ubernetes.io/v1',
      kind: 'FederatedService',
      metadata: { name: 'web', namespace: 'default' },
      spec: { template: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] } } },
    });
    expect(svc.status).toBe(201);
    await waitFor('the watch reads the services again', async () => serviceReads[watchHolder]!.count > readsBefore, 10_000, 50);
    // A ConfigMap's records do not.
    expect((await call(api, 'PUT', '/api/v1/namespaces/default/federatedconfigmaps/plain', configMap('plain'))).status).toBe(201);
    await sleep(2_000);
    const settled = serviceReads[watchHolder]!.count;
    expect((await call(api, 'PUT', '/api/v1/namespaces/default/federatedconfigmaps/plain', { ...configMap('plain'), spec: { template: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plain' }, data: { a: '2' } } } })).status).toBe(200);
    await sleep(2_000);
    expect(serviceReads[watchHolder]!.count).toBe(settled);

    // The resync holder stops (its leases are released): the other worker runs the resync from then on.
    const stopping = workers[resyncHolder]!;
    const other = resyncHolder === 0 ? 1 : 0;
    const otherBefore = resyncs[other]!.count;
    await stopping.stop();
    workers = workers.filter((w) => w !== stopping);
    await waitFor('the other worker resyncs', async () => resyncs[other]!.count >= otherBefore + 2, 20_000, 100);
    await waitFor('the other worker watches DNS', async () => watches[other]!.count >= 2, 20_000, 100);
  }, 90_000);

  it('a control-plane re-plan of 200 objects makes no user write wait or fail, and is taken after them', async () => {
    const [worker] = workers;
    const processor = worker!.app.get(ReconcileProcessor);
    const names = Array.from({ length: 200 }, (_, i) => `cm-${i}`);
    for (let i = 0; i < names.length; i += 10) {
      const results = await Promise.all(names.slice(i, i + 10).map((n) => call(api, 'PUT', `/api/v1/namespaces/default/federatedconfigmaps/${n}`, configMap(n))));
      for (const r of results) expect(r.status).toBe(201);
    }
    const member = adminObjects(members.clusters[0]!);
    try {
      await waitFor('200 ConfigMaps in the member', async () => (await member.list('v1', 'ConfigMap', { namespace: 'default', labelSelector: 'federation.ubernetes.io/managed-by=ubernetes' })).length >= 201, 60_000, 500);
      await waitFor('the queue drained', async () => {
        const c = await reconcileQueue.getJobCounts('waiting', 'prioritized', 'active');
        return c.waiting + c.prioritized + c.active === 0;
      }, 30_000, 100);

      // The worker is paused while the control plane re-plans everything (what a health transition or a
      // registry change does), so the whole re-plan waits in the queue when users write.
      await processor.worker.pause(true);
      const replanned = await worker!.app.get(ReconcileService).requestReconcileAll();
      expect(replanned).toBeGreaterThanOrEqual(200);
      const before = await reconcileQueue.getJobCounts('waiting', 'prioritized');
      expect(before.prioritized).toBeGreaterThanOrEqual(200);
      expect(before.waiting).toBe(0);

      const writes: { name: string; status: number; ms: number }[] = [];
      for (let i = 0; i < 4; i++) {
        const name = `user-${i}`;
        const started = Date.now();
        const res = await call(api, 'PUT', `/api/v1/namespaces/default/federatedconfigmaps/${name}`, configMap(name));
        writes.push({ name, status: res.status, ms: Date.now() - started });
      }
      process.stderr.write(`user writes during a 200-object re-plan: ${JSON.stringify(writes)}\n`);
      for (const w of writes) {
        expect(w.status).toBe(201);
        expect(w.ms).toBeLessThan(900); // admitted at once, not after waiting for the timeout
      }

      const resumedAt = Date.now();
      processor.worker.resume();
      await waitFor('the queue drained again', async () => {
        const c = await reconcileQueue.getJobCounts('waiting', 'prioritized', 'active');
        return c.waiting + c.prioritized + c.active === 0;
      }, 60_000, 100);
      for (const w of writes) expect(await member.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: w.name })).toBeDefined();
      // Users' writes were taken first: each finished before the re-plan was half done.
      const done = (await reconcileQueue.getJobs(['completed'], 0, 2_000)) as Job<{ uid: string }>[];
      const users = new Set((await Promise.all(writes.map((w) => call(api, 'GET', `/api/v1/namespaces/default/federatedconfigmaps/${w.name}`)))).map((r) => r.body.metadata.uid as string));
      const recent = done.filter((j) => (j.finishedOn ?? 0) >= resumedAt);
      const userFinished = recent.filter((j) => users.has(j.data.uid)).map((j) => j.finishedOn!);
      const replanFinished = recent.filter((j) => !users.has(j.data.uid)).map((j) => j.finishedOn!).sort((a, b) => a - b);
      expect(userFinished).toHaveLength(4);
      const midReplan = replanFinished[replanFinished.length - 100]!;
      expect(Math.max(...userFinished)).toBeLessThan(midReplan);
    } finally {
      member.close();
      processor.worker.resume();
    }
  }, 180_000);
});
