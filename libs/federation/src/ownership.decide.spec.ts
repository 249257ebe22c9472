import { decideOwnership, describeConflict, mayDelete, maySeize, type MemberOwner } from './ownership.js';

const self: MemberOwner = { ownerId: 'demo', uid: 'uid-a', key: 'FederatedConfigMap/default/a' };

/** A member object's metadata with the given marks (undefined leaves a mark out). */
function member(marks: { managed?: boolean; ownerId?: string; uid?: string; key?: string }): { metadata: { labels: Record<string, string>; annotations: Record<string, string> } } {
  const annotations: Record<string, string> = {};
  if (marks.ownerId !== undefined) annotations['federation.ubernetes.io/owner-id'] = marks.ownerId;
  if (marks.uid !== undefined) annotations['federation.ubernetes.io/federated-object-uid'] = marks.uid;
  if (marks.key !== undefined) annotations['federation.ubernetes.io/federated-object'] = marks.key;
  return { metadata: { labels: marks.managed ? { 'federation.ubernetes.io/managed-by': 'ubernetes', app: 'x' } : { app: 'x' }, annotations } };
}

describe('decideOwnership: write and delete only what this federated object owns', () => {
  it.each([
    // [case, live, adopt, verdict, may write, may delete]
    ['nothing there', undefined, false, 'absent', true, false],
    ['same owner id and uid', member({ managed: true, ownerId: 'demo', uid: 'uid-a', key: self.key }), false, 'owned', true, true],
    ['same owner, label removed by hand', member({ ownerId: 'demo', uid: 'uid-a', key: self.key }), false, 'owned', true, true],
    ['written by an earlier version (label + this key, no uid)', member({ managed: true, key: self.key }), false, 'owned', true, true],
    ['another federated object of this federation', member({ managed: true, ownerId: 'demo', uid: 'uid-b', key: 'FederatedConfigMap/default/b' }), false, 'foreign', false, false],
    ['an earlier object of the same name (other uid)', member({ managed: true, ownerId: 'demo', uid: 'uid-old', key: self.key }), true, 'foreign', false, false],
    ['another federation, same key and uid', member({ managed: true, ownerId: 'other', uid: 'uid-a', key: self.key }), true, 'foreign', false, false],
    ['another federation, uid missing', member({ managed: true, ownerId: 'other', key: self.key }), false, 'foreign', false, false],
    ['our owner id but no uid', member({ managed: true, ownerId: 'demo', key: self.key }), false, 'foreign', false, false],
    ['earlier version, another federated object', member({ managed: true, key: 'FederatedConfigMap/default/b' }), true, 'foreign', false, false],
    ['managed-by label and no other mark', member({ managed: true }), true, 'foreign', false, false],
    ['a key annotation without the label', member({ key: self.key }), true, 'foreign', false, false],
    ['no marks, adoption not asked', member({}), false, 'unowned', false, false],
    ['no marks, adoption asked', member({}), true, 'unowned', true, false],
  ] as const)('%s', (_case, live, adopt, verdict, write, del) => {
    const ownership = decideOwnership(live, self, adopt);
    expect([ownership.verdict, maySeize(ownership), mayDelete(ownership)]).toEqual([verdict, write, del]);
  });

  it('marks an object written by an earlier version as legacy (the next apply adds the annotations)', () => {
    expect(decideOwnership(member({ managed: true, key: self.key }), self, false)).toEqual({ verdict: 'owned', legacy: true });
    expect(decideOwnership(member({ managed: true, ownerId: 'demo', uid: 'uid-a' }), self, false)).toEqual({ verdict: 'owned', legacy: false });
  });
});

describe('describeConflict names the owner as a person reads it', () => {
  const ref = { kind: 'ConfigMap', namespace: 'default', name: 'settings', cluster: 'c1' };
  it('another federated object', () => {
    expect(describeConflict(ref, { managed: true, ownerId: 'demo', uid: 'uid-b', key: 'FederatedConfigMap/default/b' }, self)).toBe(
      'ConfigMap default/settings in cluster c1 belongs to FederatedConfigMap/default/b (federation demo)',
    );
  });
  it('another federation, and marks that do not say who', () => {
    expect(describeConflict(ref, { managed: true, ownerId: 'other', uid: 'x', key: self.key }, self)).toBe('ConfigMap default/settings in cluster c1 belongs to FederatedConfigMap/default/a (federation other)');
    expect(describeConflict({ ...ref, namespace: undefined }, { managed: true }, self)).toBe('ConfigMap settings in cluster c1 belongs to another federated object (federation unknown)');
  });
  it('an earlier object of the same name is told apart by its uid', () => {
    expect(describeConflict(ref, { managed: true, ownerId: 'demo', uid: 'uid-old', key: self.key }, self)).toContain('uid uid-old: an earlier object of that name');
  });
});
