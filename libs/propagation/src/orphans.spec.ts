import { FEDERATED_OBJECT_UID_ANNOTATION, MANAGED_BY_LABEL, MANAGED_BY_VALUE, OWNER_ID_ANNOTATION } from '#libs/federation';
import type { MemberObject } from '#libs/kube';
import { ORPHAN_GRACE_MS, orphansToDelete, untrackedObjects } from './orphans.js';
import type { Work } from './work.js';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const now = Date.parse('2026-01-01T00:10:00Z');

function live(name: string, marks: { owner?: string; uid?: string }, kind = 'ConfigMap', createdAgoMs = 0): MemberObject {
  return {
    apiVersion: 'v1',
    kind,
    metadata: {
      name,
      namespace: 'shop',
      uid: `member-${name}`,
      resourceVersion: '7',
      creationTimestamp: new Date(now - createdAgoMs).toISOString(),
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
      annotations: { ...(marks.owner ? { [OWNER_ID_ANNOTATION]: marks.owner } : {}), ...(marks.uid ? { [FEDERATED_OBJECT_UID_ANNOTATION]: marks.uid } : {}) },
    },
  };
}

function work(uid: string, name: string, kind = 'ConfigMap'): Work {
  return {
    objectUid: uid,
    cluster: 'c1',
    manifest: { apiVersion: 'v1', kind, metadata: { name, namespace: 'shop' } },
    hash: 'h',
    appliedHash: 'h',
    appliedAt: null,
    state: 'Applied',
    error: null,
    observed: {},
    updatedAt: new Date(now),
  };
}

describe('orphans: member objects no work item tracks', () => {
  it('finds only this federation’s objects with a uid that no item of the cluster has as its manifest', () => {
    const objects = [
      live('tracked', { owner: 'fed', uid: A }),
      live('left-behind', { owner: 'fed', uid: B }),
      live('other-federation', { owner: 'other', uid: B }),
      live('legacy', {}),
      live('bad-uid', { owner: 'fed', uid: 'not-a-uuid' }),
      // Same federated object and name, other kind: the item's kind changed, the old object is untracked.
      live('tracked', { owner: 'fed', uid: A }, 'Secret'),
    ];
    const found = untrackedObjects('fed', [work(A, 'tracked')], objects);
    expect(found.map((u) => `${u.object.kind}/${u.object.metadata?.name}:${u.uid}`)).toEqual([`ConfigMap/left-behind:${B}`, `Secret/tracked:${A}`]);
  });

  it('deletes at once when the federated object is gone, and after the grace period when it still exists', () => {
    const gone = { uid: B, object: live('x', { owner: 'fed', uid: B }, 'ConfigMap', 0) };
    const young = { uid: A, object: live('y', { owner: 'fed', uid: A }, 'ConfigMap', ORPHAN_GRACE_MS - 1_000) };
    const old = { uid: A, object: live('z', { owner: 'fed', uid: A }, 'ConfigMap', ORPHAN_GRACE_MS + 1_000) };
    expect(orphansToDelete([gone, young, old], new Set([A]), now)).toEqual([gone, old]);
    // Nothing to delete when every federated object exists and every object is young.
    expect(orphansToDelete([young], new Set([A]), now)).toEqual([]);
  });
});
