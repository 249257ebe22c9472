import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '#libs/config';
import {
  failoverDelay,
  federatedObjectKey,
  schedulesReplicas,
  totalReplicasOf,
  type FederatedObject,
} from '#libs/federation';
import {
  FailoverMoveRepository,
  FederatedObjectRepository,
  FederationEventRepository,
  PropagationWorkRepository,
  type FailoverMoveRow,
  type OpenFailoverMove,
} from '#libs/persistence';
import {
  ReconcileService,
  desiredReplicasOf,
  isReplicaWork,
  toFederatedObject,
  toWork,
  writtenOffOf,
  type Work,
} from '#libs/propagation';
import { EventReason, EventType, FederationEventsService } from '#libs/events';
import { QueueName, QueueService } from '#libs/queues';
import {
  ClusterConditionType,
  ClustersService,
  ConditionStatus,
  type ClusterConditionTransition,
  type ClusterView,
} from '#libs/registry';
import { DnsPublishRequester } from './dns-publish.js';
import { clustersInZone, zonesDown } from './failover-decisions.js';
import { moveEvent, type MoveEventContext } from './move-events.js';
import {
  MoveState,
  advanceMove,
  heldDuringOutage,
  isFinal,
  moveKey,
  movesToOpen,
  nextDueAtMs,
  type Move,
  type MoveCluster,
  type MoveDelay,
  type MoveFacts,
  type MoveHold,
  type MoveWork,
} from './move.js';

/** Job names of the `failover` queue. */
export enum FailoverJob {
  /** Look at one workload's moves once and return; payload {@link CheckPayload}. */
  Check = 'check',
  /** Find what stored state says still needs a look (missed transitions, notifications or jobs). */
  Sweep = 'sweep',
}

/** Payload of a check job: ids only (coalesced per workload, so it carries no cluster). */
export interface CheckPayload {
  uid: string;
}

/** What one check did (returned to the processor, logs and tests). */
export interface CheckOutcome {
  uid: string;
  /** Moves opened by this check (`cluster@since`). */
  opened: string[];
  /** State changes this check stored. */
  changes: { cluster: string; since: string; from: MoveState; to: MoveState }[];
  /** When the next look without being told is due (ms since epoch). */
  nextDueAtMs?: number;
}

/** Margin after a due time before looking (propagation's own refresh lands 50 ms after a delay ends). */
const DUE_MARGIN_MS = 100;

/**
 * Failover reports what propagation does with the replicas of NotReady clusters, one stored move per
 * (workload, cluster, outage start) (`move.ts` is the state machine, `failover_moves` the table):
 *
 * - a health transition records the cluster and zone events, asks for the DNS publish and a `check` of
 *   every workload that held replicas there (or has a move there, when it returns);
 * - a `check` (coalesced per workload) reads the workload, its work items, the clusters and
 *   propagation's decision once, opens missing moves, advances each one as far as the facts allow,
 *   records what a person reads (`FailoverPending`, `ReplicasMoved`, `FailoverIncomplete`,
 *   `ClusterRecovered`) and returns; it never waits for members;
 * - convergence is noticed from propagation's reconcile notifications ({@link onReconciled}); the ready
 *   timeout and the end of a failover delay are delayed checks; the sweep covers what a dead process or a
 *   Redis that lost its data left behind.
 *
 * Nothing holds a connection or a lock between statements: a move is opened once (its key) and changed
 * once (version compare-and-set), and every report has a dedup key, recorded before the state that says
 * it was made, so two processes never report one move twice and a process that dies in between loses
 * nothing.
 */
@Injectable()
export class FailoverService {
  private readonly logger = new Logger('FailoverService');
  /** Workloads with open moves as this process last saw them: which reconcile notifications matter. */
  private openUids = new Set<string>();
  /** Serializes checks of one workload inside this process (a due check and a notified one may overlap). */
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(
    private readonly objects: FederatedObjectRepository,
    private readonly works: PropagationWorkRepository,
    private readonly moves: FailoverMoveRepository,
    private readonly registry: ClustersService,
    private readonly reconciler: ReconcileService,
    private readonly queues: QueueService,
    private readonly events: FederationEventsService,
    private readonly eventRows: FederationEventRepository,
    private readonly dns: DnsPublishRequester,
    private readonly config: AppConfig,
  ) {}

  /** Asks for a check of one workload now (coalesced per workload). */
  async requestCheck(uid: string): Promise<void> {
    await this.queues.enqueue<CheckPayload>(
      QueueName.Failover,
      FailoverJob.Check,
      { uid },
      { coalesceKey: uid, sooner: true },
    );
  }

  /**
   * Asks for a check at `dueAtMs` (a delay's end, a ready timeout). Coalesced under its own key, so a
   * check requested now (a notification) never replaces it and it never postpones one; the earliest
   * due time wins.
   */
  private async requestDueCheck(uid: string, dueAtMs: number): Promise<void> {
    const delayMs = Math.max(0, Math.ceil(dueAtMs - Date.now()) + DUE_MARGIN_MS);
    await this.queues.enqueue<CheckPayload>(
      QueueName.Failover,
      FailoverJob.Check,
      { uid },
      { coalesceKey: `${uid}@due`, delayMs, sooner: true },
    );
  }

  /**
   * A reconcile of `uid` recorded something (propagation's notification, in every process): a workload
   * with an open move gets a check; everything else is ignored without a query.
   */
  onReconciled(uid: string): void {
    if (!this.openUids.has(uid)) return;
    this.requestCheck(uid).catch((error: unknown) =>
      this.logger.warn({ uid, err: (error as Error).message }, 'cannot request a failover check'),
    );
  }

  /** Re-reads which workloads have open moves (every process, each sweep period). */
  async refreshOpen(): Promise<void> {
    this.openUids = new Set((await this.moves.listOpen()).map((m) => m.objectUid));
  }

  /** Reacts to one stored health transition: events, zone events, DNS publish, checks. */
  async onTransition(t: ClusterConditionTransition): Promise<void> {
    if (t.condition !== ClusterConditionType.Ready || t.from === ConditionStatus.Unknown) return;
    if (t.to !== ConditionStatus.False && t.to !== ConditionStatus.True) return;
    const down = t.to === ConditionStatus.False;
    const clusters = (await this.registry.views()).map((c) => ({ name: c.name, ready: c.ready, zones: c.zones }));
    const me = clusters.find((c) => c.name === t.cluster);
    await this.events.record({
      type: down ? EventType.Warning : EventType.Normal,
      reason: down ? EventReason.ClusterNotReady : EventReason.ClusterReady,
      object: `Cluster/${t.cluster}`,
      message: down ? `cluster ${t.cluster} NotReady (${t.reason}: ${t.message})` : `cluster ${t.cluster} Ready again`,
      dedupKey: `cluster-${down ? 'notready' : 'ready'}:${t.cluster}:${t.time}`,
      details: { cluster: t.cluster, reason: t.reason },
      time: new Date(t.time),
    });
    const downZones = new Set(zonesDown(clusters));
    for (const zone of me?.zones ?? []) {
      const members = clustersInZone(clusters, zone);
      if (down && downZones.has(zone)) {
        await this.events.record({
          type: EventType.Warning,
          reason: EventReason.ZoneDown,
          object: `Zone/${zone}`,
          message: `zone ${zone} down: every cluster in it is NotReady (${members.join(', ')})`,
          dedupKey: `zone-down:${zone}:${t.time}`,
          details: { zone, clusters: members },
          time: new Date(t.time),
        });
      }
      // The zone was down when its latest zone event is ZoneDown. Keyed on that event, so clusters of the
      // zone turning Ready at the same moment record exactly one ZoneUp (not one each, and not none).
      const [lastZoneEvent] = down ? [] : await this.eventRows.find({ object: `Zone/${zone}`, limit: 1 });
      if (lastZoneEvent?.reason === EventReason.ZoneDown) {
        await this.events.record({
          type: EventType.Normal,
          reason: EventReason.ZoneUp,
          object: `Zone/${zone}`,
          message: `zone ${zone} up again (${t.cluster} Ready)`,
          dedupKey: `zone-up:${zone}:${lastZoneEvent.id}`,
          details: { zone, clusters: members },
          time: new Date(t.time),
        });
      }
    }
    await this.publishDns(t.cluster, down, t.time);

    // Down: every workload that held replicas there (the check opens its move). Up: every workload with
    // a move there. At once, also with a failover delay: the check records that it waits.
    const uids = new Set<string>();
    if (down) {
      for (const w of await this.works.listForCluster(t.cluster)) {
        if (!isReplicaWork(w) || (desiredReplicasOf(w) === 0 && !writtenOffOf(w))) continue;
        uids.add(w.objectUid);
      }
    } else {
      for (const uid of await this.moves.openUidsOnCluster(t.cluster)) uids.add(uid);
    }
    for (const uid of uids) {
      this.openUids.add(uid);
      await this.requestCheck(uid);
    }
    if (uids.size)
      this.logger.log(
        { cluster: t.cluster, workloads: uids.size, to: t.to },
        down ? 'failover checks requested' : 'recovery checks requested',
      );
  }

  /**
   * Re-derives what needs a look from stored state (a transition seen by a process that died before it
   * enqueued anything, a lost notification, a Redis that lost its jobs): outages whose workloads have no
   * move yet, and open moves that may have something to do. Also refreshes {@link openUids}. Only
   * enqueues; returns how many workloads it asked about.
   */
  async sweep(nowMs = Date.now()): Promise<number> {
    const views = await this.registry.views();
    const uids = new Set<string>();
    for (const c of views) {
      if (c.readiness !== ConditionStatus.False || c.readinessSinceMs <= 0) continue;
      const held = (await this.works.listForCluster(c.name))
        .filter((w) => heldDuringOutage(moveWorkOf(toWork(w)), c.readinessSinceMs) > 0)
        .map((w) => w.objectUid);
      const missing = await this.moves.withoutMove(c.name, new Date(c.readinessSinceMs), held);
      // Workloads being deleted need no move.
      for (const row of await this.objects.findByUids(missing)) if (!row.deletingAt) uids.add(row.uid);
    }
    const byName = new Map(views.map((v) => [v.name, v]));
    const open = await this.moves.listOpen();
    this.openUids = new Set(open.map((m) => m.objectUid));
    for (const m of open) if (needsLook(m, byName.get(m.cluster), nowMs)) uids.add(m.objectUid);
    for (const uid of uids) {
      this.openUids.add(uid);
      await this.requestCheck(uid);
    }
    return uids.size;
  }

  /** The check job: one look at one workload's moves (serialized per workload inside this process). */
  async check(uid: string): Promise<CheckOutcome> {
    const previous = this.running.get(uid);
    const run = (async () => {
      await previous?.catch(() => undefined);
      return this.checkNow(uid);
    })();
    this.running.set(uid, run);
    try {
      return await run;
    } finally {
      if (this.running.get(uid) === run) this.running.delete(uid);
    }
  }

  private async checkNow(uid: string, nowMs = Date.now()): Promise<CheckOutcome> {
    const outcome: CheckOutcome = { uid, opened: [], changes: [] };
    const [stored, views, openRows] = await Promise.all([
      this.objects.findWithWorks(uid),
      this.registry.views(),
      this.moves.openFor(uid),
    ]);
    const row = stored?.object;
    const obj = row && !row.deletingAt ? toFederatedObject(row) : undefined;
    const workload = obj && schedulesReplicas(obj) ? obj : undefined;
    const works = (stored?.works ?? []).map(toWork);
    const clusters = new Map<string, MoveCluster>(
      views.map((v) => [v.name, { ready: v.ready, sinceMs: v.readinessSinceMs }]),
    );
    const moveWorks = new Map<string, MoveWork>(works.filter(isReplicaWork).map((w) => [w.cluster, moveWorkOf(w)]));

    let rows = openRows;
    if (workload) {
      // Only clusters whose readiness is known to be False can be in an outage.
      const failed = new Map(
        [...clusters].filter(([name]) => views.find((v) => v.name === name)?.readiness === ConditionStatus.False),
      );
      const fresh = movesToOpen(
        uid,
        failed,
        moveWorks,
        new Set(rows.map((r) => moveKey(r.cluster, r.since.getTime()))),
      );
      const object = federatedObjectKey(workload);
      if (
        fresh.length &&
        (await this.moves.open(
          fresh.map((m) => ({
            objectUid: uid,
            cluster: m.cluster,
            since: new Date(m.sinceMs),
            object,
            state: m.state,
            replicas: m.replicas,
          })),
        ))
      ) {
        outcome.opened = fresh.map((m) => moveKey(m.cluster, m.sinceMs));
        rows = await this.moves.openFor(uid);
      }
    }
    if (!rows.length) {
      this.openUids.delete(uid);
      return outcome;
    }
    this.openUids.add(uid);

    // When replicas may leave is propagation's decision (the workload's delay and the failover gate): ask it.
    const delayed = new Map<string, MoveDelay>();
    if (workload)
      for (const d of (await this.reconciler.decide(workload, stored!.works)).delayed)
        delayed.set(d.cluster, { dueAtMs: d.dueAtMs, gate: d.hold !== undefined });
    const facts: MoveFacts = {
      nowMs,
      ...(workload
        ? {
            workload: {
              total: totalReplicasOf(workload),
              rebalance: workload.spec.replicaScheduling?.rebalance === true,
            },
          }
        : {}),
      clusters,
      works: moveWorks,
      delayed,
      readyTimeoutMs: this.config.failover.readyTimeoutSeconds * 1000,
    };
    const ctx = workload ? this.eventContext(workload) : undefined;
    const after: Move[] = [];
    let reconcile = false;
    for (const r of rows) {
      const move = toMove(r);
      const step = advanceMove(move, facts);
      after.push(step.move);
      if (sameMove(move, step.move)) continue;
      // Reports first (each lands once, by its dedup key), then the state that says they were made: a
      // process dying in between leaves the state to be advanced again, and the reports are not repeated.
      for (const report of step.reports) if (ctx) await this.events.record(moveEvent(step.move, report, ctx));
      const m = step.move;
      const applied = await this.moves.advance({ objectUid: uid, cluster: r.cluster, since: r.since }, r.version, {
        state: m.state,
        replicas: m.replicas,
        hold: m.hold ?? null,
        dueAt: m.dueAtMs !== undefined ? new Date(m.dueAtMs) : null,
        note: m.note ?? null,
        closed: isFinal(m.state),
      });
      if (!applied) continue; // another process advanced it first (from the same or newer facts)
      reconcile ||= step.reconcile;
      const since = r.since.toISOString();
      outcome.changes.push({ cluster: r.cluster, since, from: move.state, to: m.state });
      this.logger.log(
        {
          resource: r.object,
          cluster: r.cluster,
          since,
          from: move.state,
          to: m.state,
          ...(m.note ? { note: m.note } : {}),
        },
        'failover move',
      );
    }
    // A move that starts moving or returning: make sure propagation re-plans now (coalesced with the
    // re-plan the transition already asked for).
    if (reconcile) await this.reconciler.requestReconcile(uid);
    const due = nextDueAtMs(after);
    if (due !== undefined) {
      outcome.nextDueAtMs = due;
      await this.requestDueCheck(uid, due);
    }
    if (after.every((m) => isFinal(m.state))) this.openUids.delete(uid);
    return outcome;
  }

  private eventContext(obj: FederatedObject): MoveEventContext {
    return {
      object: federatedObjectKey(obj),
      name: obj.metadata.name,
      delay: failoverDelay(this.config.failover.delaySeconds, obj.metadata.annotations),
      readyTimeoutSeconds: this.config.failover.readyTimeoutSeconds,
      dnsConfigured: this.dns.configured,
    };
  }

  private async publishDns(cluster: string, down: boolean, time: string): Promise<void> {
    let requested = false;
    try {
      requested = await this.dns.requestPublish(`cluster ${cluster} ${down ? 'NotReady' : 'Ready'}`);
    } catch (error) {
      this.logger.warn({ cluster, err: (error as Error).message }, 'cannot request a DNS publish');
    }
    if (!requested) return;
    await this.events.record({
      type: EventType.Normal,
      reason: down ? EventReason.DnsWithdrawn : EventReason.DnsRestored,
      object: `Cluster/${cluster}`,
      message: down
        ? `DNS publish requested: endpoints of ${cluster} withdrawn`
        : `DNS publish requested: endpoints of ${cluster} restored`,
      dedupKey: `dns-${down ? 'withdraw' : 'restore'}:${cluster}:${time}`,
      details: { cluster },
    });
  }
}

/** A work item as a move reads it. */
function moveWorkOf(w: Work): MoveWork {
  const off = writtenOffOf(w);
  return {
    desired: desiredReplicasOf(w),
    applied: w.state === 'Applied' && w.appliedHash === w.hash,
    readyReplicas: w.observed.readyReplicas ?? 0,
    ...(off ? { writtenOff: { replicas: off.replicas, sinceMs: Date.parse(off.since) } } : {}),
  };
}

function toMove(r: FailoverMoveRow): Move {
  return {
    uid: r.objectUid,
    cluster: r.cluster,
    sinceMs: r.since.getTime(),
    state: r.state as MoveState,
    replicas: r.replicas,
    ...(r.hold ? { hold: r.hold as MoveHold } : {}),
    ...(r.dueAt ? { dueAtMs: r.dueAt.getTime() } : {}),
    ...(r.note ? { note: r.note } : {}),
  };
}

function sameMove(a: Move, b: Move): boolean {
  return (
    a.state === b.state &&
    a.replicas === b.replicas &&
    a.hold === b.hold &&
    a.dueAtMs === b.dueAtMs &&
    a.note === b.note
  );
}

/**
 * Whether the sweep should ask about an open move: its workload is gone, its cluster unregistered, it
 * may be converging (Moving, Incomplete, Returning), it waits for the gate, its delay is over, or it is
 * Moved and its cluster came back or failed again.
 */
function needsLook(m: OpenFailoverMove, cluster: ClusterView | undefined, nowMs: number): boolean {
  if (m.objectGone || !cluster) return true;
  switch (m.state as MoveState) {
    case MoveState.Moved:
      return cluster.ready || cluster.readinessSinceMs !== m.since.getTime();
    case MoveState.Pending:
      return !(m.hold === 'delay' && m.dueAt && m.dueAt.getTime() > nowMs);
    default:
      return true;
  }
}
