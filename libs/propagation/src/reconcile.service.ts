import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '#libs/config';
import { autoscalerTargetOf, autoscales, federatedKindForTarget, federatedObjectKey, isSettled, schedulesReplicas, type FederatedObject, type MaterializeContext } from '#libs/federation';
import { FederatedObjectRepository, PropagationWorkRepository, type FederatedObjectEntity, type PropagationWorkEntity } from '#libs/persistence';
import { QueueName, QueueService } from '#libs/queues';
import { decide, decidePlacement, type DecideSettings, type PlacementDecision } from './decide.js';
import { statusColumnOf, toFederatedObject } from './federated-object.mapper.js';
import { MemberClusterDirectory, type MemberClusterInfo } from './member-cluster-directory.js';
import { MemberConnections } from './member-connections.js';
import { objectStatus, PropagationReadModel, statusChanged, type ServiceEndpoints } from './read-model.js';
import { WorkApplier } from './work-applier.js';
import { needsSaving, type Work } from './work.js';
import { toWork, toWorkEntity } from './work.mapper.js';

/** Job names of the reconcile queue. */
export enum ReconcileJob {
  /** Something changed (spec, placement, cluster health, drift): reconcile now. */
  Reconcile = 'reconcile',
  /** Follow-up status refresh while the object converges (delayed, backing off). */
  Refresh = 'refresh',
}

/** Payload of both jobs: ids only. */
export interface ReconcilePayload {
  uid: string;
  /** Refresh attempt (backs off 0.5 s, 1 s, 2 s … 10 s). */
  attempt?: number;
}

/**
 * Propagation's orchestration: for one federated object, load it with its work items and the clusters,
 * ask the pure decide step (`decide.ts`) for the work items every cluster should have, let the applier
 * (`work-applier.ts`) bring each member to its item and remove what is no longer wanted, record the items
 * and the status (`read-model.ts`) in one statement, and schedule what comes next: a re-plan when a
 * capacity estimate was learned, a refresh while the object converges or a failover delay runs, and the
 * workload a federated autoscaler targets. Deletion (finalizer-like) removes every item first.
 */
@Injectable()
export class ReconcileService {
  private readonly logger = new Logger('ReconcileService');
  /** Serializes reconciles of one object inside this process (refresh and reconcile jobs may overlap). */
  private readonly running = new Map<string, Promise<unknown>>();
  private readonly applier: WorkApplier;

  constructor(
    private readonly objects: FederatedObjectRepository,
    private readonly works: PropagationWorkRepository,
    private readonly directory: MemberClusterDirectory,
    connections: MemberConnections,
    private readonly queues: QueueService,
    private readonly readModel: PropagationReadModel,
    private readonly config: AppConfig,
  ) {
    this.applier = new WorkApplier(connections, {
      ownerId: config.propagation.ownerId,
      timeoutMs: config.propagation.memberTimeoutMs,
      unschedulableMs: config.propagation.unschedulableSeconds * 1000,
    });
  }

  /**
   * Asks for a reconcile of one object (coalesced per object: at most one running and one pending).
   * Call it whenever something that affects placement changed — e.g. a cluster became NotReady/Ready
   * (re-plan) or a member object drifted.
   */
  async requestReconcile(uid: string): Promise<void> {
    await this.queues.enqueue<ReconcilePayload>(QueueName.Reconcile, ReconcileJob.Reconcile, { uid }, { coalesceKey: uid });
  }

  /** Re-plans every federated object (e.g. after a cluster health transition). */
  async requestReconcileAll(): Promise<number> {
    const uids = await this.objects.allUids();
    await Promise.all(uids.map((uid) => this.requestReconcile(uid)));
    return uids.length;
  }

  /**
   * Schedules the follow-up look (backing off with `attempt`). `sooner` when this reconcile changed
   * something (an apply, a write-off, a new observation): that look must not wait behind an earlier,
   * longer backoff; a reconcile that changed nothing leaves the pending one as it is.
   */
  private async requestRefresh(uid: string, attempt: number, maxDelayMs = Infinity, sooner = false): Promise<void> {
    const delayMs = Math.min(500 * 2 ** attempt, 10_000, maxDelayMs);
    await this.queues.enqueue<ReconcilePayload>(QueueName.Reconcile, ReconcileJob.Refresh, { uid, attempt: attempt + 1 }, { coalesceKey: uid, delayMs, sooner });
  }

  /** Reconciles one object now (the queue processor calls this). */
  async reconcile(uid: string, attempt = 0): Promise<void> {
    const previous = this.running.get(uid);
    const run = (async () => {
      await previous?.catch(() => undefined);
      await this.reconcileNow(uid, attempt);
    })();
    this.running.set(uid, run);
    try {
      await run;
    } finally {
      if (this.running.get(uid) === run) this.running.delete(uid);
    }
  }

  /**
   * The placement for `obj` given the clusters (default: the directory's) and its stored work items (no
   * writes): {@link decidePlacement} with the federation's settings. The API's dry run and failover ask it.
   */
  async decide(obj: FederatedObject, works: readonly PropagationWorkEntity[] = [], clusters?: MemberClusterInfo[], nowMs = Date.now()): Promise<PlacementDecision> {
    return decidePlacement({ object: obj, clusters: clusters ?? (await this.directory.listClusters()), works: works.map(toWork), settings: this.decideSettings(), nowMs });
  }

  /** Per federated Service and cluster: ingress and ready endpoints, for DNS (see the read model). */
  listServiceEndpoints(): Promise<ServiceEndpoints[]> {
    return this.readModel.listServiceEndpoints();
  }

  private decideSettings(): DecideSettings {
    return { failoverDelaySeconds: this.config.failover.delaySeconds, readyTimeoutMs: this.config.failover.readyTimeoutSeconds * 1000 };
  }

  private async reconcileNow(uid: string, attempt: number): Promise<void> {
    const [stored, clusters] = await Promise.all([this.objects.findWithWorks(uid), this.directory.listClusters()]);
    if (!stored) return;
    const row = stored.object;
    const works = stored.works.map(toWork);
    const byName = new Map(clusters.map((c) => [c.name, c]));
    if (row.deletingAt) return this.finishDeletion(row, works, byName);

    const obj = toFederatedObject(row);
    const key = federatedObjectKey(obj);
    const context = await this.materializeContext(obj);
    const nowMs = Date.now();
    const decision = decide({ object: obj, clusters, works, settings: this.decideSettings(), nowMs, context });
    for (const w of decision.writeOffs) this.logger.log({ cluster: w.cluster, resource: key, replicas: w.replicas }, 'replicas of a NotReady cluster re-planned');

    // Every cluster is handled concurrently with its own timeout; one broken or NotReady cluster is an
    // Error or Pending item, never a failure of the others.
    const notReadyNotes = new Map(decision.delayed.map((d) => [d.cluster, d.note]));
    const [applied, removals] = await Promise.all([
      Promise.all(decision.desired.map((w) => this.applier.apply(obj, w, byName.get(w.cluster), notReadyNotes.get(w.cluster)))),
      Promise.all(
        decision.obsolete.map(async (w) => {
          const result = await this.applier.remove(w, byName.get(w.cluster));
          if (result.outcome === 'removed') await this.works.remove(w.objectUid, w.cluster);
          return { stored: w, result };
        }),
      ),
    ]);

    // Rows are written once per reconcile, in one statement, with their final state.
    const before = new Map(works.map((w) => [w.cluster, w]));
    const after: Work[] = [...applied.map((a) => a.work), ...decision.kept];
    const waiting: Work[] = [];
    const status: Work[] = [...after];
    for (const { stored: w, result } of removals) {
      if (result.outcome === 'removed') continue;
      // A removal waiting for its NotReady cluster is recorded as Deleting, but this status still shows
      // what the member last ran (the next reconcile reads the Deleting row). A failure shows at once.
      if (result.outcome === 'waiting') waiting.push(result.work);
      else after.push(result.work);
      status.push(result.outcome === 'waiting' ? w : result.work);
    }
    const changed = after.filter((w) => needsSaving(before.get(w.cluster), w));
    const toSave = [...changed, ...waiting.filter((w) => needsSaving(before.get(w.cluster), w))];

    const previous = obj.status;
    const next = objectStatus({ object: obj, generation: row.generation, decision, works: status, clusters: byName, autoscaled: context.autoscaled === true, previous, now: new Date().toISOString() });
    await this.objects.recordReconcile(uid, toSave.map(toWorkEntity), statusChanged(previous, next) ? statusColumnOf(next) : undefined);

    // A lower capacity estimate changes the plan: re-plan at once (it reads the estimate just recorded).
    if (applied.some((a) => a.replan)) await this.requestReconcile(uid);
    // A conflict waits for the other owner, not for time: resync looks at it again each period.
    const converged = isSettled(next);
    // Look again while converging, while a scale-down waits for replacements, and when a delay ends.
    const dueInMs = Math.min(...decision.delayed.map((d) => d.dueInMs + 50));
    if (!converged || decision.heldScaleDowns.length || decision.delayed.length) await this.requestRefresh(uid, attempt, dueInMs, changed.length > 0);
    // A federated autoscaler's new generation may change who owns its target's replica counts.
    if (previous?.observedGeneration !== row.generation) await this.reconcileAutoscaled(obj);
    this.logger.debug({ resource: key, converged, clusters: next.clusters.length }, 'reconciled');
  }

  /**
   * The owner id, and whether a federated HorizontalPodAutoscaler targets this replica workload (then the
   * members own its replica counts, as with `retainReplicas`). One query, the namespace's FederatedObjects,
   * per reconcile of a Deployment/ReplicaSet that does not already set `retainReplicas: true`; none for
   * other kinds. A new generation or deletion of the autoscaler reconciles its target (see
   * {@link reconcileAutoscaled}), so the change takes effect without waiting for drift.
   */
  private async materializeContext(obj: FederatedObject): Promise<MaterializeContext> {
    const ownerId = this.config.propagation.ownerId;
    if (!schedulesReplicas(obj) || obj.spec.retainReplicas === true) return { ownerId };
    const rows = await this.objects.list('FederatedObject', obj.metadata.namespace ?? '');
    return { ownerId, autoscaled: rows.some((r) => !r.deletingAt && autoscales(toFederatedObject(r), obj)) };
  }

  /** For a federated HorizontalPodAutoscaler: asks for a reconcile of the workload it targets (same name). */
  private async reconcileAutoscaled(obj: FederatedObject): Promise<void> {
    const target = autoscalerTargetOf(obj);
    const kind = target && federatedKindForTarget(target.kind);
    if (!target || !kind) return;
    const workload = await this.objects.findByKey(kind.kind, target.namespace ?? '', target.name);
    if (workload && !workload.deletingAt) await this.requestReconcile(workload.uid);
  }

  /** Removes every item from its member, then the object. An unreachable cluster: kept and retried. */
  private async finishDeletion(row: FederatedObjectEntity, works: readonly Work[], byName: ReadonlyMap<string, MemberClusterInfo>): Promise<void> {
    const uid = row.uid;
    const done = await Promise.all(
      works.map(async (w) => {
        const result = await this.applier.remove(w, byName.get(w.cluster));
        if (result.outcome === 'removed') {
          await this.works.remove(w.objectUid, w.cluster);
          return true;
        }
        await this.works.update(w.objectUid, w.cluster, { state: result.work.state, error: result.work.error }).catch(() => undefined);
        return false;
      }),
    );
    if (done.every(Boolean) && (await this.objects.removeIfDrained(uid))) {
      this.logger.log({ uid }, 'federated object deleted from every member');
      // Gone: the workload a federated autoscaler targeted owns its replica counts again.
      await this.reconcileAutoscaled(toFederatedObject(row));
      return;
    }
    // Some cluster is unreachable: try again later (resync also picks deleting objects up).
    await this.requestRefresh(uid, 3);
  }
}
