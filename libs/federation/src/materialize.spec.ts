import { applyOperations } from './json-pointer.js';
import { manifestHash } from './hash.js';
import { liveMatchesManifest, materialize } from './materialize.js';
import type { FederatedObject } from './federated-object.types.js';

const obj: FederatedObject = {
  apiVersion: 'federation.ubernetes.io/v1',
  kind: 'FederatedDeployment',
  metadata: { name: 'web', namespace: 'shop', uid: 'u-1' },
  spec: {
    template: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { replicas: 9, template: { spec: { containers: [{ name: 'web', image: 'nginx:1', ports: [{ containerPort: 80 }] }] } } },
    },
    overrides: [
      { clusterName: 'eu', clusterOverrides: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:eu' }] },
      { clusterSelector: { matchLabels: { tier: 'edge' } }, clusterOverrides: [{ op: 'add', path: '/metadata/labels/edge', value: 'true' }] },
    ],
  },
};

const context = { ownerId: 'demo' };

describe('materialize(template, overrides, replicas)', () => {
  it('applies the overrides of that cluster, the planned replicas and the ownership marks', () => {
    const m = materialize(obj, { name: 'eu', labels: { tier: 'edge' } }, 3, context) as any;
    expect(m.spec.replicas).toBe(3);
    expect(m.spec.template.spec.containers[0].image).toBe('nginx:eu');
    expect(m.spec.template.spec.containers[0].ports[0].protocol).toBe('TCP');
    expect(m.metadata.labels).toEqual({ edge: 'true', 'federation.ubernetes.io/managed-by': 'ubernetes' });
    expect(m.metadata.annotations['federation.ubernetes.io/federated-object']).toBe('FederatedDeployment/shop/web');
    expect(m.metadata.annotations['federation.ubernetes.io/federated-object-uid']).toBe('u-1');
    expect(m.metadata.annotations['federation.ubernetes.io/owner-id']).toBe('demo');
    const us = materialize(obj, { name: 'us', labels: {} }, 6, context) as any;
    expect(us.spec.template.spec.containers[0].image).toBe('nginx:1');
    expect(us.metadata.labels.edge).toBeUndefined();
    expect(obj.spec.template.spec).toMatchObject({ replicas: 9 }); // input untouched
  });

  it('writes the owner marks last, so a template cannot claim another owner', () => {
    const claiming = structuredClone(obj);
    claiming.spec.template.metadata!.annotations = {
      'federation.ubernetes.io/owner-id': 'other',
      'federation.ubernetes.io/federated-object-uid': 'stolen',
      'federation.ubernetes.io/federated-object': 'FederatedDeployment/shop/other',
    };
    const m = materialize(claiming, { name: 'us' }, 1, context) as any;
    expect(m.metadata.annotations).toEqual({
      'federation.ubernetes.io/federated-object': 'FederatedDeployment/shop/web',
      'federation.ubernetes.io/federated-object-uid': 'u-1',
      'federation.ubernetes.io/owner-id': 'demo',
    });
    expect(() => materialize({ ...obj, metadata: { name: 'web', namespace: 'shop' } }, { name: 'us' }, 1, context)).toThrow(/no uid/);
  });

  it('hashes equal manifests equally, whatever the key order', () => {
    expect(manifestHash({ a: 1, b: { c: 2, d: [1, 2] } })).toBe(manifestHash({ b: { d: [1, 2], c: 2 }, a: 1 }));
    expect(manifestHash({ a: 1 })).not.toBe(manifestHash({ a: 2 }));
  });

  it('detects drift as "manifest is not a subset of the live object"', () => {
    const m = materialize(obj, { name: 'us' }, 6, context);
    const live = structuredClone(m) as any;
    live.status = { readyReplicas: 6 };
    live.spec.template.spec.containers[0].imagePullPolicy = 'IfNotPresent';
    expect(liveMatchesManifest(m, live)).toBe(true);
    live.spec.replicas = 1;
    expect(liveMatchesManifest(m, live)).toBe(false);
  });
});

describe('JSON pointer operations', () => {
  const doc = { spec: { list: [1, 2], 'a/b': { '~x': 1 } } };
  it('add / replace / remove, with escapes and "-"', () => {
    expect(applyOperations(doc, [{ op: 'add', path: '/spec/list/-', value: 3 }])).toEqual({ spec: { list: [1, 2, 3], 'a/b': { '~x': 1 } } });
    expect(applyOperations(doc, [{ op: 'replace', path: '/spec/a~1b/~0x', value: 2 }]).spec['a/b']).toEqual({ '~x': 2 });
    expect(applyOperations(doc, [{ op: 'remove', path: '/spec/list/0' }]).spec.list).toEqual([2]);
    expect(applyOperations(doc, [{ op: 'add', path: '/metadata/labels/x', value: 'y' }])).toMatchObject({ metadata: { labels: { x: 'y' } } });
  });
  it('refuses replace/remove of what does not exist, naming the operation', () => {
    expect(() => applyOperations(doc, [{ op: 'replace', path: '/spec/nope', value: 1 }], 'spec.overrides[2].clusterOverrides')).toThrow(/spec\.overrides\[2\]\.clusterOverrides\[0\]\.path/);
  });
});
