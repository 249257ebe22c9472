/**
 * Failover chaos, cases 4–7: faults of the control plane itself during a failover move, with the server
 * run as real processes (`node dist/apps/server/src/main.js`, built by `npm test`'s setup) split by role —
 * an `api,dns` process and `worker` processes — against the suite's OWN Redis and PostgreSQL on free
 * loopback ports (the shared ones are never touched), and 3 real member clusters (fc-1, fc-2 in
 * us-east-1a, fc-3 in eu-west-1a):
 * 4. the worker SIGKILLed in the middle of a move, a new worker started;
 * 5. Redis restarted (no persistence: every queued job is lost) during a move;
 * 6. PostgreSQL restarted during a move;
 * 7. two worker processes at once during a failover.
 * "In the middle" is observed, not guessed: one survivor's pods are kept unready, so the move stays
 * `Moving` in `failover_moves` (read from the suite's own PostgreSQL) until the test lets them get ready;
 * the fault is injected while it is, and the test checks its event was not yet recorded then. While a
 * move waits, no failover job stays active and no connection of the servers sits in a transaction or
 * holds an advisory lock. Every case ends with the user-visible truth and exactly one ReplicasMoved event
 * per (workload, cluster, outage).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import pg from 'pg';
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

  /** The open move of the app on `cluster` (its state), read from the suite's own PostgreSQL. */
  const openMove = async (cluster: string): Promise<string | undefined> => {
    const db = new pg.Client({ connectionString: postgres.url, connectionTimeoutMillis: 2_000 });
    db.on('error', () => undefined);
    try {
      await db.connect();
      const { rows } = await db.query(
        `SELECT m.state FROM "${NS}".failover_moves m JOIN "${NS}".federated_objects f ON f.uid = m.object_uid
          WHERE f.name = $1 AND m.cluster = $2 AND m.closed_at IS NULL ORDER BY m.since DESC LIMIT 1`,
        [APP, cluster],
      );
      return rows[0]?.state as string | undefined;
    } catch {
      return undefined; // PostgreSQL restarting
    } finally {
      await db.end().catch(() => undefined);
    }
  };

  /**
   * Kills `cluster` while `slow`'s pods cannot get ready, and waits until the federation marks it NotReady
   * and its move is stored as Moving (the survivors asked to run the replacements, not running them yet).
   */
  const failWhileSurvivorSlow = async (m: MemberCluster, slow: MemberCluster) => {
    await slow.setPodsReady(false);
    await m.kill();
    await waitFor(`${m.name} NotReady`, async () => !(await clusterReady(client, m.name)), 60_000, 50);
    await waitFor(`the move of ${m.name} Moving`, async () => (await openMove(m.name)) === 'Moving', 60_000, 50);
  };

  /**
   * Over `ms`, what would show something waiting inside the control plane: a failover job active for more
   * than a second, a server connection in a transaction for more than a second, or an advisory lock held
   * outside a short transaction (the old per-workload session lock).
   */
  const holdsWhileWaiting = async (ms: number) => {
    const seen = new Set<string>();
    const db = new pg.Client({ connectionString: postgres.url });
    await db.connect();
    try {
      for (const until = Date.now() + ms; Date.now() < until; await sleep(200)) {
        for (const j of await failoverQueue.getJobs(['active'])) if (j.processedOn && Date.now() - j.processedOn > 1_000) seen.add(`job ${j.name} ${j.id}`);
        const { rows } = await db.query(
          `SELECT a.pid, a.state, left(a.query, 80) AS query, l.locktype
             FROM pg_stat_activity a LEFT JOIN pg_locks l ON l.pid = a.pid AND l.locktype = 'advisory' AND l.granted
            WHERE a.application_name = 'ubernetes'
              AND ((a.xact_start IS NOT NULL AND now() - a.xact_start > interval '1 second')
                   OR (l.pid IS NOT NULL AND (a.xact_start IS NULL OR now() - a.xact_start > interval '1 second')))`,
        );
        for (const r of rows) seen.add(`pg ${r.state} ${r.locktype ?? ''} ${r.query}`);
      }
    } finally {
      await db.end();
    }
    return [...seen];
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

  it('4. the worker SIGKILLed mid-move: a new worker finishes it from stored state; while it waited nothing was held', async () => {
    const started = Date.now();
    await failWhileSurvivorSlow(fc3, fc1);
    expect(await holdsWhileWaiting(5_000)).toEqual([]);
    await workers[0].kill();
    expect(await movedEvents('fc-3')).toEqual([]); // the move had not finished
    expect(await openMove('fc-3')).toBe('Moving');
    await fc1.setPodsReady(true);
    await startWorker('worker-2');
    await expectTruth([fc1, fc2], 6, dnsPort, { api: client, expected: { 'fc-1': 3, 'fc-2': 3 } });
    await waitFor('ReplicasMoved for fc-3', async () => (await movedEvents('fc-3')).length > 0, 60_000);
    expect(await movedEvents('fc-3')).toHaveLength(1);
    process.stderr.write(`case 4: failover with a killed worker ${Date.now() - started} ms\n`);
    await restore(fc3, 'restart');
  }, 300_000);

  it('5. Redis restarted mid-move (every queued job lost): the work is re-derived and finishes', async () => {
    const started = Date.now();
    await failWhileSurvivorSlow(fc2, fc1);
    await redis.restart();
    expect(await movedEvents('fc-2')).toEqual([]);
    await fc1.setPodsReady(true);
    await expectTruth([fc1, fc3], 6, dnsPort, { api: client, expected: { 'fc-1': 3, 'fc-3': 3 } });
    await waitFor('ReplicasMoved for fc-2', async () => (await movedEvents('fc-2')).length > 0, 60_000);
    expect(await movedEvents('fc-2')).toHaveLength(1);
    process.stderr.write(`case 5: failover across a Redis restart ${Date.now() - started} ms\n`);
    // The Redis came back empty: the worker's health scheduler puts the probe schedules back by itself
    // (no process restart), so fc-2 is probed again and recovers.
    await restore(fc2, 'restart');
  }, 300_000);

  it('6. PostgreSQL restarted mid-move: the move finishes, nothing recorded twice', async () => {
    const started = Date.now();
    await failWhileSurvivorSlow(fc1, fc2);
    await postgres.restart();
    expect(await openMove('fc-1')).toBe('Moving');
    await fc2.setPodsReady(true);
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
    let seen2: { spec: number }[];
    let seen3: { spec: number }[];
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
    // The recovery is recorded once a check sees the plan converged (moments after the members show it).
    const recovered = async () => (await events(client, `?object=${OBJECT}&reason=ClusterRecovered`)).filter((e) => e.details.cluster === 'fc-1');
    await waitFor('ClusterRecovered for fc-1 (second outage)', async () => (await recovered()).length >= 2, 30_000);
    expect(await recovered()).toHaveLength(2);
  }, 300_000);
});
