import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { AuditService, OidcVerifier, TokenBucketRateLimiter, TokensService } from '#libs/auth';
import { Role, type Config } from '#libs/config';
import { ApiTokenRepository, AuditEventRepository } from '#libs/persistence';
import { AccessGuard } from './access.guard.js';
import { AuditController } from './audit.controller.js';
import { AuditInterceptor } from './audit.interceptor.js';
import { AuditTracker } from './audit-tracker.js';
import { BootstrapTokenInitializer } from './bootstrap-token.initializer.js';
import { EncryptionRotationController } from './encryption-rotation.controller.js';
import { EncryptionRotationService } from './encryption-rotation.service.js';
import { InputSanityPipe } from './input-sanity.pipe.js';
import { SecretRedactionInterceptor } from './secret-redaction.interceptor.js';
import { TokensController } from './tokens.controller.js';
import { WhoamiController } from './whoami.controller.js';

/**
 * Access control of the HTTP API: the global access guard (authentication, rate limit, roles), the audit
 * interceptor, the secret-redaction interceptor, and the token/audit/admin routes. Registered in
 * `features.ts`. Global, so the Kubernetes-compatible API serves tokens through the same TokensService.
 */
@Module({})
export class AuthModule {
  static register(config: Config): DynamicModule {
    const api = config.roles.has(Role.Api);
    const oidc = config.auth.oidc;
    // The guard, interceptors and pipe are installed in every process (a controller registered without
    // the api role is still protected); routes and the first-start token only with `api`.
    const providers: Provider[] = [
      ApiTokenRepository,
      AuditEventRepository,
      TokensService,
      AuditService,
      AuditTracker,
      EncryptionRotationService,
      ...(api ? [BootstrapTokenInitializer] : []),
      { provide: TokenBucketRateLimiter, useValue: new TokenBucketRateLimiter(config.auth.rateLimit) },
      ...(oidc ? [{ provide: OidcVerifier, useValue: new OidcVerifier(oidc) }] : []),
      { provide: APP_GUARD, useClass: AccessGuard },
      { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
      { provide: APP_INTERCEPTOR, useClass: SecretRedactionInterceptor },
      { provide: APP_PIPE, useClass: InputSanityPipe },
    ];
    return {
      module: AuthModule,
      global: true,
      controllers: api ? [TokensController, AuditController, WhoamiController, EncryptionRotationController] : [],
      providers,
      exports: [TokensService, AuditService, EncryptionRotationService],
    };
  }
}
