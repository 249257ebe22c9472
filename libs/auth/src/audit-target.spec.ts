import { bodyObjectName, describeAuditTarget } from './audit-target.js';

describe('audit target from the route', () => {
  it.each([
    ['/api/v1/tokens', {}, 'ci', { kind: 'tokens', name: 'ci' }],
    ['/api/v1/tokens/:name', { name: 'ci' }, undefined, { kind: 'tokens', name: 'ci' }],
    ['/api/v1/clusters/:name', { name: 'east' }, undefined, { kind: 'clusters', name: 'east' }],
    ['/api/v1/clusters/:name/cordon', { name: 'east' }, undefined, { kind: 'clusters', name: 'east', subresource: 'cordon' }],
    ['/api/v1/namespaces/:namespace/federatedsecrets', { namespace: 'prod' }, 'db', { kind: 'federatedsecrets', namespace: 'prod', name: 'db' }],
    ['/api/v1/namespaces/:namespace/federatedsecrets/:name', { namespace: 'prod', name: 'db' }, undefined, { kind: 'federatedsecrets', namespace: 'prod', name: 'db' }],
    ['/api/v1/namespaces/:ns/federateddeployments/:name/scale', { ns: 'prod', name: 'web' }, undefined, { kind: 'federateddeployments', namespace: 'prod', name: 'web', subresource: 'scale' }],
    ['/api/v1/admin/encryption/rotate', {}, undefined, { kind: 'admin/encryption/rotate' }],
    ['/apis/federation.ubernetes.io/v1/clusters', {}, 'east', { kind: 'clusters', name: 'east' }],
    ['/apis/federation.ubernetes.io/v1/namespaces/:namespace/federateddeployments', { namespace: 'prod' }, 'web', { kind: 'federateddeployments', namespace: 'prod', name: 'web' }],
    ['/apis/federation.ubernetes.io/v1/namespaces/:namespace/federateddeployments/:name', { namespace: 'prod', name: 'web' }, undefined, { kind: 'federateddeployments', namespace: 'prod', name: 'web' }],
    ['/apis/scheduling.kubefed.io/v1alpha1/namespaces/:namespace/replicaschedulingpreferences', { namespace: 'prod' }, 'web', { kind: 'replicaschedulingpreferences', namespace: 'prod', name: 'web' }],
    ['unmatched', {}, undefined, { kind: 'unmatched' }],
  ])('%s %j', (route, params, bodyName, expected) => {
    expect(describeAuditTarget(route, params, bodyName)).toEqual({ namespace: undefined, name: undefined, subresource: undefined, ...expected });
  });

  it('uses the namespace parameter of namespaces/:x whatever its name', () => {
    expect(describeAuditTarget('/api/v1/namespaces/:ns/federatedsecrets/:name', { ns: 'prod', name: 'db' }).namespace).toBe('prod');
  });

  it('clips long names', () => {
    expect(describeAuditTarget('/api/v1/tokens/:name', { name: 'a'.repeat(1000) }).name).toHaveLength(253);
  });

  it('reads only a short metadata.name or name string from a body', () => {
    expect(bodyObjectName({ metadata: { name: 'db' }, spec: { template: { data: { password: 'x' } } } })).toBe('db');
    expect(bodyObjectName({ name: 'ci', role: 'admin' })).toBe('ci');
    expect(bodyObjectName({ name: 5 })).toBeUndefined();
    expect(bodyObjectName({ name: 'x'.repeat(254) })).toBeUndefined();
    expect(bodyObjectName([{ name: 'a' }])).toBeUndefined();
    expect(bodyObjectName('name')).toBeUndefined();
    expect(bodyObjectName(JSON.parse('{"__proto__":{"name":"evil"}}'))).toBeUndefined();
  });
});
