import { AccessRole, higherRole, isAccessRole } from './access-role.js';

/** One `group=role` rule of `UBERNETES_OIDC_GROUP_ROLES`. */
export interface GroupRoleRule {
  group: string;
  role: AccessRole;
}

/**
 * Parses `platform-admins=admin,devs=operator` into rules. Returns the rules or the problems found
 * (one message per bad entry), so configuration validation can name them. Group names are compared
 * exactly (case-sensitive), as identity providers emit them.
 */
export function parseGroupRoleMapping(text: string): { rules: GroupRoleRule[]; problems: string[] } {
  const rules: GroupRoleRule[] = [];
  const problems: string[] = [];
  for (const entry of text.split(',').map((e) => e.trim()).filter(Boolean)) {
    const eq = entry.lastIndexOf('=');
    const group = eq > 0 ? entry.slice(0, eq).trim() : '';
    const role = eq > 0 ? entry.slice(eq + 1).trim() : '';
    if (!group || !isAccessRole(role)) {
      problems.push(`"${entry}" must look like group=admin|operator|viewer`);
      continue;
    }
    rules.push({ group, role });
  }
  return { rules, problems };
}

/**
 * The role of a caller who belongs to `groups`: the most privileged role any matching rule grants, or
 * `undefined` when no rule matches (the caller is authenticated but may do nothing). A claim that is a
 * single string counts as one group; non-string entries are ignored.
 */
export function roleForGroups(groups: unknown, rules: readonly GroupRoleRule[]): AccessRole | undefined {
  const list = typeof groups === 'string' ? [groups] : Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [];
  let role: AccessRole | undefined;
  for (const rule of rules) if (list.includes(rule.group)) role = higherRole(role, rule.role);
  return role;
}
