/**
 * The work item (Karmada's Work): one per federated object × member cluster, holding the manifest
 * materialized for that cluster and its hash, the hash last applied there, and what the member reported
 * last. Rows of `propagation_works` become {@link Work} values in `work.mapper.ts` and nowhere else.
 *
 * State machine. Each event is one function below; it returns a new value and never changes its input.
 *
 * | event                                                   | function          | state    | `error`          |
 * |---------------------------------------------------------|-------------------|----------|------------------|
 * | a new manifest for the cluster (the hash changed)       | {@link desiredWork}     | Pending  | cleared          |
 * | the cluster is NotReady: the apply waits                | {@link awaitingCluster} | Pending  | why it waits     |
 * | a NotReady cluster's replicas were re-planned elsewhere | {@link writtenOffWork}  | Pending  | what moved       |
 * | the member object now matches the manifest              | {@link appliedWork}     | Applied  | cleared          |
 * | the member object belongs to someone else / is unowned  | {@link refusedWork}     | Error    | whose it is      |
 * | a member request failed                                 | {@link failedWork}      | Error    | the failure      |
 * | no longer placed, and the cluster is NotReady           | {@link deletingWork}    | Deleting | why it waits     |
 * | removed from the member                                 | (the row is deleted)    | —        | —                |
 *
 * Every event may occur in every state: a cluster can fail, return, leave and re-enter the placement at
 * any point, so a `Deleting` item can be applied again and an `Applied` one can wait for its cluster.
 * What the states guarantee is what an item says:
 *
 * - `Applied`: `appliedHash === hash` and no error (the member runs this manifest);
 * - `Pending`: the member may not run this manifest yet (`appliedHash` is the last one it did);
 * - `Error`: `error` says why; the next reconcile tries again;
 * - `Deleting`: the item is no longer wanted and its member object waits to be removed.
 *
 * Pure: callers pass the time.
 */
import { stableStringify, type KubeObject } from '#libs/federation';
import type { Observed } from './observe.js';

/** The states of a work item (see the file comment). */
export const WORK_STATES = ['Pending', 'Applied', 'Error', 'Deleting'] as const;
export type WorkState = (typeof WORK_STATES)[number];

/** Whether `value` names a work state. */
export function isWorkState(value: string): value is WorkState {
  return (WORK_STATES as readonly string[]).includes(value);
}

/** One work item. Values are never changed in place: the events below return new ones. */
export interface Work {
  readonly objectUid: string;
  readonly cluster: string;
  /** The manifest materialized for this cluster (what is applied there). */
  readonly manifest: KubeObject;
  /** `manifestHash(manifest)`. */
  readonly hash: string;
  /** Hash of the manifest last applied successfully (null: never applied). */
  readonly appliedHash: string | null;
  /** When the member object was last written (created or applied). */
  readonly appliedAt: Date | null;
  readonly state: WorkState;
  readonly error: string | null;
  /** What the member reported last (replicas, ingress, endpoints, capacity, conflict, write-off). */
  readonly observed: Observed;
  readonly updatedAt: Date;
}

/**
 * The item `cluster` should have for `manifest`: `previous` itself when its hash matches (nothing to do),
 * else a Pending item with the new manifest that keeps what was applied and observed before.
 */
export function desiredWork(
  previous: Work | undefined,
  target: { objectUid: string; cluster: string; manifest: KubeObject; hash: string },
  at: Date,
): Work {
  if (previous && previous.hash === target.hash) return previous;
  return {
    ...target,
    appliedHash: previous?.appliedHash ?? null,
    appliedAt: previous?.appliedAt ?? null,
    state: 'Pending',
    error: null,
    observed: previous?.observed ?? {},
    updatedAt: at,
  };
}

/** The cluster is NotReady: nothing is sent; the item says why it waits (`note`). */
export function awaitingCluster(work: Work, note: string, at: Date): Work {
  if (work.state === 'Pending' && work.error === note) return work;
  return { ...work, state: 'Pending', error: note, updatedAt: at };
}

/**
 * The replicas of a NotReady cluster were re-planned elsewhere: the item now asks for 0 (`manifest`,
 * `hash`) and remembers what it asked for before and since when the cluster is NotReady (ISO time), so
 * failover can report the move. The stale `specReplicas` observation is dropped: the cluster cannot be
 * observed while NotReady.
 */
export function writtenOffWork(work: Work, change: { manifest: KubeObject; hash: string; replicas: number; since: string }, at: Date): Work {
  const { specReplicas: _stale, ...observed } = work.observed;
  return {
    ...work,
    manifest: change.manifest,
    hash: change.hash,
    state: 'Pending',
    error: `cluster is NotReady; its ${change.replicas} replicas were re-planned onto Ready clusters`,
    observed: { ...observed, writtenOff: { replicas: change.replicas, since: change.since } },
    updatedAt: at,
  };
}

/** The member object matches the manifest; `observed` is what it reports, `appliedAt` when it was last written. */
export function appliedWork(work: Work, change: { observed: Observed; appliedAt: Date | null }, at: Date): Work {
  return { ...work, state: 'Applied', error: null, appliedHash: work.hash, appliedAt: change.appliedAt, observed: change.observed, updatedAt: at };
}

/** The member object is not this federated object's: left alone; `error` says whose it is. */
export function refusedWork(work: Work, change: { error: string; observed: Observed }, at: Date): Work {
  if (work.state === 'Error' && work.error === change.error && stableStringify(work.observed) === stableStringify(change.observed)) return work;
  return { ...work, state: 'Error', error: change.error, observed: change.observed, updatedAt: at };
}

/** A member request failed (`error`: one readable line); the next reconcile tries again. */
export function failedWork(work: Work, error: string, at: Date): Work {
  return { ...work, state: 'Error', error, updatedAt: at };
}

/** No longer placed, but the cluster is NotReady: its member object is removed once it is back. */
export function deletingWork(work: Work, at: Date): Work {
  return { ...work, state: 'Deleting', error: 'cluster is NotReady; deletion will be retried', updatedAt: at };
}

/**
 * Whether `after` says something `before` (the stored item; undefined: none) does not, so the row must
 * be written. Timestamps alone do not count: a re-apply that changed nothing else is not stored.
 */
export function needsSaving(before: Work | undefined, after: Work): boolean {
  if (!before) return true;
  return (
    before.state !== after.state ||
    before.error !== after.error ||
    before.hash !== after.hash ||
    before.appliedHash !== after.appliedHash ||
    stableStringify(before.observed) !== stableStringify(after.observed)
  );
}
