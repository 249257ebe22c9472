import { Logger } from '@nestjs/common';
import {
  ADOPT_ANNOTATION,
  FEDERATED_OBJECT_ANNOTATION,
  FIELD_MANAGER,
  decideOwnership,
  describeConflict,
  describeUnowned,
  federatedObjectKey,
  liveMatchesManifest,
  mayDelete,
  maySeize,
  withRetainedReplicas,
  type FederatedObject,
  type KubeObject,
  type MemberOwner,
  type Ownership,
} from '#libs/federation';
import { describeKubeError, MemberRequestError, type MemberObject, type MemberObjectRef, type MemberObjects } from '#libs/kube';
import type { MemberClusterInfo } from './member-cluster-directory.js';
import { CAPACITY_TTL_MS, estimateCapacity, observeLive, readyEndpointsOf, type Observed } from './observe.js';
import { appliedWork, awaitingCluster, deletingWork, failedWork, refusedWork, type Work } from './work.js';

/** The member requests the applier makes (a `MemberObjects`; tests pass a fake). */
export type MemberClient = Pick<MemberObjects, 'get' | 'create' | 'apply' | 'claimFieldsAsApplied' | 'delete' | 'list'>;

/** Where the applier gets a member's client (`MemberConnections`). */
export interface MemberClients {
  for(cluster: string, timeoutMs: number): Promise<MemberClient>;
}

export interface ApplierSettings {
  /** The federation's owner id (`UBERNETES_OWNER_ID`), as ownership marks carry it. */
  ownerId: string;
  /** Timeout of each member request (ms). */
  timeoutMs: number;
  /** How long (ms) a pod must stay Unschedulable before it counts towards a capacity estimate. */
  unschedulableMs: number;
}

/** What applying one item did. */
export interface WorkApplyOutcome {
  /** The item as it now stands (Applied, Pending while its cluster is NotReady, or Error). */
  work: Work;
  /** A new, lower capacity estimate was learned: the plan changes, so the object should be re-planned now. */
  replan: boolean;
  /**
   * A write to the member was attempted (create or apply; also when it then failed): the member may now
   * hold this item's manifest, so a reconcile whose record is refused must not leave it untracked.
   */
  written: boolean;
}

/** What removing one item did. */
export type WorkRemoveOutcome =
  /** Gone from the member (or nothing to reach): delete the row. */
  | { outcome: 'removed' }
  /** The cluster is NotReady: the item waits as Deleting. */
  | { outcome: 'waiting'; work: Work }
  /** A member request failed: the item as Error. */
  | { outcome: 'failed'; work: Work };

/**
 * The applier: brings one member to one work item, and removes items no longer wanted. It talks to
 * members and returns what it found — it writes no rows and enqueues nothing; reconcile records the
 * results and acts on them. One broken member is an Error on its item, never a thrown error.
 *
 * - **Ownership** (`#libs/federation` ownership.ts): before writing or deleting it reads what the member
 *   holds under the manifest's name. It creates when nothing is there (a create fails on a taken name),
 *   applies only over the version it checked (`resourceVersion`), adopts an unowned object only with
 *   `spec.adoptExisting` (or the adopt-existing annotation), deletes only what this federated object
 *   owns, and leaves another owner's object alone, reporting a conflict.
 * - **retainReplicas** (replica-retention.ts): a manifest whose member owns its replica count is applied
 *   with the live count.
 * - **Capacity**: while a Deployment/ReplicaSet runs fewer ready replicas than it asks for and pods are
 *   Pending, the pods tell how many it can run (`estimateCapacity`); a lower estimate asks for a re-plan.
 */
export class WorkApplier {
  constructor(
    private readonly members: MemberClients,
    private readonly settings: ApplierSettings,
    private readonly logger: Pick<Logger, 'debug' | 'log' | 'warn'> = new Logger('WorkApplier'),
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Applies `work` if its cluster is Ready and the member differs, and observes the member object. A
   * NotReady cluster gets nothing; the item says why (`notReadyNote`, e.g. the failover delay's end).
   */
  async apply(obj: FederatedObject, work: Work, cluster: MemberClusterInfo | undefined, notReadyNote = 'cluster is NotReady'): Promise<WorkApplyOutcome> {
    if (!cluster || !cluster.ready) return { work: awaitingCluster(work, notReadyNote, this.at()), replan: false, written: false };
    const attempt = { written: false };
    try {
      return await this.applyReady(obj, work, attempt);
    } catch (error) {
      return { work: this.failed(work, error), replan: false, written: attempt.written };
    }
  }

  /** Deletes what this federated object owns of `work` in the member. NotReady: waits; unregistered: forgotten. */
  async remove(work: Work, cluster: MemberClusterInfo | undefined): Promise<WorkRemoveOutcome> {
    if (!cluster) return { outcome: 'removed' };
    if (!cluster.ready) return { outcome: 'waiting', work: deletingWork(work, this.at()) };
    try {
      await this.removeReady(work);
      return { outcome: 'removed' };
    } catch (error) {
      return { outcome: 'failed', work: this.failed(work, error) };
    }
  }

  private async applyReady(obj: FederatedObject, work: Work, attempt: { written: boolean }): Promise<WorkApplyOutcome> {
    const { timeoutMs } = this.settings;
    const member = await this.members.for(work.cluster, timeoutMs);
    const manifest = work.manifest;
    const ref = refOf(manifest);
    const self = this.ownerOf(work.objectUid, federatedObjectKey(obj));
    const adopt = obj.spec.adoptExisting === true || obj.metadata.annotations?.[ADOPT_ANNOTATION] === 'true';
    // The ownership check may read the watch cache (a few ms behind): every write below is conditional on
    // what was read — a create fails when the name is taken, an apply carries the read resourceVersion —
    // so a stale read costs one HTTP 409 and a quorum re-read, never a write over someone else's object.
    let live = await member.get(ref, timeoutMs, { fromCache: true });
    let appliedAt = work.appliedAt;
    for (let tries = 0; ; tries++) {
      const ownership = decideOwnership(live, self, adopt);
      if (!maySeize(ownership)) return { work: this.refuse(work, ownership, ref, self), replan: false, written: attempt.written };
      try {
        const written = await this.write(member, work, manifest, live, attempt);
        if (written !== live) {
          appliedAt = new Date(this.now());
          this.logger.debug({ cluster: work.cluster, resource: self.key, ownership: ownership.verdict }, live ? 'applied' : 'created');
        }
        live = written;
        break;
      } catch (error) {
        if (tries > 0 || !(error instanceof MemberRequestError) || error.status !== 409) throw error;
        live = await member.get(ref, timeoutMs); // changed meanwhile (or the cache lagged): look again, once
      }
    }
    const { observed, replan } = await this.observe(member, live, work.observed);
    return { work: appliedWork(work, { observed, appliedAt }, this.at()), replan, written: attempt.written };
  }

  /**
   * Brings the member object to the manifest when it is not there yet: a create when the member has
   * none, else a server-side apply over exactly the version read (`resourceVersion`). A workload whose
   * member owns its replica count is applied with the live count. Returns `live` itself when nothing had
   * to be written.
   */
  private async write(member: MemberClient, work: Work, manifest: MemberObject, live: MemberObject | undefined, attempt: { written: boolean }): Promise<MemberObject> {
    const { timeoutMs } = this.settings;
    if (!live) {
      attempt.written = true;
      return member.create(manifest, { fieldManager: FIELD_MANAGER, timeoutMs });
    }
    if (work.appliedHash === work.hash && liveMatchesManifest(manifest, live)) {
      // Created by an earlier attempt whose ownership hand-over failed: try it again (no-op otherwise).
      return member.claimFieldsAsApplied(live, FIELD_MANAGER, timeoutMs);
    }
    attempt.written = true;
    const desired = withRetainedReplicas(manifest, live);
    const applied = await member.apply(desired, { fieldManager: FIELD_MANAGER, force: true, timeoutMs, resourceVersion: live.metadata?.resourceVersion });
    return member.claimFieldsAsApplied(applied, FIELD_MANAGER, timeoutMs);
  }

  /**
   * Leaves a member object that is not this federated object's alone and says why on the item: someone
   * else's (another federated object or federation) is a conflict naming the owner; one without owner
   * marks waits for `adoptExisting`.
   */
  private refuse(work: Work, ownership: Ownership, ref: MemberObjectRef, self: MemberOwner): Work {
    const name = { kind: ref.kind, namespace: ref.namespace, name: ref.name, cluster: work.cluster };
    const { conflict: _previous, ...rest } = work.observed;
    // Someone else's object tells nothing about this workload's replicas: forget what was observed.
    const observed: Observed = ownership.verdict === 'foreign' ? { conflict: ownership.owner } : rest;
    const error = ownership.verdict === 'foreign' ? describeConflict(name, ownership.owner, self) : describeUnowned(name);
    const next = refusedWork(work, { error, observed }, this.at());
    if (next !== work && work.error !== error) this.logger.warn({ cluster: work.cluster, resource: self.key }, `${error}: left alone`);
    return next;
  }

  /** What the member object reports, keeping an unexpired capacity estimate or learning a lower one. */
  private async observe(member: MemberClient, live: MemberObject, previous: Observed): Promise<{ observed: Observed; replan: boolean }> {
    const { timeoutMs } = this.settings;
    const observed = observeLive(live);
    if (live.kind === 'Service') {
      const endpoints = await member.get({ apiVersion: 'v1', kind: 'Endpoints', namespace: live.metadata?.namespace, name: String(live.metadata?.name) }, timeoutMs, { fromCache: true });
      observed.readyEndpoints = readyEndpointsOf(endpoints);
    }
    if (previous.capacity !== undefined && previous.capacityAt !== undefined && this.now() - previous.capacityAt < CAPACITY_TTL_MS) {
      observed.capacity = previous.capacity;
      observed.capacityAt = previous.capacityAt;
    }
    let replan = false;
    const notReady = observed.specReplicas !== undefined && (observed.readyReplicas ?? 0) < observed.specReplicas;
    if (notReady && (live.kind === 'Deployment' || live.kind === 'ReplicaSet')) {
      const pods = await member.list('v1', 'Pod', { namespace: live.metadata?.namespace, fieldSelector: 'status.phase=Pending', timeoutMs });
      if (pods.length) {
        const all = await member.list('v1', 'Pod', { namespace: live.metadata?.namespace, timeoutMs });
        const estimate = estimateCapacity(live, all, this.now(), this.settings.unschedulableMs);
        if (estimate && (observed.capacity === undefined || estimate.capacity < observed.capacity || estimate.capacity < (observed.specReplicas ?? 0))) {
          observed.capacity = estimate.capacity;
          observed.capacityAt = this.now();
          replan = true;
        }
      }
    }
    return { observed, replan };
  }

  private async removeReady(work: Work): Promise<void> {
    const { timeoutMs } = this.settings;
    const member = await this.members.for(work.cluster, timeoutMs);
    const manifest = work.manifest;
    const ref = refOf(manifest);
    const self = this.ownerOf(work.objectUid, manifest.metadata?.annotations?.[FEDERATED_OBJECT_ANNOTATION] ?? '');
    // Only what this federated object owns is deleted — never an unmanaged object (a refused adoption) or
    // another owner's. A quorum read: a deletion skipped on a stale "gone" would leave the object behind.
    // The delete is conditional on the object read (uid and resourceVersion).
    for (let attempt = 0; ; attempt++) {
      const live = await member.get(ref, timeoutMs);
      const ownership = decideOwnership(live, self, false);
      if (!live || !mayDelete(ownership)) {
        if (ownership.verdict === 'foreign' || ownership.verdict === 'unowned') this.logger.log({ cluster: work.cluster, resource: self.key }, "member object is not this object's: left in place");
        return;
      }
      try {
        await member.delete(ref, timeoutMs, { uid: live.metadata?.uid, resourceVersion: live.metadata?.resourceVersion });
        return;
      } catch (error) {
        if (attempt > 0 || !(error instanceof MemberRequestError) || error.status !== 409) throw error;
      }
    }
  }

  private failed(work: Work, error: unknown): Work {
    const message = error instanceof MemberRequestError ? error.message : describeKubeError(error);
    this.logger.warn({ cluster: work.cluster, uid: work.objectUid, err: message }, 'member operation failed');
    return failedWork(work, message, this.at());
  }

  /** This federation and federated object, as ownership marks name them. */
  private ownerOf(uid: string, key: string): MemberOwner {
    return { ownerId: this.settings.ownerId, uid, key };
  }

  private at(): Date {
    return new Date(this.now());
  }
}

function refOf(manifest: KubeObject): MemberObjectRef {
  return { apiVersion: manifest.apiVersion, kind: manifest.kind, namespace: manifest.metadata?.namespace, name: String(manifest.metadata?.name) };
}
