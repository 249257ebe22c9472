import { ErrorCode } from '#libs/common';
import { isKubePath, kubeRequestInfo, toKubeStatus } from './kube-status.js';

const FD = '/apis/federation.ubernetes.io/v1/namespaces/default/federateddeployments';

describe('metav1.Status of errors on the Kubernetes paths', () => {
  it('answers Kubernetes paths only (the /api/v1 aliases keep their shape)', () => {
    expect(['/apis', '/apis/federation.ubernetes.io/v1/clusters', '/api', '/api/v1', '/version', '/openapi/v3'].every(isKubePath)).toBe(true);
    expect(['/api/v1/clusters', '/api/v1/namespaces/default/federateddeployments', '/healthz', '/openapi.json'].some(isKubePath)).toBe(false);
  });

  it('reads group, namespace, resource and name from the path', () => {
    expect(kubeRequestInfo(`${FD}/web/status?x=1`)).toEqual({ group: 'federation.ubernetes.io', version: 'v1', namespace: 'default', resource: 'federateddeployments', name: 'web', subresource: 'status' });
    expect(kubeRequestInfo('/apis/federation.ubernetes.io/v1/clusters/east')).toEqual({ group: 'federation.ubernetes.io', version: 'v1', resource: 'clusters', name: 'east', subresource: undefined });
    expect(kubeRequestInfo('/apis/federation.ubernetes.io/v1/namespaces')).toMatchObject({ resource: 'namespaces' });
  });

  it('names a missing object the Kubernetes way', () => {
    expect(toKubeStatus({ status: 404, code: ErrorCode.NotFound, message: 'federateddeployment default/web not found', details: [], method: 'GET', path: `${FD}/web` })).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'federateddeployments.federation.ubernetes.io "web" not found',
      reason: 'NotFound',
      details: { name: 'web', group: 'federation.ubernetes.io', kind: 'federateddeployments' },
      code: 404,
    });
  });

  it('an unknown route is "the server could not find the requested resource"', () => {
    const s = toKubeStatus({ status: 404, code: ErrorCode.NotFound, message: 'Cannot GET /apis/example.com/v1', details: [], method: 'GET', path: '/apis/example.com/v1' });
    expect([s.reason, s.message, s.details]).toEqual(['NotFound', 'the server could not find the requested resource', undefined]);
  });

  it('a stale resourceVersion is the Conflict kubectl users know', () => {
    const s = toKubeStatus({ status: 409, code: ErrorCode.Conflict, message: 'federateddeployment web was modified (resourceVersion 1 is stale; current 2)', details: [], method: 'PUT', path: `${FD}/web` });
    expect(s.reason).toBe('Conflict');
    expect(s.message).toBe('Operation cannot be fulfilled on federateddeployments.federation.ubernetes.io "web": the object has been modified; please apply your changes to the latest version and try again');
    const deleting = toKubeStatus({ status: 409, code: ErrorCode.Conflict, message: 'federateddeployment web is being deleted', details: [], method: 'PUT', path: `${FD}/web` });
    expect(deleting.message).toBe('Operation cannot be fulfilled on federateddeployments.federation.ubernetes.io "web": federateddeployment web is being deleted');
  });

  it('a taken name is AlreadyExists, named from the body of the create', () => {
    const s = toKubeStatus({ status: 409, code: ErrorCode.AlreadyExists, message: 'federateddeployment web already exists', details: [], method: 'POST', path: FD, bodyName: 'web' });
    expect([s.reason, s.message, s.details?.name]).toEqual(['AlreadyExists', 'federateddeployments.federation.ubernetes.io "web" already exists', 'web']);
  });

  it('invalid input is Invalid with a cause per field path, the kind in details', () => {
    const details = [
      { path: 'spec.replicaScheduling.clusters.a.weight', message: 'must not be negative' },
      { path: 'spec.placement.clusterz', message: 'unknown field' },
    ];
    const s = toKubeStatus({ status: 422, code: ErrorCode.Invalid, message: 'invalid FederatedDeployment: ...', details, method: 'POST', path: FD, bodyName: 'web' });
    expect(s.code).toBe(422);
    expect(s.reason).toBe('Invalid');
    expect(s.message).toBe('FederatedDeployment.federation.ubernetes.io "web" is invalid: [spec.replicaScheduling.clusters.a.weight: must not be negative, spec.placement.clusterz: unknown field]');
    expect(s.details).toEqual({
      name: 'web',
      group: 'federation.ubernetes.io',
      kind: 'FederatedDeployment',
      causes: [
        { reason: 'FieldValueInvalid', message: 'must not be negative', field: 'spec.replicaScheduling.clusters.a.weight' },
        { reason: 'FieldValueInvalid', message: 'unknown field', field: 'spec.placement.clusterz' },
      ],
    });
  });

  it('a forbidden write keeps the reason the guard gave', () => {
    const s = toKubeStatus({ status: 403, code: ErrorCode.Forbidden, message: 'token:ci (role viewer) may not POST /x: requires operator', details: [], method: 'POST', path: FD, bodyName: 'web' });
    expect([s.reason, s.message]).toEqual(['Forbidden', 'federateddeployments.federation.ubernetes.io "web" is forbidden: token:ci (role viewer) may not POST /x: requires operator']);
  });

  it.each([
    [400, 'BadRequest'],
    [401, 'Unauthorized'],
    [406, 'NotAcceptable'],
    [410, 'Expired'],
    [413, 'RequestEntityTooLarge'],
    [415, 'UnsupportedMediaType'],
    [429, 'TooManyRequests'],
    [500, 'InternalError'],
    [503, 'ServiceUnavailable'],
  ])('HTTP %i is reason %s', (status, reason) => {
    expect(toKubeStatus({ status, code: ErrorCode.Internal, message: 'm', details: [], method: 'GET', path: '/apis' }).reason).toBe(reason);
  });

  it('carries Retry-After into details', () => {
    expect(toKubeStatus({ status: 429, code: ErrorCode.RateLimited, message: 'wait', details: [], method: 'POST', path: FD, retryAfterSeconds: 3 }).details?.retryAfterSeconds).toBe(3);
  });
});
