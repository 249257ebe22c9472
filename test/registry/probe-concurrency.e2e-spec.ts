/**
 * Probe results from several workers at once (issue #14): every result counts, and one transition is
 * stored once, whatever the number of workers applying them. Two HealthMonitorService instances stand
 * for two worker processes sharing one PostgreSQL; the server runs only the api role, so nothing else
 * probes the cluster meanwhile.
 */
import { ClusterHealthEvents, HealthMonitorService } from '#libs/health';
import { ProbeReason, type ProbeResult } from '#libs/kube';
import { AppConfig } from '#libs/config';
import { MetricsService } from '#libs/observability';
import { ClusterRepository } from '#libs/persistence';
import { ClustersService, type ClusterConditionTransition } from '#libs/registry';
import { startTestServer, type TestServer } from '../support/server.js';
import { call, FAKE_CA } from './registry-helpers.js';

const NS = 'registry_probe_concurrency';

const failed = (n: number): ProbeResult => ({ healthy: false, reason: ProbeReason.ClusterNotReachable, message: `timeout ${n}`, latencyMs: 2000, endpoint: '/readyz' });
const healthy: ProbeResult = { healthy: true, reason: ProbeReason.ClusterReady, message: 'ok', latencyMs: 3, endpoint: '/readyz' };

describe('probe results from several workers', () => {
  let server: TestServer;
  let workers: HealthMonitorService[];
  let repository: ClusterRepository;
  const published: ClusterConditionTransition[] = [];

  beforeAll(async () => {
    server = await startTestServer(NS, { env: { UBERNETES_ROLES: 'api' } });
    const app = server.app;
    repository = app.get(ClusterRepository);
    const events = new ClusterHealthEvents();
    events.onTransition((t) => void published.push(t));
    const make = () => new HealthMonitorService(repository, app.get(ClustersService), events, app.get(MetricsService), app.get(AppConfig));
    workers = [make(), make()];
    const res = await call(server, 'POST', '/api/v1/clusters', {
      metadata: { name: 'busy' },
      spec: { server: 'https://127.0.0.1:9', caData: FAKE_CA, credentials: { token: 'secret-token-of-busy' } },
    });
    expect(res.status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('20 failed probes applied by 2 workers at once: the counter says 20, and Ready True → False is stored and published once', async () => {
    const uid = (await repository.findByName('busy'))!.uid;
    const settings = await workers[0].settingsFor(undefined);
    const start = new Date();
    expect((await workers[0].recordResult(uid, healthy, start, settings)).transitions.map((t) => `${t.condition} ${t.from}→${t.to}`)).toContain('Ready Unknown→True');
    published.length = 0;

    // Each worker applies its own results one after another (as probeCluster does); the two run at once.
    const at = new Date(start.getTime() + 1);
    const stream = async (w: HealthMonitorService, offset: number) => {
      const out = [];
      for (let i = 0; i < 10; i++) out.push(await w.recordResult(uid, failed(offset + i), at, settings));
      return out;
    };
    const outcomes = (await Promise.all([stream(workers[0], 0), stream(workers[1], 10)])).flat();
    expect(outcomes.filter((o) => !o.probed)).toEqual([]);
    const row = (await repository.findByUid(uid))!;
    expect(row.probeState).toMatchObject({ consecutiveFailures: 20, consecutiveSuccesses: 0 });
    const history = (await call(server, 'GET', '/api/v1/clusters/busy/history')).body.items as { condition: string; from: string; to: string }[];
    expect(history.filter((t) => t.condition === 'Ready').map((t) => `${t.from}→${t.to}`)).toEqual(['Unknown→True', 'True→False']);
    expect(published.filter((t) => t.condition === 'Ready').map((t) => `${t.from}→${t.to}`)).toEqual(['True→False']);
    expect(outcomes.flatMap((o) => o.transitions).filter((t) => t.condition === 'Ready')).toHaveLength(1);
  });

  it('a result older than the last stored one is dropped, not applied over it', async () => {
    const uid = (await repository.findByName('busy'))!.uid;
    const settings = await workers[0].settingsFor(undefined);
    const before = (await repository.findByUid(uid))!;
    const old = new Date(Date.parse((before.status as { lastProbeTime: string }).lastProbeTime) - 10_000);
    const outcome = await workers[1].recordResult(uid, healthy, old, settings);
    expect(outcome.probed).toBe(false);
    const after = (await repository.findByUid(uid))!;
    expect(after.probeState).toEqual(before.probeState);
    expect(after.status).toEqual(before.status);
  });
});
