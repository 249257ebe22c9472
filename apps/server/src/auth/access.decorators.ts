import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { AccessRole, Principal } from '#libs/auth';

/** Metadata keys read by the access guard and the redaction interceptor. */
export const PUBLIC_ROUTE = 'ubernetes:public';
export const REQUIRED_ROLE = 'ubernetes:role';
export const SECRET_DATA_PATHS = 'ubernetes:secret-data';

/**
 * Marks a route (or a whole controller) as reachable without a token. Only `/healthz`, `/readyz` and
 * `/metrics` carry it; think twice before adding another.
 */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/**
 * The role a route requires, on a handler or a controller (the handler wins). Without it, GET/HEAD need
 * `viewer` and every other method needs `operator`, so an undecorated route is never open.
 * Example: `@Roles(AccessRole.Admin)` on an admin-only controller.
 */
export const Roles = (role: AccessRole) => SetMetadata(REQUIRED_ROLE, role);

/**
 * Dotted paths of secret values in the handler's response (resolved against the body, each element of an
 * array body and each element of `items`). Callers below `operator` get them replaced by `<redacted>`.
 * Example: `@SecretData('spec.template.data', 'spec.template.stringData')` on a FederatedSecret GET.
 * Objects whose `kind` is `FederatedSecret` or `Secret` are redacted for viewers even without it.
 */
export const SecretData = (...paths: string[]) => SetMetadata(SECRET_DATA_PATHS, paths);

/** A request after the access guard: `principal` is set on every non-public route. */
export interface AuthenticatedRequest {
  principal?: Principal;
}

/** Injects the authenticated caller into a handler parameter: `whoami(@CurrentPrincipal() p: Principal)`. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal | undefined => {
  return ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
});
