/**
 * Failover chaos, cases 1–3 and the returning-cluster rule, against 3 real member clusters (fo-1 and fo-2
 * in zone us-east-1a, fo-3 in eu-west-1a) and one in-process server holding every role:
 * 1. a member's API server killed (kill -9), then restarted;
 * 2. a member's API server hung (kill -STOP), then resumed;
 * 3. a whole zone (both us-east-1a clusters, 2 of the 3) down, then back: a disruption, nothing moves;
 * and a workload's failover delay (annotation): a blip shorter than the delay moves nothing, a longer
 * outage moves the replicas once the delay has passed; and survivors slow to run the replacements: the
 * move waits in its table, with no failover job running and no pooled connection held meanwhile, and is
 * reported once they are ready.
 * Each case ends with the user-visible truth (ready replicas on healthy clusters = desired, nothing lost
 * or doubled, `dig` answering only healthy load balancers) and the events a person reads. The clusters
 * are shared by the cases (one after another), health probes use the defaults.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { FAILOVER_DELAY_ANNOTATION } from '#libs/federation';
import { QueueName, QueueService } from '#libs/queues';
import { defaultTopology, startMemberClusters, type MemberCluster, type MemberClusterSet } from '#libs/kube-harness';
import { DnsServerListener } from '../../apps/server/src/dns/dns-server.listener.js';
import { startTestServer, type TestServer } from '../support/server.js';
import {
  APP,
  FAILOVER_ENV,
  GLOBAL_NAME,
  applyApp,
  call,
  clusterReady,
  dig,
  events,
  expectTruth,
  fedctl,
  fedctlOutput,
  lbOf,
  memberReplicas,
  regionName,
  registerClusters,
  waitFor,
  watchReplicas,
  zoneName,
} from './failover-helpers.js';

const NS = 'e2e_failover_members';
const OBJECT = `FederatedDeployment/default/${APP}`;

/** The server's pg pool (TypeORM's postgres driver keeps it as `master`): 'acquire' and 'release' per checkout. */
interface PgPool {
  on(event: 'acquire', fn: (client: object) => void): void;
  on(event: 'release', fn: (err: unknown, client: object) => void): void;
  off(event: string, fn: (...args: never[]) => void): void;
}

/**
 * Watches every checkout of the server's connection pool until stopped: the longest one that ended, and
 * how long the oldest still checked out has been held.
 */
function watchPoolCheckouts(pool: PgPool): { stop: () => { longestMs: number; count: number } } {
  const out = new Map<object, number>();
  let longestMs = 0;
  let count = 0;
  const onAcquire = (client: object) => out.set(client, Date.now());
  const onRelease = (_err: unknown, client: object) => {
    const at = out.get(client);
    out.delete(client);
    if (at === undefined) return;
    count++;
    longestMs = Math.max(longestMs, Date.now() - at);
  };
  pool.on('acquire', onAcquire);
  pool.on('release', onRelease);
  return {
    stop: () => {
      pool.off('acquire', onAcquire);
      pool.off('release', onRelease);
      const now = Date.now();
      for (const at of out.values()) longestMs = Math.max(longestMs, now - at);
      return { longestMs, count };
    },
  };
}

describe('failover: member and zone failures (real clusters, default health probes)', () => {
  let members: MemberClusterSet;
  let server: TestServer;
  let dnsPort = 0;
  let fo1: MemberCluster;
  let fo2: MemberCluster;
  let fo3: MemberCluster;

  beforeAll(async () => {
    members = await startMemberClusters(defaultTopology(3, { prefix: 'fo' }));
    [fo1, fo2, fo3] = members.clusters;
    server = await startTestServer(NS, { env: FAILOVER_ENV });
    dnsPort = server.app.get(DnsServerListener).port;
    await registerClusters(server, members);
    await applyApp(server, 6);
    await expectTruth([fo1, fo2, fo3], 6, dnsPort, { api: server, expected: { 'fo-1': 2, 'fo-2': 2, 'fo-3': 2 } });
  }, 240_000);

  afterAll(async () => {
    await server?.stop();
    await members?.stopAll();
  }, 60_000);

  it('1. kill -9 of a member API server: replicas move to the survivors, DNS withdraws it; after restart its first reconcile applies the current plan (rebalance: false keeps replicas where they run)', async () => {
    const started = Date.now();
    await fo3.kill();
    await waitFor('fo-3 NotReady', async () => !(await clusterReady(server, 'fo-3')), 30_000);
    const truth = await expectTruth([fo1, fo2], 6, dnsPort, { api: server, expected: { 'fo-1': 3, 'fo-2': 3 } });
    expect(truth.dns).toEqual([lbOf(fo1), lbOf(fo2)]);
    // eu-west-1a has no healthy endpoint left: its zone name falls back (CNAME) and never answers fo-3.
    expect(await dig(dnsPort, zoneName('eu-west-1a', 'eu-west-1'))).not.toContain(lbOf(fo3));
    const moved = await waitFor('ReplicasMoved event', async () => (await events(server, `?object=${OBJECT}&reason=ReplicasMoved`)).find((e) => e.details.cluster === 'fo-3'), 30_000);
    expect(moved.message).toBe('cluster fo-3 NotReady → web: 2 replicas moved to fo-1, fo-2 (now fo-1=3, fo-2=3); DNS withdrawn');
    const failedAt = Date.now();

    // Back: watch fo-3's Deployment from the moment its API server answers.
    const watch = watchReplicas(fo3);
    await fo3.restart();
    await waitFor('fo-3 Ready', () => clusterReady(server, 'fo-3'), 30_000);
    const readyAt = Date.now();
    await expectTruth([fo1, fo2, fo3], 6, dnsPort, { api: server, expected: { 'fo-1': 3, 'fo-2': 3, 'fo-3': 0 } });
    const seen = await watch.stop();
    // It served its stale count (2) only until its first reconcile, which went straight to the current plan (0).
    expect(seen.map((s) => s.spec)).toEqual([2, 0]);
    const staleMs = seen[1].at - readyAt;
    expect(staleMs).toBeLessThan(5_000);
    const recovered = await waitFor('ClusterRecovered event', async () => (await events(server, `?object=${OBJECT}&reason=ClusterRecovered`)).find((e) => e.details.cluster === 'fo-3'), 30_000);
    expect(recovered.message).toMatch(/^cluster fo-3 Ready → web: replicas stay where they run \(rebalance: false\); now fo-1=3, fo-2=3, fo-3=0/);
    process.stderr.write(`case 1: failover ${failedAt - started} ms, stale count on fo-3 for ${staleMs} ms after Ready, total ${Date.now() - started} ms\n`);
  }, 240_000);

  it('2. kill -STOP of a member API server: probe timeouts → NotReady → replicas move; after resume, rebalance: true moves them back without doubling', async () => {
    await applyApp(server, 6, { rebalance: true });
    await expectTruth([fo1, fo2, fo3], 6, dnsPort, { api: server, expected: { 'fo-1': 2, 'fo-2': 2, 'fo-3': 2 } });
    const started = Date.now();
    await fo1.hang();
    await waitFor('fo-1 NotReady', async () => !(await clusterReady(server, 'fo-1')), 30_000);
    const truth = await expectTruth([fo2, fo3], 6, dnsPort, { api: server, expected: { 'fo-2': 3, 'fo-3': 3 } });
    expect(truth.dns).toEqual([lbOf(fo2), lbOf(fo3)]);
    await waitFor('ReplicasMoved event', async () => (await events(server, `?object=${OBJECT}&reason=ReplicasMoved`)).find((e) => e.details.cluster === 'fo-1'), 30_000);
    const failedAt = Date.now();

    const watch = watchReplicas(fo1, { withReady: true });
    const others = [watchReplicas(fo2), watchReplicas(fo3)];
    await fo1.resume();
    await waitFor('fo-1 Ready', () => clusterReady(server, 'fo-1'), 30_000);
    await expectTruth([fo1, fo2, fo3], 6, dnsPort, { api: server, expected: { 'fo-1': 2, 'fo-2': 2, 'fo-3': 2 } });
    const seen = await watch.stop();
    const seenOthers = await Promise.all(others.map((w) => w.stop()));
    // Stored desired state (0) or the new plan (2): never any other count, at most one change.
    const specs = seen.map((s) => s.spec).filter((n, i, all) => n !== all[i - 1]);
    expect(specs.length).toBeLessThanOrEqual(2);
    expect(specs.at(-1)).toBe(2);
    // Gradually, returning cluster first: fo-2 and fo-3 gave their third replica back only once fo-1 ran 2 ready.
    const fo1ReadyAt = seen.find((s) => s.spec === 2 && s.ready === 2)!.at;
    for (const counts of seenOthers) {
      expect(counts.map((c) => c.spec)).toEqual([3, 2]);
      // (The watches poll every 100 ms: allow one poll of slack between them.)
      expect(counts[1].at).toBeGreaterThanOrEqual(fo1ReadyAt - 300);
    }
    const recovered = await waitFor('ClusterRecovered event', async () => (await events(server, `?object=${OBJECT}&reason=ClusterRecovered`)).find((e) => e.details.cluster === 'fo-1'), 30_000);
    expect(recovered.message).toContain('cluster fo-1 Ready → web: rebalanced (fo-1 has 2)');
    process.stderr.write(`case 2: failover ${failedAt - started} ms, total ${Date.now() - started} ms, fo-1 served ${JSON.stringify(specs)}, others scaled down ${seenOthers.map((c) => c[1].at - fo1ReadyAt).join(' and ')} ms after fo-1 ran 2 ready\n`);
  }, 240_000);

  it('3. a zone holding 2 of the 3 clusters down (kill -9): 67% NotReady is a disruption, so no replica moves; DNS answers only the healthy zone; back, every member runs what it ran', async () => {
    await applyApp(server, 6, { rebalance: true });
    await expectTruth([fo1, fo2, fo3], 6, dnsPort, { api: server, expected: { 'fo-1': 2, 'fo-2': 2, 'fo-3': 2 } });
    const started = Date.now();
    const survivor = watchReplicas(fo3);
    await Promise.all([fo1.kill(), fo2.kill()]);
    await waitFor('fo-1 and fo-2 NotReady', async () => !(await clusterReady(server, 'fo-1')) && !(await clusterReady(server, 'fo-2')), 30_000);
    const disrupted = await waitFor('FederationDisrupted event', async () => (await events(server, '?reason=FederationDisrupted')).at(-1), 30_000);
    expect(disrupted.message).toMatch(/^federation disrupted \(PartialDisruption\): 2\/3 clusters NotReady, threshold 55%; the control plane assumes the fault is its own connectivity/);
    // DNS follows health: only the healthy zone's address, and the dead zone's name falls back through the
    // region to the global name (CNAME chain).
    await waitFor('DNS answers only fo-3', async () => JSON.stringify(await dig(dnsPort, GLOBAL_NAME)) === JSON.stringify([lbOf(fo3)]), 30_000);
    expect(await dig(dnsPort, zoneName('us-east-1a', 'us-east-1'))).toEqual([`${regionName('us-east-1')}.`, `${GLOBAL_NAME}.`, lbOf(fo3)]);
    const zoneDown = await waitFor('ZoneDown event', async () => (await events(server, '?object=Zone/us-east-1a&reason=ZoneDown')).at(-1), 30_000);
    expect(zoneDown.message).toContain('zone us-east-1a down: every cluster in it is NotReady (fo-1, fo-2)');
    // Held: fo-3 keeps its 2 (no write-off, no scale-up), the plan keeps 2 on each NotReady cluster, and the
    // user is told why, in the events and above `fedctl get clusters`.
    const held = await waitFor('FailoverHeld events', async () => {
      const items = (await events(server, '?reason=FailoverHeld')).filter((e) => Date.parse(e.time) >= started - 1_000);
      return new Set(items.map((e) => e.details.cluster)).size >= 2 ? items : undefined;
    }, 30_000);
    // Each one held first while the other was failing probes (SuspectClusters), then by the disruption.
    expect(new Set(held.map((e) => e.details.cluster))).toEqual(new Set(['fo-1', 'fo-2']));
    expect(held.some((e) => e.details.reason === 'FederationDisrupted')).toBe(true);
    const { stderr } = await fedctlOutput(server, ['get', 'clusters']);
    expect(stderr).toMatch(/^Federation: PartialDisruption since \S+ \(.* ago; 2\/3 clusters NotReady, threshold 55%\): no replicas are written off until fewer are NotReady$/m);
    const status = (await call(server, 'GET', '/api/v1/federation/status')).body;
    expect(status).toMatchObject({ kind: 'FederationStatus', mode: 'PartialDisruption', ready: 1, notReady: 2 });
    await new Promise((r) => setTimeout(r, 10_000));
    const planned = (await call(server, 'GET', `/api/v1/namespaces/default/federateddeployments/${APP}`)).body.status.clusters;
    expect(Object.fromEntries(planned.map((c: { cluster: string; plannedReplicas: number }) => [c.cluster, c.plannedReplicas]))).toEqual({ 'fo-1': 2, 'fo-2': 2, 'fo-3': 2 });
    const failedAt = Date.now();

    await Promise.all([fo1.restart(), fo2.restart()]);
    await waitFor('fo-1 and fo-2 Ready', async () => (await clusterReady(server, 'fo-1')) && (await clusterReady(server, 'fo-2')), 30_000);
    await expectTruth([fo1, fo2, fo3], 6, dnsPort, { api: server, expected: { 'fo-1': 2, 'fo-2': 2, 'fo-3': 2 } });
    await waitFor('ZoneUp event', async () => (await events(server, '?object=Zone/us-east-1a&reason=ZoneUp')).at(-1), 30_000);
    const recovered = await waitFor('FederationRecovered event', async () => (await events(server, '?reason=FederationRecovered')).at(-1), 30_000);
    expect(recovered.message).toMatch(/^federation recovered: [01]\/3 clusters NotReady; nothing moves by itself/);
    expect((await survivor.stop()).map((s) => s.spec)).toEqual([2]);
    const moved = (await events(server, `?object=${OBJECT}&reason=ReplicasMoved`)).filter((e) => Date.parse(e.time) >= started);
    expect(moved).toEqual([]);
    process.stderr.write(`case 3: held ${failedAt - started} ms without moves, total ${Date.now() - started} ms\n`);

    // The story a person reads, in order (the single-cluster failovers of cases 1 and 2 moved replicas).
    const story = (await events(server)).map((e) => `${e.time} ${e.reason} ${e.object}: ${e.message}`);
    process.stderr.write(`${story.join('\n')}\n`);
    expect(story.some((l) => l.includes('ReplicasMoved') && l.includes('cluster fo-1 NotReady → web: 2 replicas moved to fo-2, fo-3 (now fo-2=3, fo-3=3)'))).toBe(true);
    // The same story through the CLI.
    const table = (await fedctl(server, ['get', 'events', '-l', `object=${OBJECT}`])).trim().split('\n');
    expect(table[0].split(/\s+/)).toEqual(['TIME', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    expect(table.some((l) => /^\d{4}-\d\d-\d\dT\S+Z\s+Normal\s+ReplicasMoved\s+FederatedDeployment\/default\/web\s+cluster fo-1 NotReady → web: /.test(l))).toBe(true);
  }, 240_000);

  it('a failover delay (workload annotation) rides out a short blip and moves replicas only once it has passed', async () => {
    const DELAY_S = 15;
    await applyApp(server, 6, undefined, { [FAILOVER_DELAY_ANNOTATION]: String(DELAY_S) });
    await expectTruth([fo1, fo2, fo3], 6, dnsPort, { api: server, expected: { 'fo-1': 2, 'fo-2': 2, 'fo-3': 2 } });
    // The survivors' counts, sampled through the whole case.
    const survivors = [watchReplicas(fo1), watchReplicas(fo2)];

    // A blip: NotReady, then back within the delay. Nothing moves.
    await fo3.hang();
    await waitFor('fo-3 NotReady', async () => !(await clusterReady(server, 'fo-3')), 30_000);
    const pending = await waitFor('FailoverPending event', async () => (await events(server, `?object=${OBJECT}&reason=FailoverPending`)).find((e) => e.details.cluster === 'fo-3'), 15_000);
    expect(pending.message).toBe(`cluster fo-3 NotReady → web: failover delay ${DELAY_S}s (workload annotation) before its 2 replicas there move to other clusters`);
    await fo3.resume();
    await waitFor('fo-3 Ready', () => clusterReady(server, 'fo-3'), 30_000);

    // An outage longer than the delay: the replicas stay planned on fo-3 until it has passed.
    await fo3.hang();
    await waitFor('fo-3 NotReady', async () => !(await clusterReady(server, 'fo-3')), 30_000);
    const notReadySince = Date.parse((await call(server, 'GET', '/api/v1/clusters/fo-3')).body.status.conditions.find((c: { type: string }) => c.type === 'Ready').lastTransitionTime);
    await expectTruth([fo1, fo2], 6, dnsPort, { api: server, expected: { 'fo-1': 3, 'fo-2': 3 }, timeoutMs: (DELAY_S + 30) * 1000 });
    const moved = await waitFor('ReplicasMoved event', async () => (await events(server, `?object=${OBJECT}&reason=ReplicasMoved`)).find((e) => e.details.cluster === 'fo-3' && Date.parse(e.details.since) === notReadySince), 30_000);
    expect(moved.message).toBe('cluster fo-3 NotReady → web: 2 replicas moved to fo-1, fo-2 (now fo-1=3, fo-2=3); DNS withdrawn');
    const seen = await Promise.all(survivors.map((w) => w.stop()));
    for (const counts of seen) {
      // 2 through the blip and the delay, then 3: never anything else, and not before the delay ended.
      expect(counts.map((c) => c.spec)).toEqual([2, 3]);
      expect(counts[1].at).toBeGreaterThanOrEqual(notReadySince + DELAY_S * 1000);
    }
    await fo3.resume();
    await waitFor('fo-3 Ready', () => clusterReady(server, 'fo-3'), 30_000);
    await expectTruth([fo1, fo2, fo3], 6, dnsPort, { api: server, expected: { 'fo-1': 3, 'fo-2': 3, 'fo-3': 0 } });
    process.stderr.write(`delay case: survivors scaled up ${seen.map((c) => c[1].at - notReadySince).join(' and ')} ms after NotReady (delay ${DELAY_S} s)\n`);
  }, 240_000);

  it('survivors slow to run the replacements: the move waits with no failover job running and no connection held, and ReplicasMoved comes once they are ready', async () => {
    await applyApp(server, 6, { rebalance: true });
    await expectTruth([fo1, fo2, fo3], 6, dnsPort, { api: server, expected: { 'fo-1': 2, 'fo-2': 2, 'fo-3': 2 } });
    const ds = server.app.get(DataSource);
    const pool = (ds.driver as unknown as { master: PgPool }).master;
    const queue = server.app.get(QueueService).queue(QueueName.Failover);
    const uid = (await call(server, 'GET', `/api/v1/namespaces/default/federateddeployments/${APP}`)).body.metadata.uid as string;
    const moveState = async () => ((await ds.query(`SELECT state FROM failover_moves WHERE object_uid = $1 AND cluster = 'fo-3' AND closed_at IS NULL`, [uid])) as { state: string }[])[0]?.state;
    const movedNow = async (after: number) => (await events(server, `?object=${OBJECT}&reason=ReplicasMoved`)).filter((e) => e.details.cluster === 'fo-3' && Date.parse(e.time) >= after);

    // fo-1 keeps running its pods, but none of them (old or new) is ready for a while.
    await fo1.setPodsReady(false);
    const started = Date.now();
    await fo3.kill();
    await waitFor('fo-3 NotReady', async () => !(await clusterReady(server, 'fo-3')), 30_000);
    await waitFor('the survivors asked for the replacements (3 each)', async () => (await memberReplicas(fo1))?.spec === 3 && (await memberReplicas(fo2))?.spec === 3, 30_000);
    await waitFor('the move stored as Moving', async () => (await moveState()) === 'Moving', 30_000);

    // 10 s of waiting for fo-1: no failover job stays active, no pooled connection stays checked out.
    const checkouts = watchPoolCheckouts(pool);
    const longJobs: string[] = [];
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      for (const j of await queue.getJobs(['active'])) if (j.processedOn && Date.now() - j.processedOn > 1_000) longJobs.push(`${j.name} ${j.id} active ${Date.now() - j.processedOn} ms`);
      await sleep(200);
    }
    const pooled = checkouts.stop();
    expect(longJobs).toEqual([]);
    expect(pooled.count).toBeGreaterThan(0); // the watch saw the server use its pool
    expect(pooled.longestMs).toBeLessThan(2_000);
    expect(await moveState()).toBe('Moving');
    expect(await movedNow(started)).toEqual([]);

    // fo-1's pods get ready: the report follows from propagation's records, no job having waited for it.
    await fo1.setPodsReady(true);
    const readyAt = Date.now();
    await expectTruth([fo1, fo2], 6, dnsPort, { api: server, expected: { 'fo-1': 3, 'fo-2': 3 } });
    const [moved] = await waitFor('ReplicasMoved event', async () => {
      const found = await movedNow(started);
      return found.length ? found : undefined;
    }, 30_000);
    expect(moved.message).toBe('cluster fo-3 NotReady → web: 2 replicas moved to fo-1, fo-2 (now fo-1=3, fo-2=3); DNS withdrawn');
    expect(Date.parse(moved.time)).toBeGreaterThanOrEqual(readyAt);
    expect(await movedNow(started)).toHaveLength(1);
    process.stderr.write(`slow survivors: reported ${Date.parse(moved.time) - readyAt} ms after fo-1's pods got ready; longest pool checkout while waiting ${pooled.longestMs} ms over ${pooled.count}\n`);

    await fo3.restart();
    await waitFor('fo-3 Ready', () => clusterReady(server, 'fo-3'), 30_000);
    await expectTruth([fo1, fo2, fo3], 6, dnsPort, { api: server, expected: { 'fo-1': 2, 'fo-2': 2, 'fo-3': 2 } });
    const recovered = await waitFor('ClusterRecovered event', async () => (await events(server, `?object=${OBJECT}&reason=ClusterRecovered`)).find((e) => e.details.cluster === 'fo-3' && Date.parse(e.time) >= readyAt), 30_000);
    expect(recovered.message).toContain('cluster fo-3 Ready → web: rebalanced (fo-3 has 2)');
    expect(await moveState()).toBeUndefined(); // closed
  }, 240_000);
});
