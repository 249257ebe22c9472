import { AccessRole, defaultRoleForMethod, higherRole, isAccessRole, isMutatingMethod, mayReadSecretData, requiredRole, roleSatisfies } from './access-role.js';

const { Viewer, Operator, Admin } = AccessRole;

describe('role matrix', () => {
  // [caller role, method, explicit route role, allowed]
  const matrix: [AccessRole | undefined, string, AccessRole | undefined, boolean][] = [
    // undecorated routes written by anyone: reads need viewer, writes need operator
    [Viewer, 'GET', undefined, true],
    [Viewer, 'HEAD', undefined, true],
    [Viewer, 'POST', undefined, false],
    [Viewer, 'PUT', undefined, false],
    [Viewer, 'PATCH', undefined, false],
    [Viewer, 'DELETE', undefined, false],
    [Viewer, 'PROPFIND', undefined, false],
    [Operator, 'GET', undefined, true],
    [Operator, 'POST', undefined, true],
    [Operator, 'DELETE', undefined, true],
    [Admin, 'GET', undefined, true],
    [Admin, 'PATCH', undefined, true],
    // admin-only routes (tokens, audit, key rotation)
    [Viewer, 'GET', Admin, false],
    [Operator, 'GET', Admin, false],
    [Operator, 'POST', Admin, false],
    [Admin, 'POST', Admin, true],
    [Admin, 'GET', Admin, true],
    // an OIDC caller whose groups map to no role may do nothing
    [undefined, 'GET', undefined, false],
    [undefined, 'GET', Viewer, false],
  ];

  it.each(matrix)('%s %s on a route requiring %s → allowed %s', (held, method, explicit, allowed) => {
    expect(roleSatisfies(held, requiredRole(method, explicit))).toBe(allowed);
  });

  it('treats only GET, HEAD and OPTIONS as reads, in any case', () => {
    expect(['GET', 'get', 'HEAD', 'OPTIONS'].map(isMutatingMethod)).toEqual([false, false, false, false]);
    expect(['POST', 'put', 'PATCH', 'DELETE', 'MKCOL'].map(isMutatingMethod)).toEqual([true, true, true, true, true]);
    expect(defaultRoleForMethod('post')).toBe(Operator);
    expect(defaultRoleForMethod('GET')).toBe(Viewer);
  });

  it('lets operators and admins read secret data, never viewers', () => {
    expect([Viewer, Operator, Admin, undefined].map(mayReadSecretData)).toEqual([false, true, true, false]);
  });

  it('orders roles and recognizes their names exactly', () => {
    expect(higherRole(Viewer, Admin)).toBe(Admin);
    expect(higherRole(Operator, undefined)).toBe(Operator);
    expect(higherRole(undefined, undefined)).toBeUndefined();
    expect(['admin', 'operator', 'viewer', 'Admin', 'root', '', 1].map(isAccessRole)).toEqual([true, true, true, false, false, false, false]);
  });
});
