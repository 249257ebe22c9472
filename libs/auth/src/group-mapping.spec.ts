import { ConfigError, loadConfig } from '#libs/config';
import { AccessRole } from './access-role.js';
import { parseGroupRoleMapping, roleForGroups } from './group-mapping.js';

describe('OIDC group → role mapping', () => {
  const { rules } = parseGroupRoleMapping('platform-admins=admin, devs=operator,auditors=viewer,team=a=viewer');

  it('parses group=role lists (group names may contain =)', () => {
    expect(rules).toEqual([
      { group: 'platform-admins', role: AccessRole.Admin },
      { group: 'devs', role: AccessRole.Operator },
      { group: 'auditors', role: AccessRole.Viewer },
      { group: 'team=a', role: AccessRole.Viewer },
    ]);
    expect(parseGroupRoleMapping('').rules).toEqual([]);
  });

  it('names bad entries', () => {
    expect(parseGroupRoleMapping('devs=root,=admin,ops').problems).toEqual([
      '"devs=root" must look like group=admin|operator|viewer',
      '"=admin" must look like group=admin|operator|viewer',
      '"ops" must look like group=admin|operator|viewer',
    ]);
  });

  it.each([
    [['devs'], AccessRole.Operator],
    [['auditors', 'devs'], AccessRole.Operator],
    [['devs', 'platform-admins'], AccessRole.Admin],
    ['auditors', AccessRole.Viewer],
    [['Devs', 'DEVS'], undefined],
    [['sales'], undefined],
    [[], undefined],
    [undefined, undefined],
    [[42, { group: 'devs' }, null], undefined],
  ])('groups %j → %s', (groups, role) => {
    expect(roleForGroups(groups, rules)).toBe(role);
  });

  it('is validated with the rest of the configuration', () => {
    const base = { UBERNETES_OIDC_ISSUER: 'https://idp.example', UBERNETES_OIDC_AUDIENCE: 'ubernetes', UBERNETES_OIDC_JWKS_FILE: '/etc/jwks.json' };
    expect(loadConfig({ ...base, UBERNETES_OIDC_GROUP_ROLES: 'devs=operator' }).auth.oidc).toMatchObject({ groupRoles: 'devs=operator', groupsClaim: 'groups' });
    expect(() => loadConfig({ ...base, UBERNETES_OIDC_GROUP_ROLES: 'devs=root' })).toThrow(/UBERNETES_OIDC_GROUP_ROLES must be a comma list/);
    expect(() => loadConfig({ UBERNETES_OIDC_ISSUER: 'https://idp.example' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, UBERNETES_OIDC_JWKS_URL: 'https://idp.example/jwks' })).toThrow(/exactly one/);
    expect(() => loadConfig({ ...base, UBERNETES_OIDC_JWKS_FILE: '', UBERNETES_OIDC_JWKS_URL: 'http://idp.example/jwks' })).toThrow(/must use https/);
    expect(loadConfig({}).auth.oidc).toBeUndefined();
  });

  it('never echoes the bootstrap token in configuration errors', () => {
    expect(() => loadConfig({ UBERNETES_BOOTSTRAP_TOKEN: 'short-secret' })).toThrow(/UBERNETES_BOOTSTRAP_TOKEN.*<redacted>/);
    expect(() => loadConfig({ UBERNETES_BOOTSTRAP_TOKEN: 'short-secret' })).not.toThrow(/short-secret/);
  });
});
