/**
 * Shared first step of both planners: resolve each candidate cluster's preference (own entry, else
 * `"*"`, else none) and put the eligible clusters in the planner order.
 */
import { DEFAULT_PREFERENCES, type PlanInput } from './placement.types.js';
import { fnv1_32 } from './fnv.js';

/** One candidate cluster that has a preference, with its bounds resolved. Internal to the lib. */
export interface EligibleCluster {
  /** Cluster name. */
  readonly name: string;
  /** Resolved weight (≥ 0). */
  readonly weight: number;
  /** Resolved `minReplicas` (≥ 0). */
  readonly minReplicas: number;
  /** Resolved `maxReplicas`; `Infinity` when unbounded. */
  readonly maxReplicas: number;
  /** `estimatedCapacity[name]`, `Infinity` when unknown. */
  readonly capacity: number;
  /** `currentReplicas[name]`, 0 when the object does not run there. */
  readonly current: number;
  /** `currentReplicas` has an entry for this cluster (legacy pre-allocation distinguishes it). */
  readonly hasCurrent: boolean;
  /** FNV-1 32 of `name + key`, unsigned. */
  readonly hash: number;
}

/**
 * Candidate clusters that have a preference, sorted by weight descending, then FNV-1(`name + key`)
 * ascending, then name (only to stay total on a 32-bit hash collision). Clusters without an own or
 * `"*"` entry are left out: both planners give them 0 replicas.
 */
export function orderEligibleClusters(input: PlanInput): EligibleCluster[] {
  const prefs = (input.preferences ?? DEFAULT_PREFERENCES).clusters;
  const wildcard = Object.hasOwn(prefs, '*') ? prefs['*'] : undefined;
  const current = input.currentReplicas ?? {};
  const capacity = input.estimatedCapacity ?? {};
  const eligible: EligibleCluster[] = [];
  for (const name of input.clusters) {
    const pref = Object.hasOwn(prefs, name) ? prefs[name] : wildcard;
    if (pref === undefined) continue;
    const hasCurrent = Object.hasOwn(current, name);
    eligible.push({
      name,
      weight: pref.weight ?? 0,
      minReplicas: pref.minReplicas ?? 0,
      maxReplicas: pref.maxReplicas ?? Infinity,
      capacity: Object.hasOwn(capacity, name) ? capacity[name] : Infinity,
      current: hasCurrent ? current[name] : 0,
      hasCurrent,
      hash: fnv1_32(name + input.key),
    });
  }
  return eligible.sort(
    (a, b) => b.weight - a.weight || a.hash - b.hash || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

/** A plan map with a 0 entry for every candidate cluster, keys in name order (stable JSON output). */
export function emptyPlan(clusters: readonly string[]): Record<string, number> {
  const plan: Record<string, number> = {};
  for (const name of [...clusters].sort(byName)) plan[name] = 0;
  return plan;
}

/** Copies the non-zero entries of `counts` in name order. */
export function nonZeroByName(counts: ReadonlyMap<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of [...counts.keys()].sort(byName)) {
    const n = counts.get(name)!;
    if (n > 0) out[name] = n;
  }
  return out;
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
