/**
 * Propagation benchmark: 3 real member clusters, one in-process server with every role, 500
 * FederatedDeployments created through the API (PROPAGATION_BENCH_OBJECTS, 16 requests in flight).
 * Member watches (one per cluster, label `federation.ubernetes.io/managed-by=ubernetes`) record when each
 * Deployment appears in each member. Figures:
 * - idle: one object at a time (sequential, 20 objects): the pipeline's own latency, API write → present
 *   in all members (API request + enqueue + BullMQ pick-up + DB reads + materialize + GET/apply × 3);
 * - burst: all objects at once: time until every member object exists, member writes per second, p50/p99
 *   latency from the API write being acknowledged to the object being present in all members, and from
 *   the request being sent (which includes the API's admission wait: writes wait while the reconcile
 *   backlog is at UBERNETES_ADMISSION_MAX_BACKLOG).
 * The difference between burst and idle p99 is queueing (reconcile concurrency × member API latency).
 * A third row tells where the burst's time went, from the server's own histograms (`/metrics`, the burst
 * only): admission wait, API write, reconcile queue wait, reconcile job, member GET and apply, mean / p99 each.
 * Templates ask for 0 replicas and the members run without kube-controller-manager: ReplicaSets, pods
 * and status writes would measure the controller manager and etcd's disk, not propagation.
 */
import { request } from 'node:https';
import { ensureKubeBinaries, startMemberClusters, type MemberCluster } from '#libs/kube-harness';
import { startTestServer, type TestServer } from '../support/server.js';
import { percentile, type BenchResult } from './bench-kit.js';

const ENV = {
  UBERNETES_RATE_LIMIT_RPS: '0',
  UBERNETES_HEALTH_PERIOD_SECONDS: '1',
  UBERNETES_HEALTH_SUCCESS_THRESHOLD: '1',
  UBERNETES_HEALTH_TIMEOUT_SECONDS: '5',
  UBERNETES_HEALTH_FAILURE_THRESHOLD: '5',
  // Settings to compare (e.g. UBERNETES_ADMISSION_MAX_BACKLOG=0, UBERNETES_RECONCILE_CONCURRENCY=16) come
  // from the bench's own environment.
  ...Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => /^UBERNETES_(ADMISSION|RECONCILE)_/.test(e[0]) && e[1] !== undefined)),
};

/** Streams ADDED events of managed Deployments of one member; calls `seen(name)` once per name. */
function watchDeployments(m: MemberCluster, seen: (name: string, at: number) => void): () => void {
  const req = request(
    {
      hostname: '127.0.0.1',
      port: new URL(m.server).port,
      path: '/apis/apps/v1/namespaces/bench/deployments?watch=1&labelSelector=federation.ubernetes.io%2Fmanaged-by%3Dubernetes',
      headers: { authorization: `Bearer ${m.adminToken}` },
      ca: m.caPem,
    },
    (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const at = performance.now();
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (!line.trim()) continue;
          const event = JSON.parse(line) as { type: string; object: { metadata: { name: string } } };
          if (event.type === 'ADDED') seen(event.object.metadata.name, at);
        }
      });
    },
  );
  req.on('error', () => undefined);
  req.end();
  return () => req.destroy();
}

function deployment(name: string) {
  return {
    apiVersion: 'federation.ubernetes.io/v1',
    kind: 'FederatedDeployment',
    metadata: { name, namespace: 'bench' },
    spec: {
      template: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        spec: { replicas: 0, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
      },
    },
  };
}

async function put(server: TestServer, name: string): Promise<void> {
  const res = await fetch(`${server.url}/api/v1/namespaces/bench/federateddeployments/${name}`, {
    method: 'PUT',
    headers: { authorization: server.auth, 'content-type': 'application/json' },
    body: JSON.stringify(deployment(name)),
  });
  if (res.status !== 201) throw new Error(`PUT ${name}: ${res.status} ${await res.text()}`);
}

async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const ms = (x: number) => `${x.toFixed(0)} ms`;

/** One Prometheus histogram summed over the series carrying `labels`: count, sum and cumulative buckets. */
interface Histogram {
  count: number;
  sum: number;
  buckets: Map<number, number>;
}

function histogram(metrics: string, name: string, labels: Record<string, string>): Histogram {
  const out: Histogram = { count: 0, sum: 0, buckets: new Map() };
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of metrics.split('\n')) {
    const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    const labelText = match?.[2] ?? '';
    if (!match || !match[1].startsWith(name) || !wanted.every((w) => labelText.includes(w))) continue;
    const value = Number(match[3]);
    if (match[1] === `${name}_count`) out.count += value;
    else if (match[1] === `${name}_sum`) out.sum += value;
    else if (match[1] === `${name}_bucket`) {
      const le = Number(/le="([^"]+)"/.exec(labelText)![1]);
      out.buckets.set(le, (out.buckets.get(le) ?? 0) + value);
    }
  }
  return out;
}

/** What was recorded between two readings of the same histogram. */
function since(after: Histogram, before: Histogram): Histogram {
  return { count: after.count - before.count, sum: after.sum - before.sum, buckets: new Map([...after.buckets].map(([le, n]) => [le, n - (before.buckets.get(le) ?? 0)])) };
}

/** "mean / p99" in ms; the p99 interpolated within its bucket as Prometheus' histogram_quantile does. */
function meanAndP99(h: Histogram): string {
  if (h.count === 0) return '-';
  const rank = 0.99 * h.count;
  let lower = 0;
  let below = 0;
  let p99 = NaN;
  for (const [le, n] of [...h.buckets].sort(([a], [b]) => a - b)) {
    if (n >= rank) {
      p99 = le === Infinity ? lower : lower + ((le - lower) * (rank - below)) / Math.max(1, n - below);
      break;
    }
    lower = le;
    below = n;
  }
  return `${ms((h.sum / h.count) * 1000)} / ${ms(p99 * 1000)}`;
}

async function scrape(server: TestServer): Promise<string> {
  return (await fetch(`${server.url}/metrics`)).text();
}

export async function run(): Promise<BenchResult[]> {
  const total = Number(process.env.PROPAGATION_BENCH_OBJECTS ?? 500);
  const inFlight = 16;
  const members = await startMemberClusters(
    [
      { name: 'bp-1', region: 'us-east-1', zones: ['us-east-1a'] },
      { name: 'bp-2', region: 'eu-west-1', zones: ['eu-west-1a'] },
      { name: 'bp-3', region: 'ap-southeast-1', zones: ['ap-southeast-1a'] },
    ],
    // No controller manager: its ReplicaSet/status writes would share etcd's disk with the writes measured.
    { simulate: false, binaries: { ...(await ensureKubeBinaries()), controllerManager: undefined } },
  );
  const server = await startTestServer('bench_propagation', { env: ENV });
  const stops: (() => void)[] = [];
  try {
    for (const m of members) {
      const res = await fetch(`${server.url}/api/v1/clusters`, {
        method: 'POST',
        headers: { authorization: server.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ metadata: { name: m.name }, spec: { server: m.server, caData: m.caData, credentials: { token: m.adminToken } } }),
      });
      if (res.status >= 300) throw new Error(`register ${m.name}: ${res.status} ${await res.text()}`);
    }
    for (let i = 0; i < 200; i++) {
      const list = (await (await fetch(`${server.url}/api/v1/clusters`, { headers: { authorization: server.auth } })).json()) as { items: { status: { conditions: { type: string; status: string }[] } }[] };
      if (list.items.length === 3 && list.items.every((c) => c.status.conditions.some((x) => x.type === 'Ready' && x.status === 'True'))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // The namespace must exist in every member: a FederatedNamespace (and the first propagation warms up).
    await fetch(`${server.url}/api/v1/federatednamespaces/bench`, {
      method: 'PUT',
      headers: { authorization: server.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'federation.ubernetes.io/v1', kind: 'FederatedNamespace', metadata: { name: 'bench' }, spec: { template: { apiVersion: 'v1', kind: 'Namespace' } } }),
    });
    await new Promise((r) => setTimeout(r, 2_000));

    const present = new Map<string, number[]>();
    for (const m of members) {
      stops.push(
        watchDeployments(m, (name, at) => {
          const times = present.get(name) ?? [];
          times.push(at);
          present.set(name, times);
        }),
      );
    }
    await new Promise((r) => setTimeout(r, 500));
    const inAll = (name: string) => (present.get(name)?.length ?? 0) >= 3;

    // Idle: one at a time.
    const idle: number[] = [];
    const apiIdle: number[] = [];
    for (let i = 0; i < 20; i++) {
      const name = `idle-${i}`;
      const t0 = performance.now();
      await put(server, name);
      const tAck = performance.now();
      apiIdle.push(tAck - t0);
      await waitUntil(() => inAll(name), 30_000, name);
      idle.push(Math.max(...present.get(name)!) - tAck);
    }

    // API overhead without propagation: GET and an unchanged PUT (no insert, no enqueue) of one object.
    const getMs: number[] = [];
    const unchangedMs: number[] = [];
    for (let i = 0; i < 20; i++) {
      let t = performance.now();
      await fetch(`${server.url}/api/v1/namespaces/bench/federateddeployments/idle-0`, { headers: { authorization: server.auth } }).then((r) => r.text());
      getMs.push(performance.now() - t);
      t = performance.now();
      const res = await fetch(`${server.url}/api/v1/namespaces/bench/federateddeployments/idle-0`, {
        method: 'PUT',
        headers: { authorization: server.auth, 'content-type': 'application/json' },
        body: JSON.stringify(deployment('idle-0')),
      });
      await res.text();
      unchangedMs.push(performance.now() - t);
    }

    // Burst: `total` objects, `inFlight` requests at a time.
    const metricsBefore = await scrape(server);
    const sent = new Map<string, number>();
    const acked = new Map<string, number>();
    const api: number[] = [];
    const names = Array.from({ length: total }, (_, i) => `web-${i}`);
    const start = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < names.length) {
          const name = names[next++];
          const t0 = performance.now();
          sent.set(name, t0);
          await put(server, name);
          const t = performance.now();
          api.push(t - t0);
          acked.set(name, t);
        }
      }),
    );
    const writesDone = performance.now();
    await waitUntil(() => names.every(inAll), 300_000, 'every member object');
    const lastPresent = Math.max(...names.map((n) => Math.max(...present.get(n)!)));
    const metricsAfter = await scrape(server);
    const burst = (name: string, labels: Record<string, string>) => meanAndP99(since(histogram(metricsAfter, name, labels), histogram(metricsBefore, name, labels)));
    const latencies = Float64Array.from(names.map((n) => Math.max(...present.get(n)!) - acked.get(n)!)).sort();
    const fromSent = Float64Array.from(names.map((n) => Math.max(...present.get(n)!) - sent.get(n)!)).sort();
    const apiSorted = Float64Array.from(api).sort();
    const idleSorted = Float64Array.from(idle).sort();
    const duration = lastPresent - start;
    return [
      {
        name: 'idle (1 at a time, 20 objects)',
        figures: {
          objects: 20,
          'GET p50': ms(percentile(Float64Array.from(getMs).sort(), 0.5)),
          'unchanged PUT p50': ms(percentile(Float64Array.from(unchangedMs).sort(), 0.5)),
          'API p50': ms(percentile(Float64Array.from(apiIdle).sort(), 0.5)), 'write→all members p50': ms(percentile(idleSorted, 0.5)), 'write→all members p99': ms(percentile(idleSorted, 0.99)) },
      },
      {
        name: `burst (${total} objects, ${inFlight} in flight)`,
        figures: {
          objects: total,
          'API p50': ms(percentile(apiSorted, 0.5)),
          'API p99': ms(percentile(apiSorted, 0.99)),
          'writes accepted in': ms(writesDone - start),
          'all in members after': ms(duration),
          'member writes/s': Math.round((total * 3) / (duration / 1000)),
          'write→all members p50': ms(percentile(latencies, 0.5)),
          'write→all members p99': ms(percentile(latencies, 0.99)),
          'sent→all members p50': ms(percentile(fromSent, 0.5)),
          'sent→all members p99': ms(percentile(fromSent, 0.99)),
        },
      },
      {
        name: 'burst: server time, mean / p99',
        figures: {
          'admission wait': burst('ubernetes_admission_wait_seconds', {}),
          'API PUT': burst('ubernetes_http_request_duration_seconds', { method: 'PUT', route: '/api/v1/namespaces/:namespace/federateddeployments/:name' }),
          'reconcile queue wait': burst('ubernetes_job_wait_seconds', { queue: 'reconcile', job: 'reconcile' }),
          'reconcile job': burst('ubernetes_job_duration_seconds', { queue: 'reconcile', job: 'reconcile' }),
          'member GET': burst('ubernetes_member_request_duration_seconds', { method: 'GET' }),
          'member apply': burst('ubernetes_member_request_duration_seconds', { method: 'PATCH' }),
        },
      },
    ];
  } finally {
    for (const stop of stops) stop();
    await server.stop();
    await members.stopAll();
  }
}
