/**
 * Reading stored work items (one per federated object × cluster) and the two placement rules that depend
 * on what members run rather than on the planner alone. Pure: callers pass the clock.
 *
 * - **Failover delay.** A NotReady cluster keeps its planned replicas until the workload's failover delay
 *   has passed (the planner still counts it), so a short blip moves nothing.
 * - **Make before break.** When a re-plan moves replicas between clusters (one gains, another loses), the
 *   losing clusters keep their count until every cluster at or above its plan reports its replicas ready,
 *   so the workload never runs fewer ready replicas than desired because of the move. A cluster that has
 *   not become ready within the ready timeout of its last apply stops holding the others back.
 */
import type { MemberClusterInfo } from './member-cluster-directory.js';
import type { Work } from './work.js';
import { parseWrittenOff } from './work.mapper.js';

/**
 * The readers below take a {@link Work} or a stored row (`PropagationWorkEntity`, whose jsonb columns are
 * untyped): failover reads rows.
 */
type ManifestOf = { readonly manifest: object };

/** Replicas a work item asks for: its materialized manifest's `spec.replicas` (0 when none). */
export function desiredReplicasOf(work: ManifestOf): number {
  const spec = 'spec' in work.manifest ? work.manifest.spec : undefined;
  const replicas = typeof spec === 'object' && spec !== null && 'replicas' in spec ? spec.replicas : undefined;
  return typeof replicas === 'number' ? replicas : 0;
}

/** Whether the work item carries a Deployment or ReplicaSet. */
export function isReplicaWork(work: ManifestOf): boolean {
  const kind = 'kind' in work.manifest ? work.manifest.kind : undefined;
  return kind === 'Deployment' || kind === 'ReplicaSet';
}

/**
 * Replicas of a NotReady cluster re-planned elsewhere: its work item was rewritten to ask for 0 and
 * remembers how many it asked for before, and since when the cluster was NotReady (ISO time).
 */
export interface WrittenOff {
  replicas: number;
  since: string;
}

/** The write-off recorded on a work item, if its cluster's replicas were re-planned elsewhere. */
export function writtenOffOf(work: { readonly observed: object }): WrittenOff | undefined {
  return parseWrittenOff('writtenOff' in work.observed ? work.observed.writtenOff : undefined);
}

/** A NotReady cluster whose replicas stay planned: during the failover delay, or held by the failover gate. */
export interface DelayedFailover {
  cluster: string;
  /** Milliseconds until its replicas are re-planned (until the next look, while held with no end). */
  dueInMs: number;
  /** When that is (ms since epoch); Infinity while the gate holds with no end in sight. */
  dueAtMs: number;
  /** Set when the failover gate (not the workload's delay) holds the replicas there. */
  hold?: { reason: string; message: string };
  /** What the work item's status says meanwhile. */
  note: string;
}

/** How often a write-off held with no end in sight is looked at again (transitions also re-plan). */
export const HELD_RECHECK_MS = 5_000;

/**
 * NotReady, schedulable clusters that still hold replicas of the workload and must keep them at `nowMs`:
 * their failover delay (`delaySeconds`, counted from the gate's clock, else from `notReadySince`) has
 * not passed, or the failover gate does not let them go yet (`writeOff`: a disruption, a rate-limit slot,
 * a recovery grace).
 */
export function delayedFailovers(
  selected: readonly MemberClusterInfo[],
  works: ReadonlyMap<string, Work>,
  delaySeconds: number,
  nowMs: number,
): DelayedFailover[] {
  const out: DelayedFailover[] = [];
  for (const c of selected) {
    if (c.ready || !c.schedulable) continue;
    const work = works.get(c.name);
    if (!work || desiredReplicasOf(work) === 0) continue;
    const gate = c.writeOff;
    if (!gate && (delaySeconds <= 0 || c.notReadySince === undefined)) continue;
    const byDelay = (gate?.clockMs ?? c.notReadySince!) + delaySeconds * 1000;
    const dueAtMs = gate ? (gate.atMs === undefined ? Infinity : Math.max(byDelay, gate.atMs)) : byDelay;
    if (dueAtMs <= nowMs) continue;
    const heldByGate = gate?.hold !== undefined && (gate.atMs === undefined || gate.atMs >= byDelay);
    const note = heldByGate
      ? `cluster is NotReady; its replicas stay planned there: ${gate!.hold!.message}`
      : `cluster is NotReady; its replicas stay planned there until the failover delay ends (${new Date(dueAtMs).toISOString()})`;
    out.push({
      cluster: c.name,
      dueInMs: dueAtMs === Infinity ? HELD_RECHECK_MS : dueAtMs - nowMs,
      dueAtMs,
      ...(heldByGate ? { hold: gate!.hold! } : {}),
      note,
    });
  }
  return out;
}

/** A cluster whose scale-down waits (make before break). */
export interface HeldScaleDown {
  cluster: string;
  /** What it keeps running meanwhile (its current desired count). */
  keeps: number;
  /** What the plan gives it once the gaining clusters are ready. */
  planned: number;
}

/**
 * Applies make-before-break to `targets` (cluster → planned replicas, mutated: held clusters get their
 * current count back) and returns the held scale-downs. `current` is each cluster's stored desired count;
 * readiness comes from the work items' observations.
 */
export function holdScaleDowns(
  targets: { cluster: string; replicas: number }[],
  works: ReadonlyMap<string, Work>,
  readyTimeoutMs: number,
  nowMs: number,
): HeldScaleDown[] {
  const current = (cluster: string) => {
    const w = works.get(cluster);
    return w ? desiredReplicasOf(w) : 0;
  };
  const losing = targets.filter((t) => t.replicas < current(t.cluster));
  if (losing.length === 0) return [];
  // Is every other cluster running its planned replicas, ready? One that was applied at its plan longer
  // than the ready timeout ago is not waited for: a plain scale-down next to a cluster that has been
  // unready for a while goes ahead at once.
  const waitingFor = targets.filter((t) => {
    if (t.replicas === 0 || t.replicas < current(t.cluster)) return false;
    const w = works.get(t.cluster);
    if (!w) return true;
    const appliedAtPlan = desiredReplicasOf(w) === t.replicas && w.state === 'Applied' && w.appliedHash === w.hash;
    if (!appliedAtPlan) return true;
    if ((w.observed.readyReplicas ?? 0) >= t.replicas) return false;
    return w.appliedAt !== null && nowMs - new Date(w.appliedAt).getTime() < readyTimeoutMs;
  });
  if (waitingFor.length === 0) return [];
  return losing.map((t) => {
    const held = { cluster: t.cluster, keeps: current(t.cluster), planned: t.replicas };
    t.replicas = held.keeps;
    return held;
  });
}
