import { Queue } from 'bullmq';
import { FederatedObjectRepository } from '#libs/persistence';
import { ResyncService } from '#libs/propagation';
import { QueueName, redisConnection } from '#libs/queues';
import { startTestServer, TEST_REDIS_URL, type TestServer } from '../support/server.js';
import { call, federatedDeployment } from './propagation-helpers.js';

const NS = 'propagation_resync';

/**
 * The resync pass gives unconverged objects another try (e.g. created while no cluster was Ready): it
 * selects them in PostgreSQL by their status conditions. An API-only server with no members, so nothing
 * else reconciles them.
 */
describe('resync of unconverged objects', () => {
  let server: TestServer;
  let reconcile: Queue;

  beforeAll(async () => {
    server = await startTestServer(NS, { env: { UBERNETES_ROLES: 'api', UBERNETES_ADMISSION_MAX_BACKLOG: '0' } });
    reconcile = new Queue(QueueName.Reconcile, { connection: redisConnection(TEST_REDIS_URL), prefix: NS });
  }, 60_000);

  afterAll(async () => {
    await reconcile?.close();
    await server?.stop();
  }, 30_000);

  it('re-enqueues objects never reconciled or not Ready, and leaves converged ones (Unschedulable aside) alone', async () => {
    const uids: Record<string, string> = {};
    for (const name of ['fresh', 'notready', 'converged', 'unschedulable']) {
      const res = await call(server, 'PUT', `/api/v1/namespaces/default/federateddeployments/${name}`, federatedDeployment(name));
      expect(res.status).toBe(201);
      uids[name] = res.body.metadata.uid;
    }
    const objects = server.app.get(FederatedObjectRepository);
    const status = (conditions: { type: string; status: string }[]) => ({ clusters: [], conditions });
    // Never reconciled: record sequence 0.
    const record = (s: Record<string, unknown>) => ({ seq: '0', works: [], status: s });
    expect(await objects.recordReconcile(uids.notready, record(status([{ type: 'Propagated', status: 'True' }, { type: 'Ready', status: 'False' }])))).toBe(true);
    expect(await objects.recordReconcile(uids.converged, record(status([{ type: 'Propagated', status: 'True' }, { type: 'Ready', status: 'True' }])))).toBe(true);
    expect(await objects.recordReconcile(uids.unschedulable, record(status([{ type: 'Propagated', status: 'True' }, { type: 'Ready', status: 'True' }, { type: 'Unschedulable', status: 'True' }])))).toBe(true);
    await reconcile.drain();

    const report = await server.app.get(ResyncService).resyncOnce();

    expect(report.enqueued).toBe(2);
    // The control plane's own requests: prioritized (taken after users' writes, never counted by admission).
    expect((await reconcile.getJobCounts('waiting')).waiting).toBe(0);
    const waiting = await reconcile.getJobs(['prioritized']);
    expect(waiting.map((j) => (j.data as { uid: string }).uid).sort()).toEqual([uids.fresh, uids.notready].sort());
    // What users see is unchanged: the converged object still reports Ready.
    const converged = await call(server, 'GET', '/api/v1/namespaces/default/federateddeployments/converged');
    expect(converged.body.status.conditions).toContainEqual({ type: 'Ready', status: 'True' });
  }, 30_000);
});
