/**
 * The decide step of reconcile: from one federated object, the member clusters and the stored work items
 * to where the object goes and the work items every cluster should have. Pure: no Nest, no I/O, no clock
 * (`nowMs` is passed in); reconcile, the API's dry run and failover all ask it.
 *
 * Rules, in order:
 *
 * 1. **Selection.** `spec.placement` (cluster names and/or a label selector; default every cluster)
 *    selects clusters, Ready or not. Non-replica kinds go to every selected cluster; a NotReady one gets
 *    its item now and the object when it returns.
 * 2. **Failover delay and the failover gate.** A selected, schedulable cluster that is NotReady keeps its
 *    replicas planned (it stays a candidate, counted at what it was last asked to run) until the
 *    workload's failover delay has passed — annotation `federation.ubernetes.io/failover-delay-seconds`,
 *    else the federation's — and the failover gate lets them go (`MemberClusterInfo.writeOff`: a
 *    disruption holds with no end, a rate-limit slot or a recovery grace ends at `atMs`; the delay counts
 *    from the gate's clock). See `delayedFailovers` in `work-items.ts`.
 * 3. **Planning.** Replica workloads are planned by `#libs/placement` over the candidates (Ready,
 *    schedulable and selected, plus the delayed ones), with the replicas members run now and the capacity
 *    estimates younger than {@link CAPACITY_TTL_MS}. With explicit per-cluster preferences
 *    (`replicaScheduling.clusters`) a cluster planned 0 gets no object (KubeFed's behaviour); otherwise
 *    every candidate gets one, possibly with 0 replicas.
 * 4. **Make before break.** Replicas moving between clusters leave the losing clusters only once the
 *    gaining ones run theirs ready, or have failed to within the ready timeout (`holdScaleDowns`).
 * 5. **Write-offs.** A selected, schedulable, NotReady cluster that is no longer planned (its delay and
 *    the gate let its replicas go) has its item rewritten to ask for 0, remembering what it asked for and
 *    since when the cluster is NotReady (`observed.writtenOff`). Nothing is sent while it is NotReady;
 *    when it returns its first reconcile brings its stale objects to the current plan instead of adding
 *    their old count, and failover reports the move from the record.
 * 6. **Obsolete items.** An item whose cluster left the placement or was unregistered, or (explicit
 *    preferences) whose Ready cluster is planned 0, is removed from its member. A selected NotReady
 *    cluster keeps its item (and member object) until it can be re-planned.
 *
 * Ownership of member objects and `retainReplicas` are the applier's (see `work-applier.ts`) and
 * materialization's (`#libs/federation`): a retaining manifest carries the retain-replicas annotation.
 */
import {
  failoverDelay,
  manifestHash,
  materialize,
  planInputFor,
  schedulesReplicas,
  selectedClusters,
  type FederatedObject,
  type MaterializeContext,
} from '#libs/federation';
import { plan, type PlanInput, type PlanResult } from '#libs/placement';
import type { MemberClusterInfo } from './member-cluster-directory.js';
import { CAPACITY_TTL_MS } from './observe.js';
import { desiredWork, writtenOffWork, type Work } from './work.js';
import { delayedFailovers, desiredReplicasOf, holdScaleDowns, isReplicaWork, type DelayedFailover, type HeldScaleDown } from './work-items.js';

/** Federation-wide settings the rules read. */
export interface DecideSettings {
  /** Failover delay (seconds) when the workload has no valid failover-delay annotation. */
  failoverDelaySeconds: number;
  /** How long (ms) after its apply a gaining cluster is waited for to run its replicas ready (make before break). */
  readyTimeoutMs: number;
}

/** What placement is decided from. */
export interface PlacementInput {
  object: FederatedObject;
  /** Every registered cluster, Ready or not. */
  clusters: readonly MemberClusterInfo[];
  /** The object's stored work items (at most one per cluster). */
  works: readonly Work[];
  settings: DecideSettings;
  /** The time the rules are evaluated at (ms since epoch). */
  nowMs: number;
}

/** Where each replica goes: the API's dry-run preview, failover's view of the delay, and reconcile's plan. */
export interface PlacementDecision {
  /** Selected by the placement (Ready or not), by name. */
  selected: MemberClusterInfo[];
  /** Ready, schedulable and selected (plus delayed failovers): the planner's candidates. */
  candidates: string[];
  /** Replica workloads only. */
  planInput?: PlanInput;
  planResult?: PlanResult;
  /** Clusters that get the object now, with their replicas (undefined: not a replica workload). */
  targets: { cluster: string; replicas?: number }[];
  /** NotReady clusters whose replicas stay planned during the failover delay or a gate hold (they are candidates). */
  delayed: DelayedFailover[];
  /** Clusters keeping replicas the plan moves away until the gaining clusters run them ready. */
  heldScaleDowns: HeldScaleDown[];
}

/** Rules 1–4: selection, delay and gate, planning, make before break. */
export function decidePlacement(input: PlacementInput): PlacementDecision {
  const { object: obj, works, settings, nowMs } = input;
  const selected = selectedClusters(obj, input.clusters);
  if (!schedulesReplicas(obj)) {
    const candidates = selected.filter((c) => c.ready && c.schedulable).map((c) => c.name);
    return { selected, candidates, targets: selected.map((c) => ({ cluster: c.name })), delayed: [], heldScaleDowns: [] };
  }
  const workMap = new Map(works.map((w) => [w.cluster, w]));
  const delayed = delayedFailovers(selected, workMap, failoverDelay(settings.failoverDelaySeconds, obj.metadata.annotations).seconds, nowMs);
  const delayedNames = new Set(delayed.map((d) => d.cluster));
  const candidates = selected.filter((c) => (c.ready && c.schedulable) || delayedNames.has(c.name)).map((c) => c.name);
  const current: Record<string, number> = {};
  const capacity: Record<string, number> = {};
  for (const w of works) {
    const o = w.observed;
    // A delayed cluster cannot be observed: what it was last asked to run counts.
    if (delayedNames.has(w.cluster)) current[w.cluster] = desiredReplicasOf(w);
    else if (w.appliedHash && o.specReplicas !== undefined) current[w.cluster] = o.specReplicas;
    if (o.capacity !== undefined && o.capacityAt !== undefined && nowMs - o.capacityAt < CAPACITY_TTL_MS) capacity[w.cluster] = o.capacity;
  }
  const planInput = planInputFor(obj, candidates, current, capacity);
  const planResult = plan(planInput);
  const explicit = obj.spec.replicaScheduling?.clusters !== undefined;
  const planned = candidates.map((c) => ({ cluster: c, replicas: (planResult.plan[c] ?? 0) + (planResult.overflow[c] ?? 0) }));
  const heldScaleDowns = holdScaleDowns(planned, workMap, settings.readyTimeoutMs, nowMs);
  const targets = planned.filter((t) => !explicit || t.replicas > 0);
  return { selected, candidates, planInput, planResult, targets, delayed, heldScaleDowns };
}

/** What the work items are decided from: placement's input plus what materialization needs. */
export interface DecideInput extends PlacementInput {
  /** The federation's owner id and whether a federated autoscaler targets the workload. */
  context: MaterializeContext;
}

/** A NotReady cluster whose replicas were re-planned elsewhere (rule 5). */
export interface WriteOff {
  cluster: string;
  /** What its item asked for before. */
  replicas: number;
  /** Its item, rewritten to ask for 0 (`observed.writtenOff` records the move). */
  work: Work;
}

/** The placement and, per cluster, the work item it should have. */
export interface Decision extends PlacementDecision {
  /**
   * One item per target, in target order: the stored one when its manifest is unchanged, else a Pending
   * item with the new manifest. The applier brings each member to it.
   */
  desired: Work[];
  /** Rule 5; their items are among `kept`. */
  writeOffs: WriteOff[];
  /** Stored items to remove from their members (rule 6). */
  obsolete: Work[];
  /** Stored items neither desired nor obsolete (selected NotReady clusters), after the write-offs. */
  kept: Work[];
}

/** Rules 1–6: the placement and the work items. Needs a stored object (`metadata.uid`). */
export function decide(input: DecideInput): Decision {
  const placement = decidePlacement(input);
  const { object: obj, works, context, nowMs } = input;
  const uid = obj.metadata.uid ?? '';
  const at = new Date(nowMs);
  const byName = new Map(input.clusters.map((c) => [c.name, c]));
  const stored = new Map(works.map((w) => [w.cluster, w]));
  const targets = new Set(placement.targets.map((t) => t.cluster));
  const selected = new Set(placement.selected.map((c) => c.name));

  const desired = placement.targets.map((target) => {
    const manifest = materialize(obj, byName.get(target.cluster)!, target.replicas, context);
    return desiredWork(stored.get(target.cluster), { objectUid: uid, cluster: target.cluster, manifest, hash: manifestHash(manifest) }, at);
  });

  const writeOffs: WriteOff[] = [];
  if (placement.planResult) {
    for (const w of works) {
      const cluster = byName.get(w.cluster);
      if (!cluster || cluster.ready || !cluster.schedulable || !selected.has(w.cluster) || targets.has(w.cluster)) continue;
      const replicas = desiredReplicasOf(w);
      if (!isReplicaWork(w) || replicas === 0) continue;
      const manifest = materialize(obj, cluster, 0, context);
      const since = new Date(cluster.notReadySince ?? nowMs).toISOString();
      writeOffs.push({ cluster: w.cluster, replicas, work: writtenOffWork(w, { manifest, hash: manifestHash(manifest), replicas, since }, at) });
    }
  }

  const isObsolete = (w: Work): boolean => {
    const cluster = byName.get(w.cluster);
    if (!cluster) return true; // unregistered: nothing to reach, forget it.
    if (!selected.has(w.cluster)) return true;
    return cluster.ready && cluster.schedulable;
  };
  const rest = works.filter((w) => !targets.has(w.cluster));
  const writtenOff = new Map(writeOffs.map((o) => [o.cluster, o.work]));
  return {
    ...placement,
    desired,
    writeOffs,
    obsolete: rest.filter(isObsolete),
    kept: rest.filter((w) => !isObsolete(w)).map((w) => writtenOff.get(w.cluster) ?? w),
  };
}
