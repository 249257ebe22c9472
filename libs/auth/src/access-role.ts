/**
 * API access roles, from least to most privileged. Named `AccessRole` (not `Role`) because `#libs/config`
 * already exports `Role` for process roles (api/worker/dns) and feature modules import both.
 *
 * - `viewer`: read-only (GET/HEAD); never sees secret data or credentials (see {@link redactSecretData}).
 * - `operator`: everything on clusters and federated objects (reads and writes).
 * - `admin`: everything, including tokens, the audit trail and admin actions (key rotation).
 */
export enum AccessRole {
  Viewer = 'viewer',
  Operator = 'operator',
  Admin = 'admin',
}

/** Every role, least privileged first. */
export const ACCESS_ROLES: readonly AccessRole[] = [AccessRole.Viewer, AccessRole.Operator, AccessRole.Admin];

const RANK: Record<AccessRole, number> = { [AccessRole.Viewer]: 0, [AccessRole.Operator]: 1, [AccessRole.Admin]: 2 };

/** True when `value` names a role (exact, lower-case). */
export function isAccessRole(value: unknown): value is AccessRole {
  return typeof value === 'string' && (ACCESS_ROLES as readonly string[]).includes(value);
}

/** True when a holder of `held` may call a route that requires `required`: roles are strictly nested. */
export function roleSatisfies(held: AccessRole | undefined, required: AccessRole): boolean {
  return held !== undefined && RANK[held] >= RANK[required];
}

/** The more privileged of two roles (`undefined` counts as none). */
export function higherRole(a: AccessRole | undefined, b: AccessRole | undefined): AccessRole | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return RANK[a] >= RANK[b] ? a : b;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** True for methods that change state (everything but GET, HEAD and OPTIONS). */
export function isMutatingMethod(method: string): boolean {
  return !READ_METHODS.has(method.toUpperCase());
}

/**
 * The role a route requires when its handler and controller carry no explicit role: reads need `viewer`,
 * anything else (POST, PUT, PATCH, DELETE, unknown verbs) needs `operator`. This is what protects routes
 * written without any access-control annotation.
 */
export function defaultRoleForMethod(method: string): AccessRole {
  return isMutatingMethod(method) ? AccessRole.Operator : AccessRole.Viewer;
}

/**
 * The role required for one request: the explicit role of the route when there is one, never lower than
 * `viewer`; otherwise {@link defaultRoleForMethod}. An explicit role on a read route may raise it (e.g. the
 * audit trail is admin-only) and on a write route may raise or lower it (lowering is deliberate and rare).
 */
export function requiredRole(method: string, explicit: AccessRole | undefined): AccessRole {
  return explicit ?? defaultRoleForMethod(method);
}

/** True when the role may read secret data (FederatedSecret data, credentials): operator and admin. */
export function mayReadSecretData(role: AccessRole | undefined): boolean {
  return roleSatisfies(role, AccessRole.Operator);
}
