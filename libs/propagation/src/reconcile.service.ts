import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '#libs/config';
import {
  ADOPT_ANNOTATION,
  FEDERATED_OBJECT_ANNOTATION,
  FIELD_MANAGER,
  aggregateStatus,
  autoscalerTargetOf,
  autoscales,
  decideOwnership,
  describeConflict,
  describeUnowned,
  failoverDelay,
  federatedKindForTarget,
  federatedObjectKey,
  isSettled,
  liveMatchesManifest,
  manifestHash,
  manifestRetainsReplicas,
  materialize,
  mayDelete,
  maySeize,
  planInputFor,
  retainsReplicas,
  schedulesReplicas,
  selectedClusters,
  stableStringify,
  totalReplicasOf,
  withRetainedReplicas,
  type ClusterStatus,
  type FederatedObject,
  type FederatedStatus,
  type KubeObject,
  type LoadBalancerIngress,
  type MaterializeContext,
  type MemberOwner,
  type Ownership,
  type OwnerMarks,
} from '#libs/federation';
import { describeKubeError, MemberRequestError, type MemberObject, type MemberObjectRef, type MemberObjects } from '#libs/kube';
import { PropagationWorkRepository, FederatedObjectRepository, type FederatedObjectEntity, type PropagationWorkEntity } from '#libs/persistence';
import { plan, type PlanInput, type PlanResult } from '#libs/placement';
import { QueueName, QueueService } from '#libs/queues';
import { toFederatedObject } from './federated-object.mapper.js';
import { MemberClusterDirectory, type MemberClusterInfo } from './member-cluster-directory.js';
import { MemberConnections } from './member-connections.js';
import { estimateCapacity, observeLive, readyEndpointsOf, type Observed } from './observe.js';
import { delayedFailovers, desiredReplicasOf, holdScaleDowns, isReplicaWork, type DelayedFailover, type HeldScaleDown } from './work-items.js';

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

/** Where each replica goes, for the API's dry-run preview and for reconcile. */
export interface PlacementDecision {
  /** Selected by the placement (Ready or not). */
  selected: MemberClusterInfo[];
  /** Ready, schedulable and selected (plus delayed failovers): the planner's candidates. */
  candidates: string[];
  /** Replica workloads only. */
  planInput?: PlanInput;
  planResult?: PlanResult;
  /** Clusters that get the object now, with their replicas (undefined: not a replica workload). */
  targets: { cluster: string; replicas?: number }[];
  /** NotReady clusters whose replicas stay planned during the failover delay (they are candidates). */
  delayed: DelayedFailover[];
  /** Clusters keeping replicas the plan moves away until the gaining clusters run them ready. */
  heldScaleDowns: HeldScaleDown[];
}

/** Per federated Service and cluster: where DNS can send traffic. */
export interface ServiceEndpoints {
  namespace: string;
  name: string;
  uid: string;
  clusters: { cluster: string; ingress: LoadBalancerIngress[]; readyEndpoints: number }[];
}

/** Capacity estimates expire so a cluster that grew gets replicas again. */
const CAPACITY_TTL_MS = 5 * 60_000;

/** A work item's observation, plus the owner of the member object while it belongs to someone else. */
type WorkObserved = Observed & { conflict?: OwnerMarks };

/**
 * Propagation: turns a federated object into per-cluster work items and applies them (server-side apply,
 * field manager `ubernetes`, forced), deletes what is no longer placed, refreshes per-cluster status, and
 * finishes deletions (finalizer-like). Each cluster is handled concurrently with its own timeout; one
 * broken or NotReady cluster is reported in status and retried, never failing the others.
 */
@Injectable()
export class ReconcileService {
  private readonly logger = new Logger('ReconcileService');
  /** Serializes reconciles of one object inside this process (refresh and reconcile jobs may overlap). */
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(
    private readonly objects: FederatedObjectRepository,
    private readonly works: PropagationWorkRepository,
    private readonly directory: MemberClusterDirectory,
    private readonly connections: MemberConnections,
    private readonly queues: QueueService,
    private readonly config: AppConfig,
  ) {}

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
   * The placement for `obj` given the current clusters and what members run (no writes). Besides the
   * planner: a NotReady cluster within the workload's failover delay keeps its replicas in the plan, and
   * replicas moving between clusters leave the losing clusters only once the gaining ones run them ready
   * (see `work-items.ts`).
   */
  async decide(obj: FederatedObject, works?: PropagationWorkEntity[], clusters?: MemberClusterInfo[], nowMs = Date.now()): Promise<PlacementDecision> {
    const all = clusters ?? (await this.directory.listClusters());
    const selected = selectedClusters(obj, all) as MemberClusterInfo[];
    if (!schedulesReplicas(obj)) {
      const candidates = selected.filter((c) => c.ready && c.schedulable).map((c) => c.name);
      return { selected, candidates, targets: selected.map((c) => ({ cluster: c.name })), delayed: [], heldScaleDowns: [] };
    }
    const workMap = new Map((works ?? []).map((w) => [w.cluster, w]));
    const delayed = delayedFailovers(selected, workMap, failoverDelay(this.config.failover.delaySeconds, obj.metadata.annotations).seconds, nowMs);
    const delayedNames = new Set(delayed.map((d) => d.cluster));
    const candidates = selected.filter((c) => (c.ready && c.schedulable) || delayedNames.has(c.name)).map((c) => c.name);
    const current: Record<string, number> = {};
    const capacity: Record<string, number> = {};
    for (const w of works ?? []) {
      const o = w.observed as Observed;
      // A delayed cluster cannot be observed: what it was last asked to run counts.
      if (delayedNames.has(w.cluster)) current[w.cluster] = desiredReplicasOf(w);
      else if (w.appliedHash && o.specReplicas !== undefined) current[w.cluster] = o.specReplicas;
      if (o.capacity !== undefined && o.capacityAt !== undefined && nowMs - o.capacityAt < CAPACITY_TTL_MS) capacity[w.cluster] = o.capacity;
    }
    const planInput = planInputFor(obj, candidates, current, capacity);
    const planResult = plan(planInput);
    // With explicit per-cluster preferences a cluster planned 0 gets no object (KubeFed's behaviour);
    // otherwise every candidate gets one, possibly with 0 replicas.
    const explicit = obj.spec.replicaScheduling?.clusters !== undefined;
    const planned = candidates.map((c) => ({ cluster: c, replicas: (planResult.plan[c] ?? 0) + (planResult.overflow[c] ?? 0) }));
    const heldScaleDowns = holdScaleDowns(planned, workMap, this.config.failover.readyTimeoutSeconds * 1000, nowMs);
    const targets = planned.filter((t) => !explicit || t.replicas > 0);
    return { selected, candidates, planInput, planResult, targets, delayed, heldScaleDowns };
  }

  private async reconcileNow(uid: string, attempt: number): Promise<void> {
    const [stored, clusters] = await Promise.all([this.objects.findWithWorks(uid), this.directory.listClusters()]);
    if (!stored) return;
    const { object: row, works } = stored;
    const byName = new Map(clusters.map((c) => [c.name, c]));
    if (row.deletingAt) return this.finishDeletion(uid, works, byName, row);

    const obj = toFederatedObject(row);
    const key = federatedObjectKey(obj);
    const context = await this.materializeContext(obj);
    const decision = await this.decide(obj, works, clusters);
    const targetMap = new Map(decision.targets.map((t) => [t.cluster, t]));
    const workMap = new Map(works.map((w) => [w.cluster, w]));
    const selectedNames = new Set(decision.selected.map((c) => c.name));

    // 1. Desired work items: materialize for every target (Ready candidates, and for non-replica kinds
    //    also selected clusters that are NotReady now: they get the object when they come back).
    // Work rows are written once per reconcile, in one statement, with their final state.
    const dirty = new Set<PropagationWorkEntity>();
    const desired: PropagationWorkEntity[] = [];
    for (const target of decision.targets) {
      const cluster = byName.get(target.cluster)!;
      const manifest = materialize(obj, cluster, target.replicas, context) as unknown as Record<string, unknown>;
      const hash = manifestHash(manifest);
      const existing = workMap.get(target.cluster);
      if (existing && existing.hash === hash) {
        desired.push(existing);
        continue;
      }
      const work: PropagationWorkEntity = {
        objectUid: uid,
        cluster: target.cluster,
        manifest,
        hash,
        appliedHash: existing?.appliedHash ?? null,
        appliedAt: existing?.appliedAt ?? null,
        state: 'Pending',
        error: null,
        observed: existing?.observed ?? {},
        updatedAt: new Date(),
      };
      dirty.add(work);
      desired.push(work);
    }

    // 2. Replicas of a NotReady cluster past its failover delay were planned onto the candidates above.
    //    Its work item now asks for 0 there (nothing is sent while it is NotReady), so when it returns its
    //    first reconcile brings its stale objects to the current plan instead of adding their old count.
    //    The item remembers what it asked for (failover reports the move from it).
    if (decision.planResult) {
      for (const w of works) {
        const cluster = byName.get(w.cluster);
        if (!cluster || cluster.ready || !cluster.schedulable || !selectedNames.has(w.cluster) || targetMap.has(w.cluster)) continue;
        const replicas = desiredReplicasOf(w);
        if (!isReplicaWork(w) || replicas === 0) continue;
        const manifest = materialize(obj, cluster, 0, context) as unknown as Record<string, unknown>;
        const { specReplicas: _stale, ...observed } = w.observed as Observed;
        const since = new Date(cluster.notReadySince ?? Date.now()).toISOString();
        Object.assign(w, {
          manifest,
          hash: manifestHash(manifest),
          state: 'Pending',
          error: `cluster is NotReady; its ${replicas} replicas were re-planned onto Ready clusters`,
          observed: { ...observed, writtenOff: { replicas, since } },
          updatedAt: new Date(),
        });
        dirty.add(w);
        this.logger.log({ cluster: w.cluster, resource: key, replicas }, 'replicas of a NotReady cluster re-planned');
      }
    }

    // 3. Work items no longer wanted: the cluster left the placement, or (replica workloads) it is
    //    still selected and Ready but planned 0 with explicit preferences. A selected cluster that is
    //    NotReady keeps its work item (and its member object) until it can be re-planned.
    const obsolete = works.filter((w) => {
      if (targetMap.has(w.cluster)) return false;
      const cluster = byName.get(w.cluster);
      if (!cluster) return true; // unregistered: nothing to reach, forget it.
      if (!selectedNames.has(w.cluster)) return true;
      return cluster.ready && cluster.schedulable;
    });

    const timeoutMs = this.config.propagation.memberTimeoutMs;
    const notReadyNotes = new Map(decision.delayed.map((d) => [d.cluster, d.note]));
    const removed = new Set<PropagationWorkEntity>();
    await Promise.all([
      ...desired.map((w) => this.applyWork(obj, w, byName.get(w.cluster), timeoutMs, dirty, notReadyNotes.get(w.cluster)).catch((e) => this.markFailed(w, e, dirty))),
      ...obsolete.map((w) =>
        this.removeWork(w, byName.get(w.cluster), timeoutMs)
          .then((gone) => void (gone && removed.add(w)))
          .catch((e) => this.markFailed(w, e, dirty)),
      ),
    ]);
    const toSave = [...dirty].filter((w) => !removed.has(w));

    // 4. Status: one entry per cluster that has (or should have) the object.
    const fresh = [...desired, ...works.filter((w) => !removed.has(w) && !desired.some((d) => d.cluster === w.cluster))];
    const statuses: ClusterStatus[] = fresh.map((w) => this.clusterStatus(w, byName.get(w.cluster), targetMap.get(w.cluster)?.replicas));
    for (const c of decision.selected) {
      if (!fresh.some((w) => w.cluster === c.name) && targetMap.has(c.name)) {
        statuses.push({ cluster: c.name, state: 'Pending', error: c.ready ? undefined : 'cluster is NotReady' });
      }
    }
    const previous = row.status as unknown as FederatedStatus | undefined;
    const status = aggregateStatus({
      generation: row.generation,
      clusters: statuses,
      ...(decision.planResult
        ? { replicas: { desired: totalReplicasOf(obj), unschedulable: decision.planResult.unschedulable, retained: retainsReplicas(obj, context.autoscaled === true) } }
        : {}),
      previous: previous?.conditions ? previous : undefined,
      now: new Date().toISOString(),
    });
    const statusChanged = stableStringify(withoutTimes(status)) !== stableStringify(withoutTimes(previous));
    await this.objects.recordReconcile(uid, toSave, statusChanged ? (status as unknown as Record<string, unknown>) : undefined);
    // A conflict waits for the other owner, not for time: resync looks at it again each period.
    const converged = isSettled(status);
    // Look again while converging, while a scale-down waits for replacements, and when a delay ends.
    const dueInMs = Math.min(...decision.delayed.map((d) => d.dueInMs + 50));
    if (!converged || decision.heldScaleDowns.length || decision.delayed.length) await this.requestRefresh(uid, attempt, dueInMs, toSave.length > 0);
    // A federated autoscaler's new generation may change who owns its target's replica counts.
    if (previous?.observedGeneration !== row.generation) await this.reconcileAutoscaled(obj);
    this.logger.debug({ resource: key, converged, clusters: statuses.length }, 'reconciled');
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

  /** This federation and federated object, as ownership marks name them. */
  private ownerOf(uid: string, key: string): MemberOwner {
    return { ownerId: this.config.propagation.ownerId, uid, key };
  }

  /** Applies one work item if its cluster is Ready and the member differs; records what it observed. */
  private async applyWork(
    obj: FederatedObject,
    work: PropagationWorkEntity,
    cluster: MemberClusterInfo | undefined,
    timeoutMs: number,
    dirty: Set<PropagationWorkEntity>,
    notReadyNote = 'cluster is NotReady',
  ): Promise<void> {
    if (!cluster || !cluster.ready) {
      if (work.state !== 'Pending' || work.error !== notReadyNote) dirty.add(work);
      work.state = 'Pending';
      work.error = notReadyNote;
      return;
    }
    const member = await this.connections.for(work.cluster, timeoutMs);
    const manifest = work.manifest as unknown as MemberObject;
    const ref = refOf(manifest);
    const self = this.ownerOf(work.objectUid, federatedObjectKey(obj));
    const adopt = obj.spec.adoptExisting === true || obj.metadata.annotations?.[ADOPT_ANNOTATION] === 'true';
    // The ownership check may read the watch cache (a few ms behind): every write below is conditional on
    // what was read — a create fails when the name is taken, an apply carries the read resourceVersion —
    // so a stale read costs one HTTP 409 and a quorum re-read, never a write over someone else's object.
    let live = await member.get(ref, timeoutMs, { fromCache: true });
    let appliedAt = work.appliedAt;
    for (let attempt = 0; ; attempt++) {
      const ownership = decideOwnership(live, self, adopt);
      if (!maySeize(ownership)) return this.refuse(work, ownership, ref, self, dirty);
      try {
        const written = await this.write(member, work, manifest, live, timeoutMs);
        if (written !== live) {
          appliedAt = new Date();
          this.logger.debug({ cluster: work.cluster, resource: self.key, ownership: ownership.verdict }, live ? 'applied' : 'created');
        }
        live = written;
        break;
      } catch (error) {
        if (attempt > 0 || !(error instanceof MemberRequestError) || error.status !== 409) throw error;
        live = await member.get(ref, timeoutMs); // changed meanwhile (or the cache lagged): look again, once
      }
    }
    const observed = await this.observe(member, live!, work, timeoutMs);
    const change = { state: 'Applied', error: null, appliedHash: work.hash, appliedAt, observed: observed as Record<string, unknown> };
    if (work.state !== 'Applied' || work.appliedHash !== work.hash || stableStringify(work.observed) !== stableStringify(observed) || work.error) {
      dirty.add(work);
    }
    Object.assign(work, change, { updatedAt: new Date() });
  }

  /**
   * Brings the member object to the manifest when it is not there yet: a create when the member has
   * none, else a server-side apply over exactly the version read (`resourceVersion`). A workload whose
   * member owns its replica count is applied with the live count. Returns `live` itself when nothing had
   * to be written.
   */
  private async write(member: MemberObjects, work: PropagationWorkEntity, manifest: MemberObject, live: MemberObject | undefined, timeoutMs: number): Promise<MemberObject> {
    if (!live) return member.create(manifest, { fieldManager: FIELD_MANAGER, timeoutMs });
    if (work.appliedHash === work.hash && liveMatchesManifest(manifest, live)) {
      // Created by an earlier attempt whose ownership hand-over failed: try it again (no-op otherwise).
      return member.claimFieldsAsApplied(live, FIELD_MANAGER, timeoutMs);
    }
    const desired = withRetainedReplicas(manifest, live);
    const applied = await member.apply(desired, { fieldManager: FIELD_MANAGER, force: true, timeoutMs, resourceVersion: live.metadata?.resourceVersion });
    return member.claimFieldsAsApplied(applied, FIELD_MANAGER, timeoutMs);
  }

  /**
   * Leaves a member object that is not this federated object's alone and says why on the work item:
   * someone else's (another federated object or federation) is a conflict naming the owner; one without
   * owner marks waits for `adoptExisting`.
   */
  private refuse(work: PropagationWorkEntity, ownership: Ownership, ref: MemberObjectRef, self: MemberOwner, dirty: Set<PropagationWorkEntity>): void {
    const name = { kind: ref.kind, namespace: ref.namespace, name: ref.name, cluster: work.cluster };
    const { conflict: _previous, ...rest } = work.observed as WorkObserved;
    // Someone else's object tells nothing about this workload's replicas: forget what was observed.
    const observed: WorkObserved = ownership.verdict === 'foreign' ? { conflict: ownership.owner } : rest;
    const error = ownership.verdict === 'foreign' ? describeConflict(name, ownership.owner, self) : describeUnowned(name);
    if (work.state !== 'Error' || work.error !== error || stableStringify(work.observed) !== stableStringify(observed)) {
      if (work.error !== error) this.logger.warn({ cluster: work.cluster, resource: self.key }, `${error}: left alone`);
      dirty.add(work);
      Object.assign(work, { state: 'Error', error, observed, updatedAt: new Date() });
    }
  }

  private async observe(member: MemberObjects, live: MemberObject, work: PropagationWorkEntity, timeoutMs: number): Promise<Observed> {
    const observed = observeLive(live);
    const previous = work.observed as Observed;
    if (live.kind === 'Service') {
      const endpoints = await member.get({ apiVersion: 'v1', kind: 'Endpoints', namespace: live.metadata?.namespace, name: String(live.metadata?.name) }, timeoutMs, { fromCache: true });
      observed.readyEndpoints = readyEndpointsOf(endpoints);
    }
    if (previous.capacity !== undefined && previous.capacityAt !== undefined && Date.now() - previous.capacityAt < CAPACITY_TTL_MS) {
      observed.capacity = previous.capacity;
      observed.capacityAt = previous.capacityAt;
    }
    const notReady = observed.specReplicas !== undefined && (observed.readyReplicas ?? 0) < observed.specReplicas;
    if (notReady && (live.kind === 'Deployment' || live.kind === 'ReplicaSet')) {
      const pods = await member.list('v1', 'Pod', { namespace: live.metadata?.namespace, fieldSelector: 'status.phase=Pending', timeoutMs });
      if (pods.length) {
        const all = await member.list('v1', 'Pod', { namespace: live.metadata?.namespace, timeoutMs });
        const estimate = estimateCapacity(live, all, Date.now(), this.config.propagation.unschedulableSeconds * 1000);
        if (estimate && (observed.capacity === undefined || estimate.capacity < observed.capacity || estimate.capacity < (observed.specReplicas ?? 0))) {
          observed.capacity = estimate.capacity;
          observed.capacityAt = Date.now();
          // The plan changes with the new capacity: re-plan at once.
          void this.requestReconcile(work.objectUid);
        }
      }
    }
    return observed;
  }

  /** Deletes what Ubernetes created in the member, then the work item. NotReady: kept and retried. */
  private async removeWork(work: PropagationWorkEntity, cluster: MemberClusterInfo | undefined, timeoutMs: number): Promise<boolean> {
    if (!cluster) {
      await this.works.remove(work.objectUid, work.cluster);
      return true;
    }
    if (!cluster.ready) {
      await this.works.update(work.objectUid, work.cluster, { state: 'Deleting', error: 'cluster is NotReady; deletion will be retried' });
      return false;
    }
    const member = await this.connections.for(work.cluster, timeoutMs);
    const manifest = work.manifest as unknown as KubeObject;
    const ref = refOf(manifest);
    const self = this.ownerOf(work.objectUid, manifest.metadata?.annotations?.[FEDERATED_OBJECT_ANNOTATION] ?? '');
    // Only what this federated object owns is deleted — never an unmanaged object (a refused adoption) or
    // another owner's. A quorum read: a deletion skipped on a stale "gone" would leave the object behind.
    // The delete is conditional on the object read (uid and resourceVersion).
    for (let attempt = 0; ; attempt++) {
      const live = await member.get(ref, timeoutMs);
      const ownership = decideOwnership(live, self, false);
      if (!live || !mayDelete(ownership)) {
        if (ownership.verdict === 'foreign' || ownership.verdict === 'unowned') this.logger.log({ cluster: work.cluster, resource: self.key }, 'member object is not this object\'s: left in place');
        break;
      }
      try {
        await member.delete(ref, timeoutMs, { uid: live.metadata?.uid, resourceVersion: live.metadata?.resourceVersion });
        break;
      } catch (error) {
        if (attempt > 0 || !(error instanceof MemberRequestError) || error.status !== 409) throw error;
      }
    }
    await this.works.remove(work.objectUid, work.cluster);
    return true;
  }

  private async finishDeletion(uid: string, works: PropagationWorkEntity[], byName: Map<string, MemberClusterInfo>, row: FederatedObjectEntity): Promise<void> {
    const timeoutMs = this.config.propagation.memberTimeoutMs;
    const done = await Promise.all(works.map((w) => this.removeWork(w, byName.get(w.cluster), timeoutMs).catch((e) => this.fail(w, e).then(() => false))));
    if (done.every(Boolean) && (await this.objects.removeIfDrained(uid))) {
      this.logger.log({ uid }, 'federated object deleted from every member');
      // Gone: the workload a federated autoscaler targeted owns its replica counts again.
      await this.reconcileAutoscaled(toFederatedObject(row));
      return;
    }
    // Some cluster is unreachable: try again later (resync also picks deleting objects up).
    await this.requestRefresh(uid, 3);
  }

  /** Records a member failure on the in-memory work item (saved with the others). */
  private markFailed(work: PropagationWorkEntity, error: unknown, dirty: Set<PropagationWorkEntity>): void {
    const message = error instanceof MemberRequestError ? error.message : describeKubeError(error);
    this.logger.warn({ cluster: work.cluster, uid: work.objectUid, err: message }, 'member operation failed');
    work.state = 'Error';
    work.error = message;
    dirty.add(work);
  }

  private async fail(work: PropagationWorkEntity, error: unknown): Promise<void> {
    const message = error instanceof MemberRequestError ? error.message : describeKubeError(error);
    this.logger.warn({ cluster: work.cluster, uid: work.objectUid, err: message }, 'member operation failed');
    work.state = 'Error';
    work.error = message;
    await this.works.update(work.objectUid, work.cluster, { state: 'Error', error: message }).catch(() => undefined);
  }

  private clusterStatus(w: PropagationWorkEntity, cluster: MemberClusterInfo | undefined, planned: number | undefined): ClusterStatus {
    const o = w.observed as WorkObserved;
    const state = (w.state as ClusterStatus['state']) ?? 'Pending';
    // A member that owns its replica count (retainReplicas, autoscaler) is planned what it asks for.
    const plannedReplicas = manifestRetainsReplicas(w.manifest) && o.specReplicas !== undefined ? o.specReplicas : (planned ?? o.specReplicas);
    return {
      cluster: w.cluster,
      state: w.state === 'Applied' && w.appliedHash !== w.hash ? 'Pending' : state,
      ...(o.conflict ? { reason: 'Conflict' as const } : {}),
      ...(w.error ? { error: w.error } : !cluster ? { error: 'cluster is not registered' } : {}),
      ...(plannedReplicas !== undefined ? { plannedReplicas } : {}),
      ...(o.specReplicas !== undefined ? { replicas: o.replicas ?? 0, readyReplicas: o.readyReplicas ?? 0, availableReplicas: o.availableReplicas ?? 0 } : {}),
      ...(o.ingress ? { ingress: o.ingress } : {}),
      ...(o.readyEndpoints !== undefined ? { readyEndpoints: o.readyEndpoints } : {}),
      ...(w.appliedAt ? { lastAppliedAt: new Date(w.appliedAt).toISOString() } : {}),
    };
  }

  /**
   * Per federated Service, per cluster holding it: load-balancer ingress and ready endpoint count, as
   * last observed by reconcile/resync (for DNS publication). Clusters where the Service is not applied
   * are left out.
   */
  async listServiceEndpoints(): Promise<ServiceEndpoints[]> {
    const rows = (await this.objects.list('FederatedService')).filter((r) => !r.deletingAt);
    const works = await this.works.listForObjects(rows.map((r) => r.uid));
    return rows.map((r) => ({
      namespace: r.namespace,
      name: r.name,
      uid: r.uid,
      clusters: works
        // Every cluster the Service is placed on, with its last observation: a cluster that is NotReady or
        // being re-applied keeps its place (DNS then falls back to the region level instead of the zone
        // name vanishing); whether it is healthy is decided from the cluster's health and ready endpoints.
        .filter((w) => w.objectUid === r.uid && w.state !== 'Deleting')
        .sort((a, b) => (a.cluster < b.cluster ? -1 : 1))
        .map((w) => {
          const o = w.observed as Observed;
          return { cluster: w.cluster, ingress: o.ingress ?? [], readyEndpoints: o.readyEndpoints ?? 0 };
        }),
    }));
  }
}

function refOf(manifest: { apiVersion: string; kind: string; metadata?: { name?: string; namespace?: string } }): MemberObjectRef {
  return { apiVersion: manifest.apiVersion, kind: manifest.kind, namespace: manifest.metadata?.namespace, name: String(manifest.metadata?.name) };
}

function withoutTimes(status: FederatedStatus | undefined): unknown {
  if (!status) return undefined;
  return { ...status, conditions: status.conditions?.map(({ lastTransitionTime: _t, ...c }) => c), clusters: status.clusters?.map(({ lastAppliedAt: _a, ...c }) => c) };
}
