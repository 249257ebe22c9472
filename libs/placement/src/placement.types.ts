/**
 * Types of the replica placement planner: the input a caller hands to {@link plan} and the plan it gets
 * back. Every count in this file is a number of pod replicas (a non-negative integer); every weight is a
 * dimensionless non-negative integer that only matters relative to the other weights.
 */

/**
 * Which planner to run.
 * - `'default'`: Ubernetes' planner — Webster/Sainte-Laguë apportionment bounded by min/max/capacity,
 *   steady on scale-up and scale-down, and explicit about replicas it cannot place.
 * - `'legacy'`: the Federation v1 / KubeFed `ReplicaSchedulingPreference` planner, reproduced exactly
 *   (including its known surprises) for users migrating from KubeFed who need the same split.
 */
export type PlacementAlgorithm = 'default' | 'legacy';

/**
 * What one cluster (or every cluster, under the `"*"` key) asks for.
 * Invariant (checked by `validatePreferences`): `minReplicas ≤ maxReplicas` when both are set.
 */
export interface ClusterPreference {
  /** Relative share of the replicas left after the minimums; integer in [0, 1,000,000]; default 0. */
  weight?: number;
  /** Replicas the cluster gets before any weighted share, as far as the total allows; default 0. */
  minReplicas?: number;
  /** Hard upper bound on the replicas of this cluster; `null` or absent means unbounded. */
  maxReplicas?: number | null;
}

/**
 * Federation v1 annotation / KubeFed `ReplicaSchedulingPreference` shape.
 * A candidate cluster uses its own entry, else the `"*"` entry; with neither it gets 0 replicas.
 */
export interface ReplicaPreferences {
  /**
   * `false` (default): replicas already running stay where they are as far as the new total allows
   * (needs `PlanInput.currentReplicas`). `true`: the split is recomputed from scratch, which may move
   * running replicas between clusters.
   */
  rebalance?: boolean;
  /** Per-cluster preferences keyed by cluster name, or `"*"` for every cluster without its own entry. */
  clusters: Record<string, ClusterPreference>;
}

/** Everything the planner looks at. It is a pure function of this value: no clock, no I/O. */
export interface PlanInput {
  /** Planner to run; see {@link PlacementAlgorithm}. */
  algorithm: PlacementAlgorithm;
  /**
   * Identity of the federated object, `namespace/name`. Only used to break ties deterministically
   * (FNV-1 hash of `clusterName + key`), so two objects with equal weights do not both pile their odd
   * replica onto the same cluster.
   */
  key: string;
  /** Replicas wanted across all clusters; integer in [0, 2³¹−1] (a Deployment's `int32`). */
  totalReplicas: number;
  /** Candidate clusters: the ones that are ready and selected by the placement. Unique names. */
  clusters: string[];
  /** Scheduling preferences; absent means {@link DEFAULT_PREFERENCES} (equal weights, no bounds). */
  preferences?: ReplicaPreferences;
  /**
   * Replicas running now, per cluster where the object exists. Used when `rebalance` is false to keep
   * running replicas in place. Entries for clusters that are no longer candidates are ignored.
   */
  currentReplicas?: Record<string, number>;
  /**
   * How many replicas of this object each cluster can still run (an estimate from its free resources),
   * only where known. A missing entry means unbounded.
   */
  estimatedCapacity?: Record<string, number>;
}

/**
 * The planner's answer. Invariants for both algorithms: `plan` has one entry per candidate cluster
 * (0 included) in cluster-name order; `plan[c] ≤ maxReplicas(c)` and `plan[c] ≤ estimatedCapacity[c]`;
 * `Σ plan ≤ totalReplicas`.
 * For `'default'` additionally `Σ plan + unschedulable = totalReplicas` and `overflow` is always empty.
 */
export interface PlanResult {
  /** Replicas to run in each candidate cluster. */
  plan: Record<string, number>;
  /**
   * Legacy only: replicas that the weighted share gave a cluster beyond its estimated capacity. KubeFed
   * applies `plan[c] + overflow[c]` and lets them stay Pending there (hoping for autoscaling). Only
   * non-zero entries. The default planner never overflows: it counts such replicas in `unschedulable`.
   */
  overflow: Record<string, number>;
  /**
   * Replicas of `totalReplicas` that no cluster can take: every cluster that may receive more is at its
   * `maxReplicas` or estimated capacity (or has weight 0). Never silently dropped by the default planner;
   * for legacy it is what KubeFed silently drops: `max(0, total − Σ(plan + overflow))`.
   */
  unschedulable: number;
}

/** Preferences used when `PlanInput.preferences` is absent: every candidate cluster with weight 1. */
export const DEFAULT_PREFERENCES: Readonly<ReplicaPreferences> = Object.freeze({
  clusters: Object.freeze({ '*': Object.freeze({ weight: 1 }) }) as Record<string, ClusterPreference>,
});

/** Largest accepted `totalReplicas`, `minReplicas`, `maxReplicas`, capacity or current count (int32). */
export const MAX_REPLICAS = 2_147_483_647;

/**
 * Largest accepted weight. Bounded so that the exact priority comparison `w₁·(2a₂+1)` vs `w₂·(2a₁+1)`
 * stays below 2⁵³ (1e6 · 2³² ≈ 4.3e15) and therefore exact in IEEE-754 doubles.
 */
export const MAX_WEIGHT = 1_000_000;
