import { Inject, Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  AuditResult,
  isMutatingMethod,
  looksLikeJwt,
  OidcVerifier,
  requiredRole,
  roleSatisfies,
  TokenBucketRateLimiter,
  TokensService,
  type AccessRole,
  type Principal,
} from '#libs/auth';
import { DomainError, ErrorCode } from '#libs/common';
import { PUBLIC_ROUTE, REQUIRED_ROLE, type AuthenticatedRequest } from './access.decorators.js';
import { AuditTracker, type AuditedRequest, type AuditedResponse } from './audit-tracker.js';

type Req = AuditedRequest & AuthenticatedRequest & { headers: Record<string, string | string[] | undefined>; ip?: string };
type Res = AuditedResponse & { setHeader(name: string, value: string): void };

/**
 * The global access guard (registered with APP_GUARD): on every route not marked `@Public()` it
 * 1. authenticates the bearer value (an API token, the bootstrap token or, when configured, an OIDC JWT);
 * 2. spends one rate-limit token of the caller (token id, or client IP when authentication failed) so that
 *    floods of bad tokens are throttled too;
 * 3. refuses unauthenticated callers (401) and callers below the route's role (403).
 * Denied mutations are audited with result `denied` (they never reach the audit interceptor). Error
 * messages never repeat the presented credential.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokensService,
    private readonly limiter: TokenBucketRateLimiter,
    private readonly tracker: AuditTracker,
    @Optional() @Inject(OidcVerifier) private readonly oidc?: OidcVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const req = context.switchToHttp().getRequest<Req>();
    const res = context.switchToHttp().getResponse<Res>();

    const principal = await this.authenticate(req.headers.authorization);
    const decision = this.limiter.take(principal ? `principal:${principal.id}` : `ip:${req.ip ?? 'unknown'}`, Date.now());
    if (!decision.allowed) {
      res.setHeader('Retry-After', String(decision.retryAfterSeconds));
      throw new DomainError(ErrorCode.RateLimited, `too many requests: retry after ${decision.retryAfterSeconds}s`);
    }
    const mutating = isMutatingMethod(req.method);
    if (!principal) {
      if (mutating) this.tracker.track(req, res, undefined, AuditResult.Denied);
      res.setHeader('WWW-Authenticate', 'Bearer realm="ubernetes"');
      throw new DomainError(ErrorCode.Unauthorized, 'a valid bearer token is required (Authorization: Bearer <token>)');
    }
    req.principal = principal;
    const required = requiredRole(req.method, this.reflector.getAllAndOverride<AccessRole | undefined>(REQUIRED_ROLE, targets));
    if (!roleSatisfies(principal.role, required)) {
      if (mutating) this.tracker.track(req, res, principal, AuditResult.Denied);
      throw new DomainError(
        ErrorCode.Forbidden,
        `${principal.actor} (role ${principal.role ?? 'none'}) may not ${req.method} ${req.route?.path ?? 'this route'}: requires ${required}`,
      );
    }
    return true;
  }

  private async authenticate(header: string | string[] | undefined): Promise<Principal | undefined> {
    if (typeof header !== 'string') return undefined;
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (!match) return undefined;
    const value = match[1];
    if (this.oidc && looksLikeJwt(value)) return this.oidc.verify(value);
    return this.tokens.authenticate(value);
  }
}
