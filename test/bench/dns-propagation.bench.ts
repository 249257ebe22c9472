/**
 * DNS propagation benchmark: time from an endpoint change in a member cluster (all pods of the service
 * turned unready with the harness' `setPodsReady(false)`, and back) to the changed answer of the built-in
 * DNS server, observed with real DNS queries (dns-packet over UDP, every 20 ms). 3 real member clusters,
 * a FederatedDeployment + FederatedService created through the API, the server with every role.
 * The path measured: member Endpoints → propagation resync/observe (UBERNETES_RESYNC_SECONDS) → DNS input
 * watch (1 s) → publish job → store + NOTIFY → server reload.
 * `DNS_PROPAGATION_RUNS` (default 5) sets the number of down/up cycles.
 */
import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';
import { defaultTopology, startMemberClusters, type MemberClusterSet } from '#libs/kube-harness';
import { DnsServerListener } from '../../apps/server/src/dns/dns-server.listener.js';
import { PROPAGATION_TEST_ENV, call, federatedDeployment, registerClusters, waitFor } from '../propagation/propagation-helpers.js';
import { startTestServer, type TestServer } from '../support/server.js';
import type { BenchResult } from './bench-kit.js';

const ZONE = 'bench.test';
const EUW1A = `web.default.bench.svc.eu-west-1a.eu-west-1.${ZONE}`;
const POLL_MS = 20;

/** One A query over UDP; the answer section as `TYPE data` strings (empty on timeout). */
function query(port: number, name: string, timeoutMs = 500): Promise<string[]> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const id = Math.floor(Math.random() * 65_535);
    const timer = setTimeout(() => {
      socket.close();
      resolve([]);
    }, timeoutMs);
    socket.on('message', (msg) => {
      const res = dnsPacket.decode(msg);
      if (res.id !== id) return;
      clearTimeout(timer);
      socket.close();
      resolve((res.answers ?? []).map((a) => `${a.type} ${String((a as { data?: unknown }).data)}`));
    });
    socket.send(dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] }), port, '127.0.0.1');
  });
}

/** Polls until `predicate(answers)` holds; returns the elapsed ms since `since`. */
async function until(port: number, predicate: (answers: string[]) => boolean, since: number, timeoutMs = 120_000): Promise<number> {
  for (;;) {
    if (predicate(await query(port, EUW1A))) return Date.now() - since;
    if (Date.now() - since > timeoutMs) throw new Error(`no DNS change within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function figures(samples: number[], env: Record<string, string>): Record<string, string | number> {
  const s = [...samples].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return { runs: s.length, median: `${(median / 1000).toFixed(2)} s`, best: `${(s[0]! / 1000).toFixed(2)} s`, worst: `${(s[s.length - 1]! / 1000).toFixed(2)} s`, 'resync s': env.UBERNETES_RESYNC_SECONDS ?? '' };
}

export async function run(): Promise<BenchResult[]> {
  const runs = Number(process.env.DNS_PROPAGATION_RUNS ?? 5);
  let members: MemberClusterSet | undefined;
  let server: TestServer | undefined;
  const env = { ...PROPAGATION_TEST_ENV, FEDERATION_NAME: 'bench', DNS_ZONE: ZONE, DNS_TTL: '5' };
  try {
    members = await startMemberClusters(defaultTopology(3, { prefix: 'dnsbench' }));
    server = await startTestServer('bench_dns_propagation', { env });
    const port = server.app.get(DnsServerListener).port;
    await registerClusters(server, members);
    await call(server, 'PUT', '/api/v1/namespaces/default/federateddeployments/web', federatedDeployment('web', { replicas: 3 }));
    await call(server, 'PUT', '/api/v1/namespaces/default/federatedservices/web', {
      apiVersion: 'federation.ubernetes.io/v1',
      kind: 'FederatedService',
      metadata: { name: 'web', namespace: 'default' },
      spec: { template: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] } } },
    });
    const eu = members.clusters[2]!;
    const healthy = (a: string[]) => a.length === 1 && a[0]!.startsWith('A ');
    const fallback = (a: string[]) => a[0]?.startsWith('CNAME ') === true;
    await waitFor('eu-west-1a answers with its own address', async () => healthy(await query(port, EUW1A)), 180_000, 250);
    const down: number[] = [];
    const up: number[] = [];
    for (let i = 0; i < runs; i++) {
      let t = Date.now();
      await eu.setPodsReady(false);
      down.push(await until(port, fallback, t));
      t = Date.now();
      await eu.setPodsReady(true);
      up.push(await until(port, healthy, t));
    }
    return [
      { name: 'pods unready → zone name CNAMEs to region', figures: figures(down, env) },
      { name: 'pods ready → zone name A again', figures: figures(up, env) },
    ];
  } finally {
    await server?.stop();
    await members?.stopAll();
  }
}
