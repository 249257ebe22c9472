import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '#libs/config';
import { failoverDelay, federatedObjectKey, schedulesReplicas, totalReplicasOf, type FederatedObject } from '#libs/federation';
import {
  FederatedObjectRepository,
  FederationEventRepository,
  PropagationWorkRepository,
  WorkloadLocks,
  type FederatedObjectEntity,
  type PropagationWorkEntity,
} from '#libs/persistence';
import { ReconcileService, desiredReplicasOf, isReplicaWork, toFederatedObject, writtenOffOf, type Observed } from '#libs/propagation';
import { EventReason, EventType, FederationEventsService } from '#libs/events';
import { QueueName, QueueService } from '#libs/queues';
import { ClusterConditionType, ClustersService, ConditionStatus, type ClusterConditionTransition } from '#libs/registry';
import { DnsPublishRequester } from './dns-publish.js';
import { clustersInZone, describeMove, zonesDown, type FailoverCluster, type ReplicaCounts } from './failover-decisions.js';

/** Job names of the `failover` queue. */
export enum FailoverJob {
  /** Bring one workload in line with cluster health (failover and recovery steps); payload {@link RebalancePayload}. */
  Rebalance = 'rebalance',
  /** Find workloads whose stored state still needs a failover or recovery step (missed transitions). */
  Sweep = 'sweep',
}

/** Payload of a rebalance job: ids only (coalesced per workload, so it carries no cluster). */
export interface RebalancePayload {
  uid: string;
}

/** What one rebalance job did (returned to the processor, logs and tests). */
export interface RebalanceOutcome {
  uid: string;
  locked: boolean;
  failedOver: string[];
  recovered: string[];
  /** Clusters whose failover waits for the delay (the job was re-queued). */
  waiting: string[];
}

/** Raised when another process holds the workload's lock: the job is retried with backoff. */
export class WorkloadBusyError extends Error {}

interface ClusterInfo extends FailoverCluster {
  labels: Record<string, string>;
  /** When Ready last changed (ms since epoch). */
  readySinceMs: number;
}

const POLL_MS = 250;

/**
 * Replicas a work item held on a cluster that is NotReady since `sinceMs`: what it asks for, or, once
 * propagation re-planned them elsewhere during this outage, what it asked for before (0: nothing there).
 */
function heldDuringOutage(w: PropagationWorkEntity, sinceMs: number): number {
  if (!isReplicaWork(w)) return 0;
  const desired = desiredReplicasOf(w);
  if (desired > 0) return desired;
  const off = writtenOffOf(w);
  return off && Date.parse(off.since) === sinceMs ? off.replicas : 0;
}

/**
 * Failover and recovery of federated workloads, driven by stored state so every step is idempotent:
 *
 * - NotReady: after the workload's delay, make sure the workload is re-planned without the cluster
 *   (propagation's reconcile, which also stores 0 as the lost cluster's desired count so that, when it
 *   returns, its first reconcile brings its stale objects to the current plan instead of adding their
 *   old replicas), wait until the survivors run the replacements, and record
 *   "cluster X NotReady → web: N replicas moved to …".
 * - Ready again: reconcile at once (the stored desired state is applied first) and record where the
 *   replicas are (`rebalance: false`: they stay; `true`: the planner moves them back).
 * - One workload at a time across processes (PostgreSQL advisory lock per workload; BullMQ coalescing
 *   keeps one running and one pending job per workload). A worker killed mid-job leaves the stored state
 *   of some step; the retried job reads it and continues.
 */
@Injectable()
export class FailoverService implements BeforeApplicationShutdown {
  /**
   * Aborted when the process shuts down: a rebalance waiting for members to converge gives its job back
   * (it fails as transient and is retried by any worker from stored state) instead of holding the
   * graceful shutdown for up to the ready timeout.
   */
  private readonly shutdown = new AbortController();

  private readonly logger = new Logger('FailoverService');

  constructor(
    private readonly objects: FederatedObjectRepository,
    private readonly works: PropagationWorkRepository,
    private readonly registry: ClustersService,
    private readonly reconciler: ReconcileService,
    private readonly queues: QueueService,
    private readonly events: FederationEventsService,
    private readonly eventRows: FederationEventRepository,
    private readonly dns: DnsPublishRequester,
    private readonly locks: WorkloadLocks,
    private readonly config: AppConfig,
  ) {}

  /** Asks for a rebalance of one workload (coalesced per workload). */
  async requestRebalance(uid: string, delayMs = 0): Promise<void> {
    await this.queues.enqueue<RebalancePayload>(QueueName.Failover, FailoverJob.Rebalance, { uid }, { coalesceKey: uid, delayMs: delayMs > 0 ? Math.ceil(delayMs) : undefined, sooner: true });
  }

  /** Reacts to one stored health transition: events, zone events, DNS publish, rebalance jobs. */
  async onTransition(t: ClusterConditionTransition): Promise<void> {
    if (t.condition !== ClusterConditionType.Ready || t.from === ConditionStatus.Unknown) return;
    if (t.to !== ConditionStatus.False && t.to !== ConditionStatus.True) return;
    const down = t.to === ConditionStatus.False;
    const clusters = await this.clusterInfos();
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

    const works = await this.works.listForCluster(t.cluster);
    const uids = new Set<string>();
    for (const w of works) {
      if (!isReplicaWork(w)) continue;
      if (down && desiredReplicasOf(w) === 0 && !writtenOffOf(w)) continue;
      uids.add(w.objectUid);
    }
    // At once, also with a failover delay: the job records that it waits and comes back when it ends.
    const rows = await this.objects.findByUids([...uids]);
    for (const row of rows) await this.requestRebalance(row.uid);
    if (rows.length) this.logger.log({ cluster: t.cluster, workloads: rows.length, to: t.to }, down ? 'failover requested' : 'recovery requested');
  }

  /**
   * Re-derives pending work from stored state (a transition seen by a process that died before it
   * enqueued anything is not lost): workloads with replicas desired on a NotReady cluster, and
   * workloads moved away from a cluster that is Ready again but not yet recovered.
   */
  async sweep(): Promise<number> {
    const clusters = await this.clusterInfos();
    const uids = new Set<string>();
    for (const c of clusters.filter((x) => !x.ready)) {
      const since = new Date(c.readySinceMs).toISOString();
      for (const w of await this.works.listForCluster(c.name)) {
        if (heldDuringOutage(w, c.readySinceMs) > 0 && !(await this.eventRows.exists(failoverKey(w.objectUid, c.name, since)))) uids.add(w.objectUid);
      }
    }
    const ready = new Map(clusters.filter((c) => c.ready).map((c) => [c.name, c]));
    for (const e of await this.eventRows.withoutFollowUp(EventReason.ReplicasMoved, RECOVER_PREFIX)) {
      const d = e.details as { uid?: string; cluster?: string; since?: string };
      const c = d.cluster ? ready.get(d.cluster) : undefined;
      if (d.uid && c && d.since && c.readySinceMs >= Date.parse(d.since)) uids.add(d.uid);
    }
    // Workloads deleted meanwhile need nothing (their old markers stay as history).
    const live = (await this.objects.findByUids([...uids])).filter((r) => !r.deletingAt).map((r) => r.uid);
    for (const uid of live) await this.requestRebalance(uid);
    return live.length;
  }

  /** The rebalance job: one workload, under its lock. Throws {@link WorkloadBusyError} when locked elsewhere. */
  async rebalance(uid: string): Promise<RebalanceOutcome> {
    const result = await this.locks.withLock(`failover:${uid}`, () => this.rebalanceLocked(uid));
    if (!result.acquired) throw new WorkloadBusyError(`workload ${uid} is being rebalanced by another worker`);
    return result.value;
  }

  private async rebalanceLocked(uid: string): Promise<RebalanceOutcome> {
    const outcome: RebalanceOutcome = { uid, locked: true, failedOver: [], recovered: [], waiting: [] };
    const row = await this.objects.findByUid(uid);
    if (!row || row.deletingAt) return outcome;
    const obj = toFederatedObject(row);
    if (!schedulesReplicas(obj)) return outcome;
    const clusters = await this.clusterInfos();
    const byName = new Map(clusters.map((c) => [c.name, c]));
    const works = await this.works.listForObject(uid);
    const delay = failoverDelay(this.config.failover.delaySeconds, row.annotations);

    // 1. Failover: NotReady clusters that held replicas when they failed, whose move is not recorded yet.
    const lost: { work: PropagationWorkEntity; replicas: number }[] = [];
    for (const w of works) {
      const c = byName.get(w.cluster);
      const replicas = c && !c.ready ? heldDuringOutage(w, c.readySinceMs) : 0;
      if (replicas > 0 && !(await this.eventRows.exists(failoverKey(uid, w.cluster, new Date(c!.readySinceMs).toISOString())))) lost.push({ work: w, replicas });
    }
    // When replicas may leave is propagation's decision (the workload's delay and the failover gate):
    // ask it rather than work it out again.
    const delayed = lost.length ? new Map((await this.reconciler.decide(obj, works)).delayed.map((d) => [d.cluster, d])) : new Map();
    const due: { work: PropagationWorkEntity; replicas: number }[] = [];
    let nextDueMs = Infinity;
    for (const { work: w, replicas } of lost) {
      const wait = delayed.get(w.cluster);
      if (!wait) {
        due.push({ work: w, replicas });
        continue;
      }
      outcome.waiting.push(w.cluster);
      // Held by the gate with no end in sight: the next transition or sweep comes back.
      if (wait.dueAtMs !== Infinity) nextDueMs = Math.min(nextDueMs, wait.dueInMs);
      if (wait.hold) continue; // the gate recorded why (FailoverHeld)
      const since = byName.get(w.cluster)!.readySinceMs;
      await this.events.record({
        type: EventType.Normal,
        reason: EventReason.FailoverPending,
        object: federatedObjectKey(obj),
        message: `cluster ${w.cluster} NotReady → ${obj.metadata.name}: failover delay ${delay.seconds}s (${delay.source === 'workload' ? 'workload annotation' : 'federation default'}) before its ${replicas} replicas there move to other clusters${delay.problem ? `; ${delay.problem}` : ''}`,
        dedupKey: `failover-pending:${uid}:${w.cluster}:${new Date(since).toISOString()}`,
        details: { uid, cluster: w.cluster, delaySeconds: delay.seconds },
      });
    }
    if (due.length) outcome.failedOver = await this.failOver(row, obj, due);
    if (nextDueMs < Infinity) await this.requestRebalance(uid, nextDueMs + 50);

    // 2. Recovery: clusters this workload moved away from that are Ready again.
    outcome.recovered = await this.recover(row, obj, byName);
    return outcome;
  }

  private async failOver(row: FederatedObjectEntity, obj: FederatedObject, lostWorks: { work: PropagationWorkEntity; replicas: number }[]): Promise<string[]> {
    const uid = row.uid;
    const lost = lostWorks.map((l) => l.work.cluster).sort();
    // Re-plan without the lost clusters (coalesced with the re-plan propagation requested on the
    // transition; propagation also records there that their replicas moved), then wait until the
    // survivors run the replacements.
    await this.reconciler.requestReconcile(uid);
    const settled = await this.waitConverged(uid, obj, new Set(lost));
    // Readiness as of now (another cluster may have failed while the survivors converged).
    const fresh = await this.clusterInfos();
    const readyNow = new Set(fresh.filter((c) => c.ready).map((c) => c.name));
    const works = await this.works.listForObject(uid);
    const after: ReplicaCounts = Object.fromEntries(works.filter((w) => readyNow.has(w.cluster)).map((w) => [w.cluster, desiredReplicasOf(w)]));
    const key = federatedObjectKey(obj);
    if (!settled.ok) {
      await this.events.record({
        type: EventType.Warning,
        reason: EventReason.FailoverIncomplete,
        object: key,
        message: `cluster ${lost.join(', ')} NotReady → ${obj.metadata.name}: survivors report ${settled.ready}/${settled.total} ready replicas after ${this.config.failover.readyTimeoutSeconds}s; will retry`,
        details: { uid, clusters: lost, ready: settled.ready, total: settled.total },
      });
      throw new Error(`failover of ${key} not converged: ${settled.ready}/${settled.total} ready`);
    }
    const done: string[] = [];
    for (const { work: w, replicas } of lostWorks) {
      const cluster = fresh.find((c) => c.name === w.cluster);
      if (!cluster || cluster.ready) continue; // back meanwhile: recovery handles it.
      const since = new Date(cluster.readySinceMs).toISOString();
      const message = `cluster ${w.cluster} NotReady → ${describeMove(obj.metadata.name, replicas, after)}`;
      await this.events.record({
        type: EventType.Normal,
        reason: EventReason.ReplicasMoved,
        object: key,
        message: `${message}${this.dnsNote(true)}`,
        dedupKey: failoverKey(uid, w.cluster, since),
        details: { uid, cluster: w.cluster, since, moved: replicas, after, total: totalReplicasOf(obj) },
      });
      done.push(w.cluster);
    }
    return done;
  }

  private async recover(row: FederatedObjectEntity, obj: FederatedObject, byName: Map<string, ClusterInfo>): Promise<string[]> {
    const uid = row.uid;
    const key = federatedObjectKey(obj);
    const moved = await this.eventRows.find({ object: key, reason: EventReason.ReplicasMoved, limit: 200 });
    const pending = new Map<string, string>();
    for (const e of moved) {
      const d = e.details as { uid?: string; cluster?: string; since?: string };
      if (d.uid !== uid || !d.cluster || !d.since) continue;
      const c = byName.get(d.cluster);
      if (!c?.ready || c.readySinceMs < Date.parse(d.since)) continue;
      if (await this.eventRows.exists(recoverKey(uid, d.cluster, d.since))) continue;
      pending.set(d.cluster, d.since);
    }
    if (!pending.size) return [];
    // The returning clusters are candidates again: reconcile now. Their stored desired state (the
    // current plan, 0 replicas) is what their first reconcile applies when the planner keeps replicas
    // where they run (rebalance: false); with rebalance: true they scale up first and the others give
    // their replicas back once those are ready (propagation's make-before-break).
    await this.reconciler.requestReconcile(uid);
    const settled = await this.waitConverged(uid, obj, new Set(), [...pending.keys()]);
    if (!settled.ok) throw new Error(`recovery of ${key} not converged: ${settled.ready}/${settled.total} ready`);
    const readyNow = new Set((await this.clusterInfos()).filter((c) => c.ready).map((c) => c.name));
    const works = await this.works.listForObject(uid);
    const counts = Object.fromEntries(works.filter((w) => readyNow.has(w.cluster)).map((w) => [w.cluster, desiredReplicasOf(w)]));
    const rebalance = obj.spec.replicaScheduling?.rebalance === true;
    const where = Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1)).map(([c, n]) => `${c}=${n}`).join(', ');
    const done: string[] = [];
    for (const [cluster, since] of pending) {
      await this.events.record({
        type: EventType.Normal,
        reason: EventReason.ClusterRecovered,
        object: key,
        message: `cluster ${cluster} Ready → ${obj.metadata.name}: ${rebalance ? `rebalanced (${cluster} has ${counts[cluster] ?? 0})` : 'replicas stay where they run (rebalance: false)'}; now ${where}${this.dnsNote(false)}`,
        dedupKey: recoverKey(uid, cluster, since),
        details: { uid, cluster, since, replicas: counts, rebalance },
      });
      done.push(cluster);
    }
    return done;
  }

  /**
   * Waits until the workload's plan over the Ready clusters is applied and ready: every Ready cluster's
   * work item applied at its current hash (`mustApply` clusters included), desired replicas over Ready
   * clusters summing to the total, ready replicas reaching it; never counting `exclude`.
   */
  private async waitConverged(uid: string, obj: FederatedObject, exclude: Set<string>, mustApply: string[] = []): Promise<{ ok: boolean; ready: number; total: number }> {
    const total = totalReplicasOf(obj);
    const deadline = Date.now() + this.config.failover.readyTimeoutSeconds * 1000;
    let ready = 0;
    for (;;) {
      const clusters = await this.clusterInfos();
      const readyNames = new Set(clusters.filter((c) => c.ready && !exclude.has(c.name)).map((c) => c.name));
      const works = (await this.works.listForObject(uid)).filter((w) => readyNames.has(w.cluster));
      const applied = works.every((w) => w.state === 'Applied' && w.appliedHash === w.hash);
      const desired = works.reduce((s, w) => s + desiredReplicasOf(w), 0);
      ready = works.reduce((s, w) => s + Math.min(desiredReplicasOf(w), (w.observed as Observed).readyReplicas ?? 0), 0);
      const returned = mustApply.every((c) => !readyNames.has(c) || works.some((w) => w.cluster === c && w.state === 'Applied' && w.appliedHash === w.hash));
      // Exactly the total: more means a move is still under way (make before break).
      if (applied && returned && desired === total && ready >= total) return { ok: true, ready, total };
      if (Date.now() > deadline) return { ok: false, ready, total };
      await sleep(POLL_MS, undefined, { signal: this.shutdown.signal }).catch(() => undefined);
      if (this.shutdown.signal.aborted) throw new Error('shutting down: this rebalance resumes on another worker from stored state');
    }
  }

  beforeApplicationShutdown(): void {
    this.shutdown.abort();
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
      message: down ? `DNS publish requested: endpoints of ${cluster} withdrawn` : `DNS publish requested: endpoints of ${cluster} restored`,
      dedupKey: `dns-${down ? 'withdraw' : 'restore'}:${cluster}:${time}`,
      details: { cluster },
    });
  }

  /** Claims a DNS change only when a DNS publisher is bound. */
  private dnsNote(down: boolean): string {
    return this.dns.configured ? (down ? '; DNS withdrawn' : '; DNS restored') : '';
  }

  private async clusterInfos(): Promise<ClusterInfo[]> {
    return (await this.registry.views()).map((c) => ({ name: c.name, labels: c.labels, ready: c.ready, readySinceMs: c.readinessSinceMs, zones: c.zones }));
  }
}

const RECOVER_PREFIX = 'recover';

/** Dedup key of the event recording that (workload, cluster, outage start)'s replicas moved. */
function failoverKey(uid: string, cluster: string, since: string): string {
  return `failover:${uid}:${cluster}:${since}`;
}

/** Dedup key of the recovery event that closes the failover of (workload, cluster, outage start). */
function recoverKey(uid: string, cluster: string, since: string): string {
  return `${RECOVER_PREFIX}:${uid}:${cluster}:${since}`;
}
