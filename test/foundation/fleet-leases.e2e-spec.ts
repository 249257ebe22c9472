/**
 * Fleet leases (issue #14): a loop that must run once per fleet runs in exactly one process, and moves to
 * another when its holder shuts down or stops renewing (dies, is cut off). Two FleetLeases instances
 * stand for two processes on one PostgreSQL; the third lease is held by a "dead" process that left a row.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { FleetLeases, RetentionRepository, KEEP_TRANSITIONS_PER_CLUSTER } from '#libs/persistence';
import { startTestServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/http.js';

const NS = 'e2e_fleet_leases';

describe('fleet leases and bounded history', () => {
  let server: TestServer;
  let ds: DataSource;
  const made: FleetLeases[] = [];
  const process = () => {
    const l = new FleetLeases(ds);
    made.push(l);
    return l;
  };

  beforeAll(async () => {
    // Only the api role: no worker loop of the server competes for the test's leases.
    server = await startTestServer(NS, { env: { UBERNETES_ROLES: 'api' } });
    ds = server.app.get(DataSource);
  }, 60_000);

  afterAll(async () => {
    for (const l of made) await l.onApplicationShutdown();
    await server?.stop();
  });

  it('exactly one of two processes holds a lease; when it shuts down the other takes it within a third of the TTL', async () => {
    const a = process();
    const b = process();
    const la = a.lease('test-loop', 1_500);
    await sleep(300);
    const lb = b.lease('test-loop', 1_500);
    await sleep(700);
    expect([la.held(), lb.held()]).toEqual([true, false]);
    const [row] = await ds.query(`SELECT holder FROM fleet_leases WHERE name = 'test-loop'`);
    expect(row.holder).toBe(a.holder);
    await a.onApplicationShutdown();
    expect(la.held()).toBe(false);
    await waitFor('b holds the lease', async () => lb.held(), 2_000, 50);
  });

  it("a holder that stopped renewing (its row expires) loses the lease to a live process; until then nobody else runs the loop", async () => {
    await ds.query(`INSERT INTO fleet_leases (name, holder, expires_at) VALUES ('orphaned', 'dead-host:1:x', now() + interval '2 seconds')`);
    const c = process();
    const lc = c.lease('orphaned', 1_500);
    await sleep(1_000);
    expect(lc.held()).toBe(false);
    await waitFor('c takes the expired lease', async () => lc.held(), 5_000, 50);
    const [row] = await ds.query(`SELECT holder FROM fleet_leases WHERE name = 'orphaned'`);
    expect(row.holder).toBe(c.holder);
  });

  it('pruning keeps recent history, the latest transitions of each cluster, and open failover moves whatever their age', async () => {
    const old = new Date(Date.now() - 40 * 86_400_000);
    const recent = new Date();
    const [cluster] = await ds.query(
      `INSERT INTO clusters (uid, name, labels, spec, credentials, credentials_key_id, status) VALUES (gen_random_uuid(), 'hist', '{}', '{"server":"https://127.0.0.1:9"}', 'enc:x', 'k', '{}') RETURNING uid`,
    );
    for (let i = 0; i < KEEP_TRANSITIONS_PER_CLUSTER + 20; i++) {
      await ds.query(
        `INSERT INTO cluster_condition_transitions (cluster_uid, cluster_name, condition, from_status, to_status, reason, message, occurred_at) VALUES ($1, 'hist', 'Ready', 'True', 'False', 'r', 'm', $2)`,
        [cluster.uid, new Date(old.getTime() + i * 1000)],
      );
    }
    await ds.query(`INSERT INTO events (time, type, reason, object, message, dedup_key, details) VALUES ($1, 'Normal', 'ClusterReady', 'Cluster/hist', 'old', NULL, '{}')`, [old]);
    await ds.query(`INSERT INTO events (time, type, reason, object, message, dedup_key, details) VALUES ($1, 'Normal', 'ClusterReady', 'Cluster/hist', 'new', NULL, '{}')`, [recent]);
    // Failover keeps its state in failover_moves, not in events: an old ReplicasMoved event goes like any other.
    await ds.query(`INSERT INTO events (time, type, reason, object, message, dedup_key, details) VALUES ($1, 'Normal', 'ReplicasMoved', 'X', 'moved long ago', 'p1', '{}')`, [old]);
    // Moves: one still open (its cluster has been NotReady for 40 days), one finished long ago, one finished just now.
    const move = (uid: string, state: string, closedAt: Date | null) =>
      ds.query(`INSERT INTO failover_moves (object_uid, cluster, since, object, state, replicas, opened_at, updated_at, closed_at) VALUES ($1, 'hist', $2, 'X', $3, 2, $2, $2, $4)`, [uid, old, state, closedAt]);
    await move('00000000-0000-0000-0000-000000000001', 'Moved', null);
    await move('00000000-0000-0000-0000-000000000002', 'Recovered', old);
    await move('00000000-0000-0000-0000-000000000003', 'Cancelled', recent);
    await ds.query(`INSERT INTO audit_events (at, actor, method, route, kind, status_code, result) VALUES ($1, 'a', 'GET', '/', 'x', 200, 'ok'), (now(), 'a', 'GET', '/', 'x', 200, 'ok')`, [new Date(Date.now() - 200 * 86_400_000)]);

    const day = 86_400_000;
    const report = await new RetentionRepository(ds).prune({ events: new Date(Date.now() - 14 * day), audit: new Date(Date.now() - 90 * day), transitions: new Date(Date.now() - 30 * day) }, 7);
    expect(report).toEqual({ events: 2, audit: 1, transitions: 20, failoverMoves: 1 });
    const messages = (await ds.query(`SELECT message FROM events ORDER BY id`)).map((r: { message: string }) => r.message);
    expect(messages).toEqual(['new']);
    const moves = (await ds.query(`SELECT object_uid, state FROM failover_moves ORDER BY object_uid`)).map((r: { state: string }) => r.state);
    expect(moves).toEqual(['Moved', 'Cancelled']);
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM cluster_condition_transitions WHERE cluster_uid = $1`, [cluster.uid]);
    expect(n).toBe(KEEP_TRANSITIONS_PER_CLUSTER);
  });
});
