/**
 * The Federation v1 / KubeFed replica planner (`pkg/controller/util/planner`), reproduced exactly so
 * that users migrating from KubeFed get the same split. Steps, on the clusters that have a preference:
 *
 * 1. Order by weight descending, ties by FNV-1 32 (`clusterName + key`) ascending.
 * 2. Minimums, in that order: `plan[c] = min(minReplicas, remaining, capacity[c])`.
 * 3. rebalance = false only: a cluster running more than planned keeps up to
 *    `min(current, maxReplicas, capacity)`, taken from `remaining` and remembered as pre-allocated.
 * 4. Rounds while something changed and `remaining > 0`: `W` = Σ weight of clusters still in the loop,
 *    `budget` = remaining at the round's start; each cluster in order gets
 *    `extra = min(ceil(budget·w/W), remaining)`, which first pays back its pre-allocation; then the
 *    total is clamped to `maxReplicas` (cluster leaves the loop) and to `capacity` (excess recorded as
 *    overflow, cluster leaves the loop). `W = 0` stops.
 * 5. rebalance = true: overflow as is; rebalance = false: each overflow cut to the unplaced remainder.
 *
 * Known consequences (kept on purpose; the default planner fixes them): unplaceable replicas vanish,
 * scale-down with rebalance = false ignores weights, minimums stack on top of the weighted share.
 */
import { emptyPlan, nonZeroByName, orderEligibleClusters } from './cluster-order.js';
import { DEFAULT_PREFERENCES, type PlanInput, type PlanResult } from './placement.types.js';

/**
 * Runs the legacy planner on an already validated input. `unschedulable` reports what KubeFed silently
 * drops, `max(0, total − Σ(plan + overflow))`; it does not influence the split.
 */
export function planLegacy(input: PlanInput): PlanResult {
  const rebalance = (input.preferences ?? DEFAULT_PREFERENCES).rebalance ?? false;
  let loop = orderEligibleClusters(input);
  const planned = new Map<string, number>();
  const overflow = new Map<string, number>();
  let remaining = input.totalReplicas;

  // 2. Minimums (capacity-bounded, not max-bounded: KubeFed relies on validation for min ≤ max).
  for (const c of loop) {
    const min = Math.min(c.minReplicas, remaining, c.capacity);
    remaining -= min;
    planned.set(c.name, min);
  }

  // 3. Pre-allocation keeps running replicas where they are, in weight order: on scale-down the
  //    heaviest clusters keep everything and the light ones lose first, whatever the weights say.
  const preallocated = new Map<string, number>();
  if (!rebalance) {
    for (const c of loop) {
      const start = planned.get(c.name)!;
      if (!c.hasCurrent || c.current <= start) continue;
      const target = Math.min(c.current, c.maxReplicas, c.capacity);
      const extra = Math.max(0, Math.min(target - start, remaining));
      remaining -= extra;
      preallocated.set(c.name, extra);
      planned.set(c.name, start + extra);
    }
  }

  // 4. Weighted rounds.
  let modified = true;
  while (modified && remaining > 0) {
    modified = false;
    let weightSum = 0;
    for (const c of loop) weightSum += c.weight;
    if (weightSum <= 0) break;
    const budget = remaining;
    const stillIn = [];
    for (const c of loop) {
      const start = planned.get(c.name)!;
      // Same arithmetic as Go: float64(budget·w) / float64(W), rounded up.
      let extra = Math.min(Math.ceil((budget * c.weight) / weightSum), remaining);
      const prealloc = preallocated.get(c.name) ?? 0;
      const usedPrealloc = Math.min(extra, prealloc);
      preallocated.set(c.name, prealloc - usedPrealloc);
      extra -= usedPrealloc;
      if (usedPrealloc > 0) modified = true;

      let total = start + extra;
      let full = false;
      if (total > c.maxReplicas) {
        total = c.maxReplicas;
        full = true;
      }
      if (total > c.capacity) {
        overflow.set(c.name, total - c.capacity);
        total = c.capacity;
        full = true;
      }
      if (!full) stillIn.push(c);
      remaining -= total - start;
      planned.set(c.name, total);
      if (total > start) modified = true;
    }
    loop = stillIn;
  }

  // 5. Without rebalance, overflow only covers replicas that found no place at all.
  if (!rebalance) {
    for (const [name, n] of overflow) overflow.set(name, Math.min(n, remaining));
  }

  const plan = emptyPlan(input.clusters);
  let placed = 0;
  for (const [name, n] of planned) {
    plan[name] = n;
    placed += n + (overflow.get(name) ?? 0);
  }
  return { plan, overflow: nonZeroByName(overflow), unschedulable: Math.max(0, input.totalReplicas - placed) };
}
