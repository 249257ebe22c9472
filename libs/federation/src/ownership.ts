/**
 * Ownership of member objects. Every object Ubernetes writes into a member carries its owner: the
 * federation's owner id (`UBERNETES_OWNER_ID`, annotation `federation.ubernetes.io/owner-id`) and the uid
 * of the federated object (`federation.ubernetes.io/federated-object-uid`), beside the managed-by label and
 * the `kind/namespace/name` annotation. Before writing or deleting, propagation reads what the member holds
 * and asks {@link decideOwnership}:
 *
 * - nothing there: create it (with a create that fails when someone else just did);
 * - the same owner (same owner id AND same uid): ours, apply and delete freely;
 * - written by an earlier version (managed-by label and the `kind/namespace/name` annotation naming this
 *   object, no uid annotation, no other owner id): ours too; the next apply adds the annotations;
 * - no owner marks at all: adopted only when asked (`spec.adoptExisting`, annotation
 *   `federation.ubernetes.io/adopt-existing: "true"`), otherwise refused;
 * - anything else (another federated object, another federation, marks that do not add up): someone
 *   else's. It is never applied over and never deleted; the federated object reports a `Conflict`.
 *
 * Pure: no I/O.
 */
import { FEDERATED_OBJECT_ANNOTATION, FEDERATED_OBJECT_UID_ANNOTATION, MANAGED_BY_LABEL, MANAGED_BY_VALUE, OWNER_ID_ANNOTATION } from './kinds.js';

/** Who writes: this federation and one of its federated objects. */
export interface MemberOwner {
  /** The federation's owner id (`[a-z0-9-]{1,63}`). */
  ownerId: string;
  /** Uid of the federated object. */
  uid: string;
  /** `Kind/namespace/name` of the federated object (see `federatedObjectKey`). */
  key: string;
}

/** The owner marks found on a member object (each may be missing). */
export interface OwnerMarks {
  managed: boolean;
  ownerId?: string;
  uid?: string;
  key?: string;
}

/** What may be done with the object a member holds under a manifest's name. */
export type Ownership =
  /** Nothing there: create it. */
  | { verdict: 'absent' }
  /** This federated object's (`legacy`: written before uids were recorded; the next apply adds them). */
  | { verdict: 'owned'; legacy: boolean }
  /** No owner marks: Ubernetes did not create it. Taken over only when `adopt` is set. */
  | { verdict: 'unowned'; adopt: boolean }
  /** Someone else's: leave it alone and report it. */
  | { verdict: 'foreign'; owner: OwnerMarks };

/** The owner marks of a member object's metadata. */
export function ownerMarksOf(metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined): OwnerMarks {
  const annotations = metadata?.annotations ?? {};
  return {
    managed: metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE,
    ...(annotations[OWNER_ID_ANNOTATION] !== undefined ? { ownerId: annotations[OWNER_ID_ANNOTATION] } : {}),
    ...(annotations[FEDERATED_OBJECT_UID_ANNOTATION] !== undefined ? { uid: annotations[FEDERATED_OBJECT_UID_ANNOTATION] } : {}),
    ...(annotations[FEDERATED_OBJECT_ANNOTATION] !== undefined ? { key: annotations[FEDERATED_OBJECT_ANNOTATION] } : {}),
  };
}

/**
 * The ownership rule (see the file comment). `live` is what the member holds under the manifest's name
 * (undefined: nothing); `adopt` is whether the federated object asks to take over unowned objects.
 */
export function decideOwnership(live: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> } } | undefined, self: MemberOwner, adopt: boolean): Ownership {
  if (!live) return { verdict: 'absent' };
  const marks = ownerMarksOf(live.metadata);
  if (marks.uid !== undefined || marks.ownerId !== undefined) {
    // Recorded owner: both must be ours. (The managed-by label alone proves nothing either way.)
    if (marks.uid === self.uid && marks.ownerId === self.ownerId) return { verdict: 'owned', legacy: false };
    return { verdict: 'foreign', owner: marks };
  }
  if (marks.managed) return marks.key === self.key ? { verdict: 'owned', legacy: true } : { verdict: 'foreign', owner: marks };
  // A `kind/namespace/name` annotation without the label: some Ubernetes wrote it; not ours to take.
  if (marks.key !== undefined) return { verdict: 'foreign', owner: marks };
  return { verdict: 'unowned', adopt };
}

/** Whether `ownership` lets this federated object write (create, apply) the member object. */
export function maySeize(ownership: Ownership): boolean {
  return ownership.verdict === 'absent' || ownership.verdict === 'owned' || (ownership.verdict === 'unowned' && ownership.adopt);
}

/** Whether `ownership` lets this federated object delete the member object: only what it owns. */
export function mayDelete(ownership: Ownership): boolean {
  return ownership.verdict === 'owned';
}

/** A member object as messages name it. */
export interface MemberObjectName {
  kind: string;
  namespace?: string;
  name: string;
  cluster: string;
}

/** `ConfigMap default/settings in cluster c1`. */
export function describeMemberObject(ref: MemberObjectName): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name} in cluster ${ref.cluster}`;
}

/**
 * The conflict as a person reads it: `ConfigMap default/settings in cluster c1 belongs to
 * FederatedConfigMap/default/a (federation demo)`. A previous federated object of this federation with
 * this object's own name (deleted while the cluster was unregistered, then created again) is told apart
 * by its uid.
 */
export function describeConflict(ref: MemberObjectName, owner: OwnerMarks, self: MemberOwner): string {
  const who = owner.key ?? 'another federated object';
  const federation = owner.ownerId ?? 'unknown';
  const earlier = owner.ownerId === self.ownerId && owner.key === self.key && owner.uid !== undefined && owner.uid !== self.uid ? `, uid ${owner.uid}: an earlier object of that name` : '';
  return `${describeMemberObject(ref)} belongs to ${who} (federation ${federation}${earlier})`;
}

/** A refused adoption as a person reads it (the object has no owner marks). */
export function describeUnowned(ref: MemberObjectName): string {
  return `a ${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name} not created by Ubernetes already exists (set spec.adoptExisting: true to take it over)`;
}
