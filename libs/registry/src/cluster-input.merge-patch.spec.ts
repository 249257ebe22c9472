import { DomainError, ErrorCode } from '#libs/common';
import { applyMergePatch, clusterModifiedError, mergeClusterPatch, parseClusterPatch, validateDefinition } from './cluster-input.js';

const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');

/** A stored cluster as the registry keeps it (validated, defaults filled in). */
const stored = {
  labels: { env: 'prod', region: 'eu-west-1' },
  spec: {
    server: 'https://10.0.0.1:6443',
    caData: CA,
    zones: ['eu-west-1a', 'eu-west-1b'],
    taints: [{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }],
    unschedulable: false,
    healthCheck: { periodSeconds: 5, failureThreshold: 4 },
  },
};

function problems(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(ErrorCode.Invalid);
    return [...(error as DomainError).details];
  }
  throw new Error('expected an Invalid error');
}

/** Parse, merge and validate, as the registry does for one PATCH. */
function patched(body: unknown) {
  const patch = parseClusterPatch('eu-1', body);
  const merged = mergeClusterPatch(stored, patch);
  return validateDefinition({ name: 'eu-1', labels: merged.labels, spec: merged.spec, credentials: patch.credentials ?? { token: 't' } });
}

describe('applyMergePatch (RFC 7386)', () => {
  it.each([
    // The examples of RFC 7386 section 3.
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('patches %j with %j into %j', (target, patch, result) => {
    expect(applyMergePatch(target, patch)).toEqual(result);
  });

  it('treats a key whose value is undefined as absent, never as a deletion', () => {
    expect(applyMergePatch({ labels: { a: '1' }, spec: { x: 1 } }, { labels: undefined, spec: { x: 2 } })).toEqual({ labels: { a: '1' }, spec: { x: 2 } });
  });

  it('leaves its inputs unchanged', () => {
    const target = { a: { b: 'c' }, d: ['e'] };
    const patch = { a: { b: null, f: 'g' }, d: ['h'] };
    applyMergePatch(target, patch);
    expect(target).toEqual({ a: { b: 'c' }, d: ['e'] });
    expect(patch).toEqual({ a: { b: null, f: 'g' }, d: ['h'] });
  });
});

describe('cluster merge patch', () => {
  it('keeps every label when the patch has only a spec', () => {
    const def = patched({ spec: { unschedulable: true } });
    expect(def.labels).toEqual({ env: 'prod', region: 'eu-west-1' });
    expect(def.spec.unschedulable).toBe(true);
    expect(def.spec.taints).toEqual(stored.spec.taints);
  });

  it('keeps the spec when the patch has only labels', () => {
    const def = patched({ metadata: { labels: { tier: 'gold' } } });
    expect(def.labels).toEqual({ env: 'prod', region: 'eu-west-1', tier: 'gold' });
    expect(def.spec).toEqual(stored.spec);
  });

  it('removes a label set to null and keeps the others', () => {
    expect(patched({ metadata: { labels: { env: null } } }).labels).toEqual({ region: 'eu-west-1' });
  });

  it('removes every label when metadata.labels is null', () => {
    expect(patched({ metadata: { labels: null } }).labels).toEqual({});
  });

  it('puts a spec field set to null back to its default or absent', () => {
    const def = patched({ spec: { taints: null, unschedulable: null, zones: null, caData: null } });
    expect(def.spec.taints).toEqual([]);
    expect(def.spec.unschedulable).toBe(false);
    expect(def.spec).not.toHaveProperty('zones');
    expect(def.spec).not.toHaveProperty('caData');
    expect(def.spec.server).toBe(stored.spec.server);
  });

  it('merges nested objects and replaces arrays', () => {
    const def = patched({ spec: { healthCheck: { periodSeconds: 10, failureThreshold: null }, zones: ['eu-west-1c'] } });
    expect(def.spec.healthCheck).toEqual({ periodSeconds: 10 });
    expect(def.spec.zones).toEqual(['eu-west-1c']);
  });

  it('drops the health-check override when its last field is removed', () => {
    expect(patched({ spec: { healthCheck: { periodSeconds: null, failureThreshold: null } } }).spec).not.toHaveProperty('healthCheck');
  });

  it('takes new credentials as a whole, dropping null members', () => {
    const patch = parseClusterPatch('eu-1', { spec: { credentials: { token: 'new', clientCertificateData: null } } });
    expect(patch.credentials).toEqual({ token: 'new' });
    expect(patch.spec).toBeUndefined();
  });

  it('reads the preconditions without changing anything with them', () => {
    const patch = parseClusterPatch('eu-1', { metadata: { name: 'eu-1', uid: 'u-1', resourceVersion: '12' } });
    expect(patch).toEqual({ resourceVersion: '12', uid: 'u-1' });
    expect(mergeClusterPatch(stored, patch)).toEqual({ labels: stored.labels, spec: stored.spec });
  });

  it('ignores status and read-only metadata, as the Kubernetes API does', () => {
    const patch = parseClusterPatch('eu-1', {
      apiVersion: 'federation.ubernetes.io/v1',
      kind: 'Cluster',
      metadata: { creationTimestamp: '2020-01-01T00:00:00Z' },
      status: { conditions: [] },
    });
    expect(patch).toEqual({});
  });

  it.each([
    ['an array', [{ op: 'add', path: '/metadata/labels/a', value: 'b' }], '(body)'],
    ['a string', 'spec', '(body)'],
    ['null', null, '(body)'],
    ['a renamed cluster', { metadata: { name: 'eu-2' } }, 'metadata.name'],
    ['metadata: null', { metadata: null }, 'metadata'],
    ['labels that are a list', { metadata: { labels: ['a=b'] } }, 'metadata.labels'],
    ['an annotation (clusters have none)', { metadata: { annotations: { a: 'b' } } }, 'metadata.annotations'],
    ['a numeric resourceVersion', { metadata: { resourceVersion: 12 } }, 'metadata.resourceVersion'],
    ['a resourceVersion that is no version', { metadata: { resourceVersion: '12; DROP TABLE clusters' } }, 'metadata.resourceVersion'],
    ['a resourceVersion beyond bigint', { metadata: { resourceVersion: '9'.repeat(30) } }, 'metadata.resourceVersion'],
    ['spec: null', { spec: null }, 'spec'],
    ['spec that is a list', { spec: [] }, 'spec'],
    ['removed credentials', { spec: { credentials: null } }, 'spec.credentials'],
    ['top-level labels', { labels: { a: 'b' } }, 'labels'],
    ['another kind', { kind: 'Node' }, 'kind'],
  ])('refuses %s, naming the field', (_what, body, path) => {
    expect(problems(() => parseClusterPatch('eu-1', body)).map((p) => p.path)).toContain(path);
  });

  it.each([
    ['a bad label key', { metadata: { labels: { 'bad key': 'v' } } }, 'metadata.labels.bad key'],
    ['a label value that is not a string', { metadata: { labels: { env: 1 } } }, 'metadata.labels.env'],
    ['a removed server', { spec: { server: null } }, 'spec.server'],
    ['an unknown spec field', { spec: { replicas: 3 } }, 'spec.replicas'],
    ['a bad nested value', { spec: { healthCheck: { failureThreshold: -1 } } }, 'spec.healthCheck.failureThreshold'],
    ['a taint without effect', { spec: { taints: [{ key: 'k' }] } }, 'spec.taints[0].effect'],
  ])('refuses %s after merging, naming the field', (_what, body, path) => {
    expect(problems(() => patched(body)).map((p) => p.path)).toContain(path);
  });

  it('names every bad field of one patch at once', () => {
    expect(problems(() => parseClusterPatch('eu-1', { metadata: { name: 'x', resourceVersion: 'latest' }, spec: null })).map((p) => p.path)).toEqual([
      'metadata.name',
      'metadata.resourceVersion',
      'spec',
    ]);
  });
});

describe('clusterModifiedError', () => {
  it('is a Conflict with the message kubectl users know and the field path', () => {
    const error = clusterModifiedError('eu-1', { path: 'metadata.resourceVersion', message: 'is 3, but the cluster is at 4' });
    expect(error.code).toBe(ErrorCode.Conflict);
    expect(error.message).toBe(
      'Operation cannot be fulfilled on clusters "eu-1": the object has been modified; please apply your changes to the latest version and try again',
    );
    expect(error.details).toEqual([{ path: 'metadata.resourceVersion', message: 'is 3, but the cluster is at 4' }]);
  });
});
