/**
 * Failover chaos, cases 4–7: faults of the control plane itself during a rebalance, with the server run
 * as real processes (`node dist/apps/server/src/main.js`, built by `npm test`'s setup) split by role — an
 * `api,dns` process and `worker` processes — against the suite's OWN Redis and PostgreSQL on free
 * loopback ports (the shared ones are never touched), and 3 real member clusters (fc-1, fc-2 in
 * us-east-1a, fc-3 in eu-west-1a):
 * 4. the worker SIGKILLed in the middle of a rebalance job, a new worker started;
 * 5. Redis restarted (no persistence: every queued job is lost) during a rebalance;
 * 6. PostgreSQL restarted during a rebalance;
 * 7. two worker processes at once during a failover.
 * "In the middle" is observed, not guessed: the fault is injected as soon as the failover queue shows
 * the job active, and the test checks its event was not yet recorded then. Every case ends with the
 * user-visible truth and exactly one ReplicasMoved event per (workload, cluster, outage).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { defaultTopology, startMemberClusters, type MemberCluster, type MemberClusterSet } from '#libs/kube-harness';
import { TEST_ADMIN_TOKEN } from '../support/server.js';
import { OwnPostgres, OwnRedis, ServerProcess, freePort } from './control-plane.js';
import { APP, FAILOVER_ENV, applyApp, clusterReady, events, expectTruth, registerClusters, waitFor, watchReplicas, type Api } from './failover-helpers.js';

const NS = 'e2e_failover_cp';
const OBJECT = `FederatedDeployment/default/${APP}`;

describe('failover under control-plane faults (server processes, own Redis and PostgreSQL)', () => {
  let members: MemberClusterSet;
  let fc1: MemberCluster;
  let fc2: MemberCluster;
  let fc3: MemberCluster;
  let redis: OwnRedis;
  let postgres: OwnPostgres;
  let dnsPort = 0;
  let env: Record<string, string> = {};
  const logs = mkdtempSync(join(tmpdir(), 'ubernetes-failover-logs-'));
  let api: ServerProcess;
  const workers: ServerProcess[] = [];
  let failoverQueue: Queue;
  const client: Api = { url: '', auth: `Bearer ${TEST_ADMIN_TOKEN}` };

  const startWorker = async (name: string) => {
    const w = new ServerProcess(name, { ...env, UBERNETES_ROLES: 'worker' }, join(logs, `${name}.log`));
    await w.start();
    workers.push(w);
    return w;
  };

  /** Waits until the federation marks `cluster` NotReady and the failover's rebalance job is running. */
  const rebalanceActive = async (cluster: string) => {
    await waitFor(`${cluster} NotReady`, async () => !(await clusterReady(client, cluster)), 60_000, 50);
    await waitFor('the failover job active', async () => (await failoverQueue.getJobs(['active'])).some((j) => j.name === 'rebalance'), 60_000, 20);
  };

  const movedEvents = async (cluster: string) => (await events(client, `?object=${OBJECT}&reason=ReplicasMoved`)).filter((e) => e.details.cluster === cluster);

  /** Brings a failed cluster back and waits for the full plan again (rebalance: true). */
  const restore = async (m: MemberCluster, how: 'restart' | 'resume') => {
    await (how === 'restart' ? m.restart() : m.resume());
    await waitFor(`${m.name} Ready`, () => clusterReady(client, m.name), 60_000);
    await expectTruth([fc1, fc2, fc3], 6, dnsPort, { api: client, expected: { 'fc-1': 2, 'fc-2': 2, 'fc-3': 2 } });
  };

  beforeAll(async () => {
    members = await startMemberClusters(defaultTopology(3, { prefix: 'fc' }));
    [fc1, fc2, fc3] = members.clusters;
    redis = new OwnRedis(await freePort());
    await redis.start();
    postgres = new OwnPostgres(await freePort());
    await postgres.init();
    await postgres.start();
    dnsPort = await freePort();
    env = {
      ...FAILOVER_ENV,
      DNS_PORT: String(dnsPort),
      DATABASE_URL: postgres.url,
      DATABASE_SCHEMA: NS,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: NS,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
      UBERNETES_DEV_MODE: 'true',
      UBERNETES_BOOTSTRAP_TOKEN: TEST_ADMIN_TOKEN,
    };
    api = new ServerProcess('api', { ...env, UBERNETES_ROLES: 'api,dns' }, join(logs, 'api.log'));
    await api.start();
    client.url = api.url;
    await startWorker('worker-1');
    failoverQueue = new Queue('failover', { connection: { url: redis.url, maxRetriesPerRequest: null }, prefix: NS });
    failoverQueue.on('error', () => undefined);
    await registerClusters(client, members);
    await applyApp(client, 6, { rebalance: true });
    await expectTruth([fc1, fc2, fc3], 6, dnsPort, { api: client, expected: { 'fc-1': 2, 'fc-2': 2, 'fc-3': 2 } });
    process.stderr.write(`control-plane chaos: logs in ${logs}\n`);
  }, 300_000);

  afterAll(async () => {
    await failoverQueue?.close().catch(() => undefined);
    for (const w of workers) await w.stop();
    await api?.stop();
    await members?.stopAll();
    await redis?.stop();
    await postgres?.remove();
  }, 120_000);

  it('4. the worker SIGKILLed mid-rebalance: a new worker finishes the job from stored state', async () => {
    const started = Date.now();
    await fc3.kill();
    await rebalanceActive('fc-3');
    await workers[0].kill();
    expect(await movedEvents('fc-3')).toEqual([]); // the job had not finished
    await startWorker('worker-2');
    await expectTruth([fc1, fc2], 6, dnsPort, { api: client, expected: { 'fc-1': 3, 'fc-2': 3 } });
    await waitFor('ReplicasMoved for fc-3', async () => (await movedEvents('fc-3')).length > 0, 60_000);
    expect(await movedEvents('fc-3')).toHaveLength(1);
    process.stderr.write(`case 4: failover with a killed worker ${Date.now() - started} ms\n`);
    await restore(fc3, 'restart');
  }, 300_000);

  it('5. Redis restarted mid-rebalance (every queued job lost): the work is re-derived and finishes', async () => {
    const started = Date.now();
    await fc2.kill();
    await rebalanceActive('fc-2');
    await redis.restart();
    expect(await movedEvents('fc-2')).toEqual([]);
    await expectTruth([fc1, fc3], 6, dnsPort, { api: client, expected: { 'fc-1': 3, 'fc-3': 3 } });
    await waitFor('ReplicasMoved for fc-2', async () => (await movedEvents('fc-2')).length > 0, 60_000);
    expect(await movedEvents('fc-2')).toHaveLength(1);
    process.stderr.write(`case 5: failover across a Redis restart ${Date.now() - started} ms\n`);
    // The Redis came back empty: the worker's health scheduler puts the probe schedules back by itself
    // (no process restart), so fc-2 is probed again and recovers.
    await restore(fc2, 'restart');
  }, 300_000);

  it('6. PostgreSQL restarted mid-rebalance: the job retries and finishes, nothing recorded twice', async () => {
    const started = Date.now();
    await fc1.kill();
    await rebalanceActive('fc-1');
    await postgres.restart();
    await expectTruth([fc2, fc3], 6, dnsPort, { api: client, expected: { 'fc-2': 3, 'fc-3': 3 } });
    await waitFor('ReplicasMoved for fc-1', async () => (await movedEvents('fc-1')).length > 0, 60_000);
    expect(await movedEvents('fc-1')).toHaveLength(1);
    process.stderr.write(`case 6: failover across a PostgreSQL restart ${Date.now() - started} ms\n`);
    await restore(fc1, 'restart');
  }, 300_000);

  it('7. two workers during a failover: no conflicting applies (survivors only ever go up to the new plan), one event per move', async () => {
    await startWorker('worker-3');
    const watch2 = watchReplicas(fc2);
    const watch3 = watchReplicas(fc3);
    let seen2: { spec: number }[] = [];
    let seen3: { spec: number }[] = [];
    const started = Date.now();
    try {
      await sleep(500);
      await fc1.hang();
      await expectTruth([fc2, fc3], 6, dnsPort, { api: client, expected: { 'fc-2': 3, 'fc-3': 3 } });
      await waitFor('ReplicasMoved for fc-1 (second outage)', async () => (await movedEvents('fc-1')).length === 2, 60_000);
      await sleep(3_000); // a conflicting second plan would show up now
    } finally {
      [seen2, seen3] = [await watch2.stop(), await watch3.stop()];
    }
    expect(seen2.map((s) => s.spec)).toEqual([2, 3]);
    expect(seen3.map((s) => s.spec)).toEqual([2, 3]);
    expect(await movedEvents('fc-1')).toHaveLength(2); // one per outage (case 6 and this one)
    process.stderr.write(`case 7: failover with two workers ${Date.now() - started} ms\n`);
    await restore(fc1, 'resume');
    // The recovery is recorded once the job sees the plan converged (moments after the members show it).
    const recovered = async () => (await events(client, `?object=${OBJECT}&reason=ClusterRecovered`)).filter((e) => e.details.cluster === 'fc-1');
    await waitFor('ClusterRecovered for fc-1 (second outage)', async () => (await recovered()).length >= 2, 30_000);
    expect(await recovered()).toHaveLength(2);
  }, 300_000);
});
