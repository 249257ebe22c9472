/**
 * The default Ubernetes replica planner: bounded Webster apportionment that is steady across scaling.
 *
 * On the clusters that have a preference, in planner order (weight desc, FNV-1(name + key) asc):
 *
 * 1. Bound: `upper[c] = min(maxReplicas, estimatedCapacity)` — both are hard limits, never overflowed.
 * 2. Floor: minimums in order, `floor[c] = min(minReplicas, upper[c], remaining)` (when the minimums
 *    alone exceed the total, earlier clusters in the order get theirs first, as in legacy).
 * 3. Keep (rebalance = false with `currentReplicas`): `keep[c] = max(floor[c], min(current[c], upper[c]))`
 *    — running replicas stay unless a bound now forbids them; otherwise `keep = floor`.
 * 4. If `Σ keep ≤ total` (scale-up, steady, fresh plan): start from `keep` and apportion the rest by
 *    Webster (`weight/(2·assigned+1)`, see `webster.ts`) up to `upper`. Nobody loses a kept replica,
 *    and the new ones go to the clusters furthest below their weighted share, so the split converges
 *    to the weights without moving running pods. Weight-0 clusters never grow beyond `keep`.
 * 5. If `Σ keep > total` (scale-down): start from `floor` and apportion `total − Σ floor` with upper
 *    bound `keep`. This is Webster run backwards: the replicas removed are the ones with the lowest
 *    priority, i.e. from the clusters most over their weighted share (weight-0 clusters first), so a
 *    1:7 split of 10/70 scaled to 50 becomes 6/44 — legacy gives 0/50.
 * 6. `unschedulable = total − Σ plan`: whatever no cluster can take (all at `upper`, or only weight-0
 *    clusters left). It is reported, never dropped, and never pushed beyond a capacity as overflow.
 *
 * Why the bounded Webster rather than KubeFed's "minimums, then ceil(budget·w/W) rounds": minimums act
 * as lower bounds of one proportional split instead of being stacked under it. With c1 w2 min2 max6,
 * c2 w3 min4 max8 and 10 replicas the weighted split 4/6 already satisfies every bound, so that is
 * the answer (legacy stacks the leftover 4 on top of the minimums 2/4 and gives 3/7). And the result
 * never depends on rounding order: 3:2:1 gives 6/4/2, 7/4/2, 7/5/2 for 12, 13, 14 replicas.
 */
import { emptyPlan, orderEligibleClusters } from './cluster-order.js';
import { DEFAULT_PREFERENCES, type PlanInput, type PlanResult } from './placement.types.js';
import { apportion, type ApportionSlot } from './webster.js';

/**
 * Runs the default planner on an already validated input. Invariants: `Σ plan + unschedulable = total`,
 * `plan[c] ≤ min(maxReplicas, estimatedCapacity)`, `plan[c] ≥ min(minReplicas, maxReplicas, capacity)`
 * whenever the total covers those minimums, `overflow` empty; with rebalance = false and
 * `currentReplicas`, a scale-up never lowers any cluster below `min(current, maxReplicas, capacity)`.
 */
export function planDefault(input: PlanInput): PlanResult {
  const prefs = input.preferences ?? DEFAULT_PREFERENCES;
  const steady = !(prefs.rebalance ?? false) && input.currentReplicas !== undefined;
  const ordered = orderEligibleClusters(input);
  const total = input.totalReplicas;

  let remaining = total;
  const upper: number[] = [];
  const floor: number[] = [];
  const keep: number[] = [];
  let kept = 0;
  let floors = 0;
  for (const c of ordered) {
    const up = Math.min(c.maxReplicas, c.capacity);
    const min = Math.min(c.minReplicas, up, remaining);
    remaining -= min;
    const k = steady ? Math.max(min, Math.min(c.current, up)) : min;
    upper.push(up);
    floor.push(min);
    keep.push(k);
    floors += min;
    kept += k;
  }

  let slots: ApportionSlot[];
  let seats: number;
  if (kept <= total) {
    slots = ordered.map((c, i) => ({ weight: c.weight, start: keep[i], upper: c.weight > 0 ? upper[i] : keep[i] }));
    seats = total - kept;
  } else {
    slots = ordered.map((c, i) => ({ weight: c.weight, start: floor[i], upper: keep[i] }));
    seats = total - floors;
  }
  const counts = apportion(slots, seats);

  const plan = emptyPlan(input.clusters);
  let placed = 0;
  ordered.forEach((c, i) => {
    plan[c.name] = counts[i];
    placed += counts[i];
  });
  return { plan, overflow: {}, unschedulable: total - placed };
}
