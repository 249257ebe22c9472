/**
 * First, do no harm (issue #13), against real member clusters and the default health probes: the control
 * plane's own failures look, from inside, like members failing, and must never empty members that serve.
 * - every member's API server frozen (SIGSTOP) for 30 s, as a partition of the control plane would look:
 *   DNS keeps answering every name with the addresses it had, and after the thaw (all together, or one
 *   at a time seconds apart) every member runs exactly what it ran, with no replicas moved;
 * - 2 of 3 frozen (above the 55% threshold): nothing moves, DNS answers with the healthy member;
 * - 1 of 3 frozen: failover as before;
 * - 5 members, 2 NotReady 3 s apart in different zones: the second write-off waits for the failover
 *   interval (one failure domain per 10 s), and an event says so.
 * Three of the five clusters (three zones in two regions) form the federation first; the other two join
 * for the last case.
 */
import { setTimeout as sleep } from 'node:timers/promises';
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
  fedctlOutput,
  lbOf,
  regionName,
  registerClusters,
  waitFor,
  watchReplicas,
  zoneName,
} from './failover-helpers.js';

const NS = 'e2e_do_no_harm';
const OBJECT = `FederatedDeployment/default/${APP}`;
const NAMES = [
  GLOBAL_NAME,
  regionName('us-east-1'),
  regionName('eu-west-1'),
  zoneName('us-east-1a', 'us-east-1'),
  zoneName('us-east-1b', 'us-east-1'),
  zoneName('eu-west-1a', 'eu-west-1'),
];

const ipsOf = (answer: string[]) => answer.filter((l) => /^\d+\.\d+\.\d+\.\d+$/.test(l)).sort();

describe('first, do no harm: the control plane never empties members that serve (real clusters, default probes)', () => {
  let members: MemberClusterSet;
  let server: TestServer;
  let dnsPort = 0;
  let dh1: MemberCluster; // us-east-1a
  let dh2: MemberCluster; // us-east-1a (joins for the last case)
  let dh3: MemberCluster; // eu-west-1a
  let dh4: MemberCluster; // us-east-1b
  let dh5: MemberCluster; // ap-southeast-1a (joins for the last case)
  let three: MemberCluster[];

  /** What every DNS name answers now (addresses only, sorted). */
  const answers = async () => Object.fromEntries(await Promise.all(NAMES.map(async (n) => [n, ipsOf(await dig(dnsPort, n))] as const)));
  const allReady = (list: MemberCluster[]) => async () => (await Promise.all(list.map((m) => clusterReady(server, m.name)))).every(Boolean);
  const noneReady = (list: MemberCluster[]) => async () => (await Promise.all(list.map((m) => clusterReady(server, m.name)))).every((r) => !r);
  const movedSince = async (t: number) => (await events(server, `?object=${OBJECT}&reason=ReplicasMoved`)).filter((e) => Date.parse(e.time) >= t);

  beforeAll(async () => {
    members = await startMemberClusters(defaultTopology(5, { prefix: 'dh' }));
    [dh1, dh2, dh3, dh4, dh5] = members.clusters;
    three = [dh1, dh3, dh4];
    server = await startTestServer(NS, { env: FAILOVER_ENV });
    dnsPort = server.app.get(DnsServerListener).port;
    await registerClusters(server, three);
    await applyApp(server, 9);
    await expectTruth(three, 9, dnsPort, { api: server, expected: { 'dh-1': 3, 'dh-3': 3, 'dh-4': 3 } });
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
    await members?.stopAll();
  }, 60_000);

  it('every member frozen for 30 s: DNS answers every name as before, and after the thaw every member runs what it ran; nothing moved', async () => {
    const before = await answers();
    expect(before[GLOBAL_NAME]).toEqual(three.map(lbOf).sort());
    const started = Date.now();
    const watches = three.map((m) => watchReplicas(m));
    await Promise.all(three.map((m) => m.hang()));
    const frozenAt = Date.now();
    await waitFor('every member NotReady', noneReady(three), 30_000);
    const disrupted = await waitFor('FederationDisrupted', async () => (await events(server, '?reason=FederationDisrupted')).find((e) => Date.parse(e.time) >= started), 15_000);
    expect(disrupted.message).toMatch(/^federation disrupted \((Partial|Full)Disruption\)/);
    const { stderr } = await fedctlOutput(server, ['get', 'clusters']);
    expect(stderr).toMatch(/^Federation: FullDisruption since \S+ .*3\/3 clusters NotReady.*: no replicas are written off until fewer are NotReady$/m);
    const metrics = (await call(server, 'GET', '/metrics')).text;
    expect(metrics).toMatch(/^ubernetes_federation_disruption\{mode="FullDisruption"\} 1$/m);
    expect(metrics).toMatch(/^ubernetes_failover_write_offs_held\{reason="FederationDisrupted"\} 3$/m);
    // Through the whole freeze, every name answers what it answered before.
    while (Date.now() - frozenAt < 30_000) {
      expect(await answers()).toEqual(before);
      await sleep(1_000);
    }
    await Promise.all(three.map((m) => m.resume()));
    await waitFor('every member Ready', allReady(three), 30_000);
    await expectTruth(three, 9, dnsPort, { api: server, expected: { 'dh-1': 3, 'dh-3': 3, 'dh-4': 3 } });
    await waitFor('FederationRecovered', async () => (await events(server, '?reason=FederationRecovered')).find((e) => Date.parse(e.time) >= started), 15_000);
    const seen = await Promise.all(watches.map((w) => w.stop()));
    expect(seen.map((s) => s.map((x) => x.spec))).toEqual([[3], [3], [3]]);
    expect(await movedSince(started)).toEqual([]);
    expect(await answers()).toEqual(before);
    process.stderr.write(`partition: frozen ${Date.now() - frozenAt} ms, nothing moved, DNS unchanged\n`);
  }, 240_000);

  it('every member frozen, then thawed one at a time 5 s apart: the stragglers come back without moves', async () => {
    const started = Date.now();
    const watches = three.map((m) => watchReplicas(m));
    await Promise.all(three.map((m) => m.hang()));
    await waitFor('every member NotReady', noneReady(three), 30_000);
    await sleep(5_000);
    for (const m of three) {
      await m.resume();
      await sleep(5_000);
    }
    await waitFor('every member Ready', allReady(three), 60_000);
    await expectTruth(three, 9, dnsPort, { api: server, expected: { 'dh-1': 3, 'dh-3': 3, 'dh-4': 3 } });
    const recovered = await waitFor('FederationRecovered', async () => (await events(server, '?reason=FederationRecovered')).find((e) => Date.parse(e.time) >= started), 15_000);
    // The one still NotReady when the federation recovered got the recovery grace instead of a write-off.
    expect(recovered.message).toMatch(/nothing moves by itself, and dh-4 gets 60s to come back/);
    const seen = await Promise.all(watches.map((w) => w.stop()));
    expect(seen.map((s) => s.map((x) => x.spec))).toEqual([[3], [3], [3]]);
    expect(await movedSince(started)).toEqual([]);
  }, 240_000);

  it('2 of 3 frozen (67% >= 55%): no replica moves, DNS answers with the one healthy member', async () => {
    const started = Date.now();
    const survivor = watchReplicas(dh4);
    await Promise.all([dh1.hang(), dh3.hang()]);
    await waitFor('dh-1 and dh-3 NotReady', noneReady([dh1, dh3]), 30_000);
    await waitFor('DNS answers only dh-4', async () => JSON.stringify(ipsOf(await dig(dnsPort, GLOBAL_NAME))) === JSON.stringify([lbOf(dh4)]), 30_000);
    await sleep(10_000);
    expect((await survivor.stop()).map((s) => s.spec)).toEqual([3]);
    expect(await movedSince(started)).toEqual([]);
    const held = (await events(server, '?reason=FailoverHeld')).filter((e) => Date.parse(e.time) >= started);
    expect(new Set(held.map((e) => e.details.cluster))).toEqual(new Set(['dh-1', 'dh-3']));
    await Promise.all([dh1.resume(), dh3.resume()]);
    await waitFor('dh-1 and dh-3 Ready', allReady([dh1, dh3]), 30_000);
    await expectTruth(three, 9, dnsPort, { api: server, expected: { 'dh-1': 3, 'dh-3': 3, 'dh-4': 3 } });
  }, 240_000);

  it('1 of 3 frozen: failover as before (its replicas move to the survivors, DNS withdraws it)', async () => {
    const started = Date.now();
    await dh3.hang();
    await waitFor('dh-3 NotReady', async () => !(await clusterReady(server, 'dh-3')), 30_000);
    const truth = await expectTruth([dh1, dh4], 9, dnsPort, { api: server });
    expect(truth.dns).toEqual([lbOf(dh1), lbOf(dh4)].sort());
    const moved = await waitFor('ReplicasMoved', async () => (await movedSince(started)).find((e) => e.details.cluster === 'dh-3'), 30_000);
    expect(moved.message).toMatch(/^cluster dh-3 NotReady → web: 3 replicas moved to dh-1, dh-4/);
    process.stderr.write(`single failover: replicas moved ${Date.parse(moved.time) - started} ms after the freeze\n`);
    await dh3.resume();
    await waitFor('dh-3 Ready', () => clusterReady(server, 'dh-3'), 30_000);
  }, 240_000);

  it('5 members, 2 NotReady 3 s apart in different zones: the second write-off waits for the failover interval, and says so', async () => {
    await registerClusters(server, [dh2, dh5]);
    const five = [dh1, dh2, dh3, dh4, dh5];
    await applyApp(server, 10, { rebalance: true });
    await expectTruth(five, 10, dnsPort, { api: server, expected: { 'dh-1': 2, 'dh-2': 2, 'dh-3': 2, 'dh-4': 2, 'dh-5': 2 }, timeoutMs: 120_000 });
    const started = Date.now();
    const survivors = [dh1, dh2, dh4].map((m) => watchReplicas(m));
    await dh5.hang();
    await sleep(3_000);
    await dh3.hang();
    await waitFor('dh-5 and dh-3 NotReady', noneReady([dh5, dh3]), 30_000);
    const first = await waitFor('ReplicasMoved for dh-5', async () => (await movedSince(started)).find((e) => e.details.cluster === 'dh-5'), 30_000);
    const held = await waitFor('FailoverHeld (RateLimited) for dh-3', async () => (await events(server, '?object=Cluster/dh-3&reason=FailoverHeld')).find((e) => Date.parse(e.time) >= started), 30_000);
    expect(held.details.reason).toBe('RateLimited');
    expect(held.message).toMatch(/^cluster dh-3 NotReady: replicas not written off yet \(RateLimited\): at most one failure domain is written off per 10s: replicas of dh-3 \(eu-west-1a\) can be written off at \S+Z$/);
    const slot = Date.parse(held.details.writeOffAt);
    const dh5Down = Date.parse((await call(server, 'GET', '/api/v1/clusters/dh-5')).body.status.conditions.find((c: { type: string }) => c.type === 'Ready').lastTransitionTime);
    expect(slot).toBe(dh5Down + 10_000);
    await expectTruth([dh1, dh2, dh4], 10, dnsPort, { api: server, timeoutMs: 60_000 });
    const second = await waitFor('ReplicasMoved for dh-3', async () => (await movedSince(started)).find((e) => e.details.cluster === 'dh-3'), 30_000);
    expect(Date.parse(second.time)).toBeGreaterThanOrEqual(slot);
    // The survivors took dh-5's replicas first and dh-3's only once its slot came.
    const seen = await Promise.all(survivors.map((w) => w.stop()));
    const lastIncrease = Math.max(...seen.map((s) => s.at(-1)!.at));
    expect(lastIncrease).toBeGreaterThanOrEqual(slot - 300);
    process.stderr.write(`rate limit: dh-5 moved ${Date.parse(first.time) - started} ms after its freeze; dh-3 held until ${held.details.writeOffAt}, moved ${Date.parse(second.time) - slot} ms after its slot\n`);
    await Promise.all([dh5.resume(), dh3.resume()]);
    await waitFor('dh-5 and dh-3 Ready', allReady([dh5, dh3]), 30_000);
  }, 300_000);
});
