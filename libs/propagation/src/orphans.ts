/**
 * Member objects no work item tracks ("orphans"): what a resync pass removes. Every object propagation
 * writes carries this federation's owner id and the federated object's uid (`#libs/federation`
 * ownership.ts); one whose (uid, kind, namespace, name) is not the manifest of a work item of its cluster
 * was left behind — by a reconcile that wrote it after its federated object was deleted, or whose record
 * was refused as out of date and could not remove it again. Pure: the resync pass lists and deletes.
 */
import { ownerMarksOf } from '#libs/federation';
import type { MemberObject } from '#libs/kube';
import type { Work } from './work.js';

/** How long (ms) an untracked object of a federated object that still exists is left alone. */
export const ORPHAN_GRACE_MS = 60_000;

/** A member object a resync pass found no work item for. */
export interface UntrackedObject {
  /** The uid of the federated object its owner marks name. */
  uid: string;
  object: MemberObject;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `uid|apiVersion|kind|namespace|name`: what ties a member object to one work item. */
function trackingKey(uid: string, o: { apiVersion?: string; kind?: string; metadata?: { namespace?: string; name?: string } }): string {
  return [uid, o.apiVersion ?? '', o.kind ?? '', o.metadata?.namespace ?? '', o.metadata?.name ?? ''].join('|');
}

/**
 * Of the objects listed in one member (`live`, any kinds), those this federation (`ownerId`) wrote for a
 * federated object (a well-formed uid in its marks) that none of the cluster's work items (`works`) has
 * as its manifest. Objects of other owners, unowned ones and legacy ones without a uid are never
 * returned.
 */
export function untrackedObjects(ownerId: string, works: readonly Work[], live: readonly MemberObject[]): UntrackedObject[] {
  const tracked = new Set(works.map((w) => trackingKey(w.objectUid, w.manifest)));
  const out: UntrackedObject[] = [];
  for (const object of live) {
    const marks = ownerMarksOf(object.metadata);
    if (marks.ownerId !== ownerId || !marks.uid || !UUID.test(marks.uid)) continue;
    if (!tracked.has(trackingKey(marks.uid, object))) out.push({ uid: marks.uid, object });
  }
  return out;
}

/**
 * Which untracked objects to delete now: every one whose federated object is gone (`existing` lacks its
 * uid: a gone object never comes back, so nothing can still be about to record it), and one whose
 * federated object still exists only once it is older than {@link ORPHAN_GRACE_MS} (a reconcile that has
 * just created it may not have recorded its item yet).
 */
export function orphansToDelete(untracked: readonly UntrackedObject[], existing: ReadonlySet<string>, nowMs: number, graceMs = ORPHAN_GRACE_MS): UntrackedObject[] {
  return untracked.filter((u) => {
    if (!existing.has(u.uid)) return true;
    const created = Date.parse(String(u.object.metadata?.creationTimestamp ?? ''));
    return Number.isFinite(created) && nowMs - created >= graceMs;
  });
}
