import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '#libs/config';
import { autoscalerTargetOf, autoscales, federatedKindForTarget, federatedObjectKey, isSettled, schedulesReplicas, type FederatedObject, type MaterializeContext } from '#libs/federation';
import { FederatedObjectRepository, type FederatedObjectEntity, type PropagationWorkEntity } from '#libs/persistence';
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
  /**
   * Follow-up status refresh while the object converges. The running job now defers itself instead (it
   * stays the object's one job); the name is still processed for jobs queued by an older version.
   */
  Refresh = 'refresh',
}

/**
 * Who asked for a reconcile. User writes (create, update, delete through the API) are taken first and
 * are what admission counts (`PropagationAdmission`); everything the control plane asks for itself —
 * health transitions, registry changes, failover, resync, refreshes, a learned capacity, an autoscaler's
 * target — is taken after them and never counts, so a re-plan of the whole federation cannot make users
 * wait for (or be refused by) a backlog they did not cause.
 */
export enum ReconcileOrigin {
  User = 'user',
  ControlPlane = 'control-plane',
}

/** The BullMQ priority of each origin's jobs (0: taken first, counted as `waiting`). */
export const RECONCILE_PRIORITY: Readonly<Record<ReconcileOrigin, number>> = { [ReconcileOrigin.User]: 0, [ReconcileOrigin.ControlPlane]: 1 };

/**
 * Coalescing group of every job of the reconcile queue: whatever its name, one object has at most one
 * job active and one waiting across the fleet, so one process at a time reconciles it.
 */
export const RECONCILE_GROUP = 'object';

/** Payload of both jobs: ids only. */
export interface ReconcilePayload {
  uid: string;
  /** Refresh attempt (backs off 0.5 s, 1 s, 2 s … 10 s). */
  attempt?: number;
  /** A follow-up's due time (ms since the epoch): a run before it was brought forward by a request. */
  dueAt?: number;
}

/** One run of a reconcile job. */
export interface ReconcileRun {
  /** The job's refresh attempt (0 for a new request). */
  attempt: number;
  /**
   * Asked for now (a new job, or a deferred one a request brought forward) rather than a follow-up at its
   * due time: a run that then changes something looks again after 0.5 s instead of its backoff.
   */
  requested: boolean;
}

/** What should happen after a run: its job comes back after `delayMs` as `payload` (see `QueueService.defer`). */
export interface ReconcileFollowUp {
  delayMs: number;
  payload: ReconcilePayload;
  /** Follow-ups are the control plane's own ({@link ReconcileOrigin.ControlPlane}). */
  priority: number;
}

/**
 * Propagation's orchestration: for one federated object, load it with its work items and the clusters,
 * ask the pure decide step (`decide.ts`) for the work items every cluster should have, let the applier
 * (`work-applier.ts`) bring each member to its item and remove what is no longer wanted, record the items
 * and the status (`read-model.ts`) in one statement, and say what comes next: a re-plan when a capacity
 * estimate was learned, a follow-up look while the object converges or a failover delay runs, and the
 * workload a federated autoscaler targets. Deletion (finalizer-like) removes every item first.
 *
 * One object is reconciled by one process at a time across the fleet: every job of an object shares one
 * coalescing id ({@link RECONCILE_GROUP}), so BullMQ keeps at most one active and one waiting, and a
 * follow-up is the running job deferring itself (`QueueService.defer`), never a second job. The record
 * is the safety net for the one case the queue cannot exclude — a job handed to a second worker after a
 * stall while the first still runs: it is stored only over the record sequence the reconcile read, so a
 * record computed from an older state is refused, what that reconcile wrote to members and nothing
 * tracks is removed again, and the object is reconciled anew. (No in-process lock either: the queue and
 * the record already cover it.)
 */
@Injectable()
export class ReconcileService {
  private readonly logger = new Logger('ReconcileService');
  private readonly applier: WorkApplier;

  constructor(
    private readonly objects: FederatedObjectRepository,
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
   * Asks for a reconcile of one object (coalesced per object: at most one running and one pending, fleet
   * wide; a request made while a follow-up waits brings it forward). Call it whenever something that
   * affects placement changed — e.g. a cluster became NotReady/Ready (re-plan) or a member object drifted.
   * `origin`: the API passes {@link ReconcileOrigin.User} for a user's write; everything else is the
   * control plane's own.
   */
  async requestReconcile(uid: string, origin: ReconcileOrigin = ReconcileOrigin.ControlPlane): Promise<void> {
    await this.queues.enqueue<ReconcilePayload>(QueueName.Reconcile, ReconcileJob.Reconcile, { uid }, { coalesceKey: uid, group: RECONCILE_GROUP, sooner: true, priority: RECONCILE_PRIORITY[origin] });
  }

  /** Re-plans every federated object (e.g. after a cluster health transition); the control plane's own. */
  async requestReconcileAll(): Promise<number> {
    const uids = await this.objects.allUids();
    await Promise.all(uids.map((uid) => this.requestReconcile(uid)));
    return uids.length;
  }

  /** Reconciles one object now (the queue processor calls this); returns the follow-up its job should become. */
  async reconcile(uid: string, run: ReconcileRun = { attempt: 0, requested: true }): Promise<ReconcileFollowUp | undefined> {
    return this.reconcileNow(uid, run);
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

  private async reconcileNow(uid: string, run: ReconcileRun): Promise<ReconcileFollowUp | undefined> {
    const [stored, clusters] = await Promise.all([this.objects.findWithWorks(uid), this.directory.listClusters()]);
    if (!stored) return undefined;
    const row = stored.object;
    const seq = stored.recordSeq;
    const works = stored.works.map(toWork);
    const byName = new Map(clusters.map((c) => [c.name, c]));
    if (row.deletingAt) return this.finishDeletion(row, seq, works, byName);

    const obj = toFederatedObject(row);
    const key = federatedObjectKey(obj);
    const context = await this.materializeContext(obj);
    const nowMs = Date.now();
    const decision = decide({ object: obj, clusters, works, settings: this.decideSettings(), nowMs, context });

    // Every cluster is handled concurrently with its own timeout; one broken or NotReady cluster is an
    // Error or Pending item, never a failure of the others.
    const notReadyNotes = new Map(decision.delayed.map((d) => [d.cluster, d.note]));
    const [applied, removals] = await Promise.all([
      Promise.all(decision.desired.map((w) => this.applier.apply(obj, w, byName.get(w.cluster), notReadyNotes.get(w.cluster)))),
      Promise.all(decision.obsolete.map(async (w) => ({ stored: w, result: await this.applier.remove(w, byName.get(w.cluster)) }))),
    ]);

    // Rows are written once per reconcile, in one statement, with their final state.
    const before = new Map(works.map((w) => [w.cluster, w]));
    const after: Work[] = [...applied.map((a) => a.work), ...decision.kept];
    const waiting: Work[] = [];
    const status: Work[] = [...after];
    const removed: string[] = [];
    for (const { stored: w, result } of removals) {
      if (result.outcome === 'removed') {
        removed.push(w.cluster);
        continue;
      }
      // A removal waiting for its NotReady cluster is recorded as Deleting, but this status still shows
      // what the member last ran (the next reconcile reads the Deleting row). A failure shows at once.
      if (result.outcome === 'waiting') waiting.push(result.work);
      else after.push(result.work);
      status.push(result.outcome === 'waiting' ? w : result.work);
    }
    const changed = after.filter((w) => needsSaving(before.get(w.cluster), w));
    const toSave = [...changed, ...waiting.filter((w) => needsSaving(before.get(w.cluster), w))];
    const written = applied.filter((a) => a.written).map((a) => a.work);

    const previous = obj.status;
    const next = objectStatus({ object: obj, generation: row.generation, decision, works: status, clusters: byName, autoscaled: context.autoscaled === true, previous, now: new Date().toISOString() });
    const newStatus = statusChanged(previous, next) ? statusColumnOf(next) : undefined;
    // A run that wrote to a member records even when no row changed: the record is what tells whether
    // what it wrote was already out of date.
    if (toSave.length || removed.length || newStatus || written.length) {
      const recorded = await this.objects.recordReconcile(uid, { seq, works: toSave.map(toWorkEntity), removed, status: newStatus });
      if (!recorded) return this.refused(uid, key, written, byName);
    }
    for (const w of decision.writeOffs) this.logger.log({ cluster: w.cluster, resource: key, replicas: w.replicas }, 'replicas of a NotReady cluster re-planned');

    // A lower capacity estimate changes the plan: re-plan at once (it reads the estimate just recorded).
    if (applied.some((a) => a.replan)) await this.requestReconcile(uid);
    // A federated autoscaler's new generation may change who owns its target's replica counts.
    if (previous?.observedGeneration !== row.generation) await this.reconcileAutoscaled(obj);
    // A conflict waits for the other owner, not for time: resync looks at it again each period.
    const converged = isSettled(next);
    this.logger.debug({ resource: key, converged, clusters: next.clusters.length }, 'reconciled');
    // Look again while converging, while a scale-down waits for replacements, and when a delay ends.
    if (converged && !decision.heldScaleDowns.length && !decision.delayed.length) return undefined;
    const dueInMs = Math.min(...decision.delayed.map((d) => d.dueInMs + 50));
    // Only a requested run that changed something looks again soon; otherwise the backoff goes on (a
    // held object asked about by every resync does not churn).
    return this.followUp(uid, run.requested && changed.length > 0 ? 0 : run.attempt, dueInMs);
  }

  /**
   * The follow-up look after `attempt` (0.5 s doubling to 10 s, or sooner when `maxDelayMs` says so): the
   * job comes back as a refresh of the control plane.
   */
  private followUp(uid: string, attempt: number, maxDelayMs = Infinity): ReconcileFollowUp {
    const delayMs = Math.max(0, Math.min(500 * 2 ** Math.min(attempt, 10), 10_000, maxDelayMs));
    return { delayMs, payload: { uid, attempt: attempt + 1, dueAt: Date.now() + delayMs }, priority: RECONCILE_PRIORITY[ReconcileOrigin.ControlPlane] };
  }

  /**
   * Another reconcile stored a record since this one read the object, or the object is gone: what this
   * one computed is older than what is stored, and is dropped. What it wrote to members may be older too,
   * or belong to an object that is gone or being deleted: a member object it wrote on a cluster the stored
   * record has no item for is removed again (only if this object owns it), so nothing is left in a member
   * that no row tracks; items the record does have are brought back to it by the reconcile asked for here
   * (an apply it undid is drift).
   */
  private async refused(uid: string, key: string, written: readonly Work[], byName: ReadonlyMap<string, MemberClusterInfo>): Promise<undefined> {
    const current = await this.objects.findWithWorks(uid);
    const tracked = new Set(current?.works.map((w) => w.cluster) ?? []);
    const stray = written.filter((w) => !tracked.has(w.cluster));
    const results = await Promise.all(stray.map(async (w) => ({ cluster: w.cluster, result: await this.applier.remove(w, byName.get(w.cluster)) })));
    for (const r of results.filter((x) => x.result.outcome !== 'removed')) {
      this.logger.warn({ cluster: r.cluster, resource: key }, 'an untracked member object of an outdated reconcile could not be removed yet; resync collects it');
    }
    this.logger.log({ resource: key, uid, gone: !current, removed: results.length }, 'reconcile record refused: computed from an older state than the stored one');
    if (current) await this.requestReconcile(uid);
    return undefined;
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

  /**
   * Removes every item from its member, then the object. An unreachable cluster: its item is kept (as
   * Deleting or Error) and looked at again after 4 s. The removals are recorded like any reconcile (over
   * the record sequence read), so a concurrent, older reconcile cannot store rows for the object after.
   */
  private async finishDeletion(row: FederatedObjectEntity, seq: string, works: readonly Work[], byName: ReadonlyMap<string, MemberClusterInfo>): Promise<ReconcileFollowUp | undefined> {
    const uid = row.uid;
    const results = await Promise.all(works.map(async (w) => ({ stored: w, result: await this.applier.remove(w, byName.get(w.cluster)) })));
    const removed = results.filter((r) => r.result.outcome === 'removed').map((r) => r.stored.cluster);
    const left = results.flatMap((r) => (r.result.outcome === 'removed' ? [] : [{ stored: r.stored, work: r.result.work }]));
    const toSave = left.filter((l) => needsSaving(l.stored, l.work)).map((l) => toWorkEntity(l.work));
    if ((removed.length || toSave.length) && !(await this.objects.recordReconcile(uid, { seq, works: toSave, removed }))) {
      await this.requestReconcile(uid);
      return undefined;
    }
    if (!left.length && (await this.objects.removeIfDrained(uid))) {
      this.logger.log({ uid }, 'federated object deleted from every member');
      // Gone: the workload a federated autoscaler targeted owns its replica counts again.
      await this.reconcileAutoscaled(toFederatedObject(row));
      return undefined;
    }
    // Some cluster is unreachable: try again later (resync also picks deleting objects up).
    return this.followUp(uid, 3);
  }
}
