/**
 * Failover benchmark: 3 real member clusters (fb-1, fb-2 in us-east-1a, fb-3 in eu-west-1a), one
 * in-process server with every role and DEFAULT health settings (period 2 s, timeout 2 s, failure
 * threshold 3), a FederatedDeployment (6 replicas, rebalance: true) + a LoadBalancer FederatedService.
 * Each run: `kill -STOP` fb-3's API server at t0, then poll (50 ms) until
 *   (a) the federation marks fb-3 NotReady,
 *   (b) the survivors' Deployments ask for the new counts (3 + 3),
 *   (c) the survivors report those replicas ready,
 *   (d) the built-in DNS server no longer answers the global name with fb-3's address (`dig`);
 * then resumes fb-3 and waits for the full plan again. Goal for (d): period × failure threshold +
 * timeout + 1 s (≈ 9 s with the defaults). `FAILOVER_BENCH_RUNS` (default 3) sets the number of runs.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { BUILT_IN_HEALTH_SETTINGS, worstCaseDetectionMs } from '#libs/health';
import { defaultTopology, startMemberClusters } from '#libs/kube-harness';
import { DnsServerListener } from '../../apps/server/src/dns/dns-server.listener.js';
import { FAILOVER_ENV, GLOBAL_NAME, applyApp, clusterReady, dig, expectTruth, lbOf, memberReplicas, registerClusters, waitFor } from '../failover/failover-helpers.js';
import { startTestServer } from '../support/server.js';
import type { BenchResult } from './bench-kit.js';

const STEPS = ['a. NotReady', 'b. survivors updated', 'c. survivors ready', 'd. DNS withdrawn'] as const;

export async function run(): Promise<BenchResult[]> {
  const runs = Number(process.env.FAILOVER_BENCH_RUNS ?? 3);
  const members = await startMemberClusters(defaultTopology(3, { prefix: 'fb' }));
  const [fb1, fb2, fb3] = members.clusters;
  const server = await startTestServer('bench_failover', { env: FAILOVER_ENV });
  const samples: number[][] = STEPS.map(() => []);
  try {
    const dnsPort = server.app.get(DnsServerListener).port;
    await registerClusters(server, members);
    await applyApp(server, 6, { rebalance: true });
    await expectTruth([fb1, fb2, fb3], 6, dnsPort, { expected: { 'fb-1': 2, 'fb-2': 2, 'fb-3': 2 } });
    const dead = lbOf(fb3);
    for (let i = 0; i < runs; i++) {
      await sleep(3_000); // let probes and resync settle
      const t0 = Date.now();
      await fb3.hang();
      const at = async (check: () => Promise<boolean>) => {
        await waitFor('step', async () => (await check().catch(() => false)) || undefined, 120_000, 50);
        return Date.now() - t0;
      };
      const survivors = async (key: 'spec' | 'ready') => {
        const [r1, r2] = await Promise.all([memberReplicas(fb1), memberReplicas(fb2)]);
        return r1?.[key] === 3 && r2?.[key] === 3;
      };
      const times = await Promise.all([
        at(async () => !(await clusterReady(server, 'fb-3'))),
        at(() => survivors('spec')),
        at(() => survivors('ready')),
        at(async () => {
          const answer = await dig(dnsPort, GLOBAL_NAME);
          return answer.length > 0 && !answer.includes(dead);
        }),
      ]);
      times.forEach((t, s) => samples[s].push(t));
      process.stderr.write(`failover run ${i + 1}/${runs}: ${STEPS.map((s, k) => `${s} ${times[k]} ms`).join(', ')}\n`);
      await fb3.resume();
      await waitFor('fb-3 Ready', () => clusterReady(server, 'fb-3'), 60_000);
      await expectTruth([fb1, fb2, fb3], 6, dnsPort, { expected: { 'fb-1': 2, 'fb-2': 2, 'fb-3': 2 } });
    }
  } finally {
    await server.stop();
    await members.stopAll();
  }
  const floorMs = worstCaseDetectionMs(BUILT_IN_HEALTH_SETTINGS) + 1_000;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  const medD = median(samples[3]);
  const rows: BenchResult[] = STEPS.map((name, s) => {
    const previous = s === 0 ? 0 : median(samples[s - 1]);
    return {
      name,
      figures: {
        'median ms': median(samples[s]),
        'worst ms': Math.max(...samples[s]),
        'step ms (median)': median(samples[s]) - previous,
        'share of d': `${Math.round(((median(samples[s]) - previous) / medD) * 100)}%`,
        runs,
      },
    };
  });
  rows.push({
    name: `goal d ≤ period×threshold+timeout+1s`,
    figures: { 'median ms': floorMs, 'worst ms': floorMs, 'step ms (median)': `gap ${medD - floorMs} (median), ${Math.max(...samples[3]) - floorMs} (worst)`, 'share of d': '', runs },
  });
  return rows;
}
