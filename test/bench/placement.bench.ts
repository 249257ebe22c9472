/**
 * Planner benchmark: time per `plan()` call (validation included, as callers pay it) for the default
 * and legacy algorithms on 10, 100 and 1,000 candidate clusters with seeded random weights, minimums,
 * maximums and capacities, at ~10 replicas per cluster and at the int32 maximum (default only: legacy's
 * rounds are cheap too, but the point of the large case is the default planner's bulk apportionment).
 */
import { plan, type ClusterPreference, type PlanInput } from '#libs/placement';
import { latencyFigures, measure, type BenchResult } from './bench-kit.js';

/** mulberry32: seeded so every run plans the same inputs. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomInput(algorithm: 'default' | 'legacy', clusters: number, totalReplicas: number, steady: boolean): PlanInput {
  const rand = prng(clusters * 7919 + totalReplicas);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const names = Array.from({ length: clusters }, (_, i) => `cluster-${String(i).padStart(4, '0')}`);
  const prefs: Record<string, ClusterPreference> = {};
  const current: Record<string, number> = {};
  const capacity: Record<string, number> = {};
  for (const name of names) {
    const minReplicas = rand() < 0.3 ? int(0, 3) : 0;
    prefs[name] = {
      weight: int(0, 100),
      minReplicas,
      maxReplicas: rand() < 0.5 ? minReplicas + int(0, 40) : null,
    };
    if (steady) current[name] = int(0, 20);
    if (rand() < 0.3) capacity[name] = int(0, 50);
  }
  return {
    algorithm,
    key: 'bench/web',
    totalReplicas,
    clusters: names,
    preferences: { rebalance: !steady, clusters: prefs },
    ...(steady && { currentReplicas: current }),
    estimatedCapacity: capacity,
  };
}

/** Runs the planner benchmark; every row is one algorithm × cluster count × scenario. */
export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const cases: { label: string; replicasPerCluster?: number; total?: number; steady: boolean; algorithms: ('default' | 'legacy')[] }[] = [
    { label: 'fresh, 10 replicas/cluster', replicasPerCluster: 10, steady: false, algorithms: ['default', 'legacy'] },
    { label: 'steady (current given), 10 replicas/cluster', replicasPerCluster: 10, steady: true, algorithms: ['default', 'legacy'] },
    { label: 'fresh, 2^31-1 replicas', total: 2_147_483_647, steady: false, algorithms: ['default'] },
  ];
  for (const c of cases) {
    for (const clusters of [10, 100, 1_000]) {
      for (const algorithm of c.algorithms) {
        const input = randomInput(algorithm, clusters, c.total ?? clusters * c.replicasPerCluster!, c.steady);
        const iterations = clusters >= 1_000 ? 300 : clusters >= 100 ? 2_000 : 10_000;
        const m = await measure(() => plan(input), { iterations, warmup: Math.ceil(iterations / 10) });
        const out = plan(input);
        results.push({
          name: `${algorithm.padEnd(7)} ${String(clusters).padStart(5)} clusters, ${c.label}`,
          figures: { ...latencyFigures(m), unschedulable: out.unschedulable },
        });
      }
    }
  }
  return results;
}
