import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { startMemberClusters, type MemberCluster, type MemberClusterSet } from '#libs/kube-harness';
import { ClusterHealthEvents } from '#libs/health';
import { ClustersService, type ClusterConditionTransition } from '#libs/registry';
import { startTestServer, TEST_DATABASE_URL, testEnv, type TestServer } from '../support/server.js';
import { call, condition, fedctl, ROOT, waitFor } from './registry-helpers.js';

const NS = 'registry_health';
/** Defaults: period 2 s, timeout 2 s, failure threshold 3, success threshold 2. */
const PERIOD_MS = 2_000;
const DETECTION_BUDGET_MS = PERIOD_MS * 3 + 2_000; // period × failureThreshold + timeout = 8 s
const RECOVERY_BUDGET_MS = PERIOD_MS * 2 + PERIOD_MS; // success threshold probes, plus one period of phase
const SLACK_MS = 1_500; // two shared cores: job pickup and HTTP polling jitter

describe('health monitoring of real member clusters', () => {
  let members: MemberClusterSet;
  let server: TestServer;
  let hung: MemberCluster;
  let others: MemberCluster[];
  const figures: Record<string, number> = {};

  beforeAll(async () => {
    members = await startMemberClusters([
      { name: 'rh-1', region: 'us-east-1', zones: ['us-east-1a'] },
      { name: 'rh-2', region: 'us-east-1', zones: ['us-east-1b'] },
      { name: 'rh-3', region: 'eu-west-1', zones: ['eu-west-1a', 'eu-west-1b'] },
    ]);
    [hung, ...others] = members.clusters;
    server = await startTestServer(NS);
    for (const m of members) {
      const res = await call(server, 'POST', '/api/v1/clusters', {
        metadata: { name: m.name },
        spec: { server: m.server, caData: m.caData, credentials: { token: m.adminToken } },
      });
      expect(res.status).toBe(201);
    }
  }, 180_000);

  afterAll(async () => {
    await hung?.resume().catch(() => undefined);
    await server?.stop();
    await members?.stopAll();
    // Measured figures, for the record.
    process.stdout.write(`registry health figures: ${JSON.stringify(figures)}\n`);
  }, 60_000);

  const get = async (name: string) => (await call(server, 'GET', `/api/v1/clusters/${name}`)).body;

  it('probes every cluster: Ready with zones, region and Kubernetes version from the member', async () => {
    for (const m of members) {
      const c = await waitFor(`${m.name} Ready`, async () => {
        const body = await get(m.name);
        return condition(body, 'Ready')?.status === 'True' && body.status.zones.length ? body : undefined;
      }, 20_000);
      expect(c.status.zones).toEqual(m.zones);
      expect(c.status.region).toBe(m.region);
      expect(condition(c, 'Offline')?.status).toBe('False');
      // What the member's /version answers (fedctl get clusters' VERSION column).
      expect(c.status.kubernetesVersion).toBe('v1.20.2');
    }
  }, 60_000);

  it('a hung API server turns NotReady within period × failureThreshold + timeout while the others keep their schedule', async () => {
    const probeTimes = new Map<string, Set<string>>(others.map((m) => [m.name, new Set<string>()]));
    const published: ClusterConditionTransition[] = [];
    const unsubscribe = server.app.get(ClusterHealthEvents).onTransition((t) => void published.push(t));
    const hungAt = Date.now();
    await hung.hang();
    const notReady = await waitFor(
      `${hung.name} NotReady`,
      async () => {
        for (const m of others) {
          const t = (await get(m.name)).status.lastProbeTime as string;
          probeTimes.get(m.name)!.add(t);
        }
        const body = await get(hung.name);
        return condition(body, 'Ready')?.status === 'False' ? body : undefined;
      },
      DETECTION_BUDGET_MS + 10_000,
      100,
    );
    const detectionMs = Date.now() - hungAt;
    figures.notReadyDetectionMs = detectionMs;
    expect(condition(notReady, 'Ready')).toMatchObject({ reason: 'ClusterNotReachable', message: expect.stringContaining('timed out') });
    expect(condition(notReady, 'Offline')?.status).toBe('True');
    expect(detectionMs).toBeLessThanOrEqual(DETECTION_BUDGET_MS + SLACK_MS);

    // Failover's input: the transitions were published in-process, after being stored.
    await waitFor('transitions published', async () => published.length >= 2, 2_000);
    unsubscribe();
    expect(published.map((t) => `${t.cluster}:${t.condition}:${t.from}->${t.to}:${t.reason}`)).toEqual([
      'rh-1:Ready:True->False:ClusterNotReachable',
      'rh-1:Offline:False->True:ClusterNotReachable',
    ]);

    // What placement and failover read: the hung cluster is no longer among the Ready ones.
    const ready = await server.app.get(ClustersService).findReadyClusters();
    expect(ready.map((c) => c.metadata.name)).toEqual(others.map((m) => m.name));

    // The healthy clusters were probed on schedule the whole time: their last-probe time kept advancing,
    // with gaps no longer than a period (plus jitter).
    for (const m of others) {
      const times = [...probeTimes.get(m.name)!].map((t) => Date.parse(t)).filter((t) => t >= hungAt - PERIOD_MS).sort((a, b) => a - b);
      expect(times.length).toBeGreaterThanOrEqual(Math.floor(detectionMs / PERIOD_MS) - 1);
      const gaps = times.slice(1).map((t, i) => t - times[i]);
      figures[`maxProbeGapMs_${m.name}`] = Math.max(...gaps);
      expect(Math.max(...gaps)).toBeLessThanOrEqual(PERIOD_MS + 1_000);
      expect(condition(await get(m.name), 'Ready')?.status).toBe('True');
    }
  }, 60_000);

  it('resume() turns it Ready again after the success threshold', async () => {
    const resumedAt = Date.now();
    await hung.resume();
    const ready = await waitFor(
      `${hung.name} Ready again`,
      async () => {
        const body = await get(hung.name);
        return condition(body, 'Ready')?.status === 'True' ? body : undefined;
      },
      RECOVERY_BUDGET_MS + 10_000,
      100,
    );
    const recoveryMs = Date.now() - resumedAt;
    figures.readyRecoveryMs = recoveryMs;
    expect(recoveryMs).toBeLessThanOrEqual(RECOVERY_BUDGET_MS + SLACK_MS);
    expect(condition(ready, 'Ready')?.reason).toBe('ClusterReady');
    expect(condition(ready, 'Offline')?.status).toBe('False');
  }, 60_000);

  it('stores the transitions: history API and fedctl describe', async () => {
    const history = (await call(server, 'GET', `/api/v1/clusters/${hung.name}/history`)).body.items as { condition: string; from: string; to: string; reason: string }[];
    const ready = history.filter((t) => t.condition === 'Ready').map((t) => `${t.from}->${t.to}:${t.reason}`);
    expect(ready).toEqual(['Unknown->True:ClusterReady', 'True->False:ClusterNotReachable', 'False->True:ClusterReady']);
    const offline = history.filter((t) => t.condition === 'Offline').map((t) => `${t.from}->${t.to}`);
    expect(offline).toEqual(['Unknown->False', 'False->True', 'True->False']);

    const describe = await fedctl(server, ['describe', 'cluster', hung.name]);
    expect({ code: describe.code, stderr: describe.stderr }).toMatchObject({ code: 0 });
    const out = describe.stdout;
    expect(out).toMatch(/^Name:\s+rh-1$/m);
    expect(out).toMatch(/^Zones:\s+us-east-1a$/m);
    expect(out).toMatch(/^Region:\s+us-east-1$/m);
    expect(out).toMatch(/^Conditions:\n\s+Type\s+Status\s+Reason/m);
    expect(out).toMatch(/^\s+Ready\s+True\s+ClusterReady\s/m);
    expect(out).toMatch(/^\s+Offline\s+False\s/m);
    const transitions = out.slice(out.indexOf('Transitions'));
    expect(transitions).toMatch(/Ready\s+True\s+False\s+ClusterNotReachable\s+\/readyz timed out/);
    expect(transitions).toMatch(/Ready\s+False\s+True\s+ClusterReady/);
  }, 30_000);

  it('restarting the server keeps every cluster and its state, and probing resumes', async () => {
    const before = (await call(server, 'GET', '/api/v1/clusters')).body.items as any[];
    const historyBefore = (await call(server, 'GET', `/api/v1/clusters/${hung.name}/history`)).body.items;
    await server.stop();
    const stoppedAt = Date.now();
    server = await startTestServer(NS, { fresh: false });
    const after = (await call(server, 'GET', '/api/v1/clusters')).body.items as any[];
    expect(after.map((c) => [c.metadata.name, c.metadata.uid, c.spec.server])).toEqual(before.map((c) => [c.metadata.name, c.metadata.uid, c.spec.server]));
    for (const c of after) {
      expect(condition(c, 'Ready')?.status).toBe('True');
      expect(c.status.zones).toEqual(before.find((b) => b.metadata.name === c.metadata.name).status.zones);
    }
    expect((await call(server, 'GET', `/api/v1/clusters/${hung.name}/history`)).body.items).toEqual(historyBefore);
    // Probing resumes on its own (schedules live in Redis; the new worker picks them up).
    for (const m of members) {
      await waitFor(`${m.name} probed after restart`, async () => Date.parse((await get(m.name)).status.lastProbeTime) > stoppedAt, 10_000);
    }
    // And the restarted server still detects a failure (decrypts the stored credentials fine).
    await hung.hang();
    try {
      await waitFor(`${hung.name} NotReady after restart`, async () => condition(await get(hung.name), 'Ready')?.status === 'False', DETECTION_BUDGET_MS + 5_000);
    } finally {
      await hung.resume();
    }
  }, 60_000);

  it('a worker killed with SIGKILL is replaced and probing resumes on schedule', async () => {
    // Run the probes in a separate worker process (the real server binary), kill it hard, start another.
    await server.stop();
    const lastProbes = async () => {
      const db = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await db.connect();
      try {
        const { rows } = await db.query(`SELECT name, status->>'lastProbeTime' AS t FROM "${NS}".clusters ORDER BY name`);
        return new Map((rows as { name: string; t: string }[]).map((r) => [r.name, Date.parse(r.t)]));
      } finally {
        await db.end();
      }
    };
    const allProbedAfter = async (t: number) => [...(await lastProbes()).values()].every((v) => v > t);
    const startWorker = () =>
      spawn(process.execPath, [join(ROOT, 'dist', 'apps', 'server', 'src', 'main.js')], {
        env: { ...process.env, ...testEnv(NS, { UBERNETES_ROLES: 'worker' }) } as NodeJS.ProcessEnv,
        stdio: 'ignore',
      });
    const first = startWorker();
    try {
      const started = Date.now();
      await waitFor('the first worker probes', () => allProbedAfter(started), 30_000, 200);
    } finally {
      first.kill('SIGKILL');
    }
    await new Promise((r) => first.once('exit', r));
    const killedAt = Date.now();
    await new Promise((r) => setTimeout(r, 3 * PERIOD_MS));
    expect(await allProbedAfter(killedAt + PERIOD_MS)).toBe(false); // nobody probes while no worker runs
    const second = startWorker();
    try {
      const started = Date.now();
      await waitFor('the replacement worker probes every cluster', () => allProbedAfter(started), 30_000, 200);
      figures.probesResumedAfterWorkerStartMs = Date.now() - started;
    } finally {
      second.kill('SIGTERM');
      await new Promise((r) => second.once('exit', r));
    }
    server = await startTestServer(NS, { fresh: false });
  }, 120_000);

  it('the database holds no plaintext token', async () => {
    const db = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT c.*::text AS row FROM "${NS}".clusters c`);
      expect(rows).toHaveLength(3);
      const dump = (rows as { row: string }[]).map((r) => r.row).join('\n');
      for (const m of members) expect(dump).not.toContain(m.adminToken);
      const history = await db.query(`SELECT t.*::text AS row FROM "${NS}".cluster_condition_transitions t`);
      for (const m of members) expect((history.rows as { row: string }[]).map((r) => r.row).join('\n')).not.toContain(m.adminToken);
    } finally {
      await db.end();
    }
  });
});
