/**
 * The failover move: what happens to one workload's replicas on one cluster during one outage, keyed by
 * (workload uid, cluster, outage start). Pure: no Nest, no I/O, no clock (callers pass `nowMs`).
 *
 * Propagation owns the plan (`ReconcileService.decide()`: the failover delay, the failover gate, the
 * write-off); a move only follows what propagation did and says when to report it:
 *
 * | from                 | when                                                              | to         | report              |
 * |----------------------|-------------------------------------------------------------------|------------|---------------------|
 * | (none)               | a NotReady cluster holds replicas of the workload                  | Pending    |                     |
 * | Pending              | the plan keeps the replicas there for the workload's delay          | Pending    | `pending` (once)    |
 * | Pending              | the plan keeps them there because the failover gate holds them      | Pending    |                     |
 * | Pending              | the plan no longer keeps them there (re-planned onto survivors)     | Moving     |                     |
 * | Moving or Incomplete | the survivors run the plan, ready ({@link convergenceOf})          | Moved      | `moved`             |
 * | Moving               | not converged `readyTimeoutMs` after it started moving             | Incomplete | `incomplete` (once) |
 * | Moving, Incomplete, Moved | the cluster is Ready again                                    | Returning  |                     |
 * | Returning            | the plan over the Ready clusters is applied (the returned cluster's item included), sums to the total and is ready | Recovered | `recovered` |
 * | Pending              | the cluster is Ready again before anything moved                    | Cancelled  |                     |
 * | any open state       | the cluster failed again (a newer outage) or was unregistered       | Cancelled  |                     |
 * | any open state       | the workload was deleted or no longer schedules replicas            | Cancelled  |                     |
 *
 * One call of {@link advanceMove} goes as far as the facts allow (a check that finds the survivors
 * already converged goes Pending → Moving → Moved at once), so reports come out in order. Recovered and
 * Cancelled are final. A newer outage of the same cluster is a new move; the old one is cancelled, never
 * reported twice.
 */
import type { ReplicaCounts } from './failover-decisions.js';

/** States of a move (stored as these strings). */
export enum MoveState {
  /** The cluster is NotReady; propagation keeps its replicas there (failover delay or gate). */
  Pending = 'Pending',
  /** Propagation re-planned them onto the survivors; waiting until those run them ready. */
  Moving = 'Moving',
  /** Reported (`ReplicasMoved`); waiting for the cluster to come back. */
  Moved = 'Moved',
  /** The survivors did not converge within the ready timeout (`FailoverIncomplete`); still watched. */
  Incomplete = 'Incomplete',
  /** The cluster is Ready again; waiting until the plan over the Ready clusters has converged. */
  Returning = 'Returning',
  /** Reported (`ClusterRecovered`). Final. */
  Recovered = 'Recovered',
  /** Closed without a report (nothing moved, the workload is gone, or a newer outage took over). Final. */
  Cancelled = 'Cancelled',
}

/** States that still wait for something. */
export const OPEN_MOVE_STATES: readonly MoveState[] = [
  MoveState.Pending,
  MoveState.Moving,
  MoveState.Moved,
  MoveState.Incomplete,
  MoveState.Returning,
];

/** Whether a move in `state` is closed for good. */
export function isFinal(state: MoveState): boolean {
  return state === MoveState.Recovered || state === MoveState.Cancelled;
}

/** Why a Pending move waits: the workload's failover delay, or the failover gate. */
export type MoveHold = 'delay' | 'gate';

/** One move as stored. */
export interface Move {
  uid: string;
  cluster: string;
  /** Outage start: when the cluster left Ready (ms since epoch). Part of the key. */
  sinceMs: number;
  state: MoveState;
  /** Replicas the cluster held for the workload when it failed (what moves). */
  replicas: number;
  /** Pending only: what keeps the replicas there. */
  hold?: MoveHold;
  /**
   * When to look again without being told (ms since epoch): Pending — when the delay ends; Moving — when
   * the ready timeout runs out. Unset otherwise.
   */
  dueAtMs?: number;
  /** Why a move was cancelled, in words. */
  note?: string;
}

/** A member cluster as a move needs it. */
export interface MoveCluster {
  ready: boolean;
  /** When the Ready condition last changed (ms since epoch). */
  sinceMs: number;
}

/** A work item as a move needs it (read from propagation's stored item). */
export interface MoveWork {
  /** Replicas the item asks for. */
  desired: number;
  /** The member runs this item's manifest (state Applied at the current hash). */
  applied: boolean;
  /** Ready replicas the member reported last. */
  readyReplicas: number;
  /** Propagation's write-off record: the replicas re-planned elsewhere and the outage they left in. */
  writtenOff?: { replicas: number; sinceMs: number };
}

/** A NotReady cluster whose replicas propagation keeps planned there now (`decide().delayed`). */
export interface MoveDelay {
  /** When the replicas may leave (ms since epoch); Infinity while the gate holds with no end in sight. */
  dueAtMs: number;
  /** The failover gate holds them (not the workload's delay). */
  gate: boolean;
}

/** Everything a move is advanced from: one workload, now. */
export interface MoveFacts {
  nowMs: number;
  /** Undefined: deleted, being deleted, or no longer a replica workload. */
  workload?: { total: number; rebalance: boolean };
  /** Every registered cluster by name. */
  clusters: ReadonlyMap<string, MoveCluster>;
  /** The workload's work items by cluster. */
  works: ReadonlyMap<string, MoveWork>;
  /** NotReady clusters whose replicas stay planned (failover delay or gate), by name. */
  delayed: ReadonlyMap<string, MoveDelay>;
  /** `UBERNETES_FAILOVER_READY_TIMEOUT_SECONDS` in ms: how long Moving waits before Incomplete. */
  readyTimeoutMs: number;
}

/** What a person is told; the service turns it into an event (`move-events.ts`). */
export type MoveReport =
  | { kind: 'pending'; replicas: number }
  | { kind: 'moved'; replicas: number; after: ReplicaCounts; total: number }
  | { kind: 'incomplete'; ready: number; total: number }
  | { kind: 'recovered'; counts: ReplicaCounts; rebalance: boolean };

/** The result of {@link advanceMove}. */
export interface MoveStep {
  move: Move;
  /** In the order they happened. */
  reports: MoveReport[];
  /** Ask propagation for a reconcile (the move started moving or returning): coalesced, harmless. */
  reconcile: boolean;
}

/**
 * Replicas a work item holds on a cluster that is NotReady since `sinceMs`: what it asks for, or, once
 * propagation wrote them off during this outage, what it asked for before (0: nothing there).
 */
export function heldDuringOutage(work: MoveWork | undefined, sinceMs: number): number {
  if (!work) return 0;
  if (work.desired > 0) return work.desired;
  return work.writtenOff?.sinceMs === sinceMs ? work.writtenOff.replicas : 0;
}

/**
 * The moves a workload should have and does not: one per NotReady cluster (readiness known, outage start
 * known) on which it holds replicas during this outage. `existing` holds `cluster@sinceMs` keys.
 */
export function movesToOpen(
  uid: string,
  clusters: ReadonlyMap<string, MoveCluster>,
  works: ReadonlyMap<string, MoveWork>,
  existing: ReadonlySet<string>,
): Move[] {
  const out: Move[] = [];
  for (const [name, c] of clusters) {
    if (c.ready || c.sinceMs <= 0 || existing.has(moveKey(name, c.sinceMs))) continue;
    const replicas = heldDuringOutage(works.get(name), c.sinceMs);
    if (replicas > 0) out.push({ uid, cluster: name, sinceMs: c.sinceMs, state: MoveState.Pending, replicas });
  }
  return out.sort((a, b) => (a.cluster < b.cluster ? -1 : 1));
}

/** `cluster@sinceMs`: a move's key within one workload. */
export function moveKey(cluster: string, sinceMs: number): string {
  return `${cluster}@${sinceMs}`;
}

/** How far the workload's plan over the Ready clusters is from done. */
export interface Convergence {
  converged: boolean;
  /** Ready replicas on the Ready clusters (each counted up to what its item asks for). */
  ready: number;
  /** What the Ready clusters must run: the total minus what delayed NotReady clusters keep planned. */
  total: number;
  /** Desired replicas per Ready cluster. */
  counts: ReplicaCounts;
}

/**
 * Whether the plan over the Ready clusters has converged: every Ready cluster's item applied at its
 * current hash (a returned cluster's too: its first reconcile has run), desired replicas summing to exactly the total
 * (more means a make-before-break move is still under way, less that a write-off has not happened yet)
 * and that many ready. Replicas the plan keeps on delayed NotReady clusters (another cluster's failover
 * delay or gate hold) are not the survivors' to run.
 */
export function convergenceOf(facts: MoveFacts): Convergence {
  const totalReplicas = facts.workload?.total ?? 0;
  let kept = 0;
  for (const name of facts.delayed.keys()) kept += facts.works.get(name)?.desired ?? 0;
  const total = Math.max(0, totalReplicas - kept);
  const counts: ReplicaCounts = {};
  let applied = true;
  let desired = 0;
  let ready = 0;
  for (const [name, c] of facts.clusters) {
    if (!c.ready) continue;
    const w = facts.works.get(name);
    if (!w) continue;
    counts[name] = w.desired;
    applied &&= w.applied;
    desired += w.desired;
    ready += Math.min(w.desired, w.readyReplicas);
  }
  return { converged: applied && desired === total && ready >= total, ready, total, counts };
}

/**
 * Advances one move as far as `facts` allow (see the table in the file comment). Never changes `move`;
 * a final move comes back unchanged.
 */
export function advanceMove(move: Move, facts: MoveFacts): MoveStep {
  const reports: MoveReport[] = [];
  let reconcile = false;
  let m: Move = { ...move };
  const cancel = (note: string): MoveStep => ({ move: close(m, MoveState.Cancelled, note), reports, reconcile });
  if (isFinal(m.state)) return { move: m, reports, reconcile };
  if (!facts.workload) return cancel('workload deleted or no longer schedules replicas');
  const cluster = facts.clusters.get(m.cluster);
  if (!cluster) return cancel('cluster unregistered');
  const returned = cluster.ready && cluster.sinceMs >= m.sinceMs;
  const failedAgain = !cluster.ready && cluster.sinceMs > m.sinceMs;
  const work = facts.works.get(m.cluster);

  if (m.state === MoveState.Pending) {
    if (returned || failedAgain) return cancel('cluster Ready again before its replicas moved');
    const held = heldDuringOutage(work, m.sinceMs);
    if (held === 0) return cancel('the workload no longer holds replicas there');
    const delay = facts.delayed.get(m.cluster);
    if (delay) {
      const hold: MoveHold = delay.gate ? 'gate' : 'delay';
      if (hold === 'delay' && m.hold !== 'delay') reports.push({ kind: 'pending', replicas: held });
      const { dueAtMs: _due, ...rest } = m;
      m = { ...rest, replicas: held, hold, ...(Number.isFinite(delay.dueAtMs) ? { dueAtMs: delay.dueAtMs } : {}) };
      return { move: m, reports, reconcile };
    }
    const { hold: _hold, ...rest } = m;
    m = { ...rest, state: MoveState.Moving, replicas: held, dueAtMs: facts.nowMs + facts.readyTimeoutMs };
    reconcile = true;
  }

  if (m.state === MoveState.Moving || m.state === MoveState.Incomplete || m.state === MoveState.Moved) {
    if (failedAgain) return cancel('cluster NotReady again (a newer outage) before its recovery');
    if (returned) {
      m = withoutDue({ ...m, state: MoveState.Returning });
      reconcile = true;
    } else if (m.state !== MoveState.Moved) {
      const c = convergenceOf(facts);
      // What moved is propagation's record of this outage's write-off, when it has one.
      const moved = work?.writtenOff?.sinceMs === m.sinceMs ? work.writtenOff.replicas : m.replicas;
      if (c.converged) {
        reports.push({ kind: 'moved', replicas: moved, after: c.counts, total: facts.workload.total });
        m = withoutDue({ ...m, state: MoveState.Moved, replicas: moved });
      } else if (m.state === MoveState.Moving && m.dueAtMs !== undefined && facts.nowMs >= m.dueAtMs) {
        reports.push({ kind: 'incomplete', ready: c.ready, total: c.total });
        m = withoutDue({ ...m, state: MoveState.Incomplete });
      }
    }
  }

  if (m.state === MoveState.Returning) {
    if (failedAgain) return cancel('cluster NotReady again (a newer outage) before its recovery converged');
    const c = convergenceOf(facts);
    if (cluster.ready && c.converged) {
      reports.push({ kind: 'recovered', counts: c.counts, rebalance: facts.workload.rebalance });
      m = close(m, MoveState.Recovered);
    }
  }
  return { move: m, reports, reconcile };
}

function withoutDue(m: Move): Move {
  const { dueAtMs: _due, ...rest } = m;
  return rest;
}

function close(m: Move, state: MoveState.Recovered | MoveState.Cancelled, note?: string): Move {
  const { dueAtMs: _due, hold: _hold, note: _note, ...rest } = m;
  return { ...rest, state, ...(note ? { note } : {}) };
}

/** The earliest time any of `moves` wants to be looked at again without being told (undefined: none). */
export function nextDueAtMs(moves: readonly Move[]): number | undefined {
  const due = moves.filter((m) => !isFinal(m.state) && m.dueAtMs !== undefined).map((m) => m.dueAtMs!);
  return due.length ? Math.min(...due) : undefined;
}
