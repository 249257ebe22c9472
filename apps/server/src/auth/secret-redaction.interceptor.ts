import { Injectable, StreamableFile, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { map, type Observable } from 'rxjs';
import { mayReadSecretData, redactSecretData } from '#libs/auth';
import { SECRET_DATA_PATHS, type AuthenticatedRequest } from './access.decorators.js';

/**
 * Global interceptor (APP_INTERCEPTOR): for callers who may not read secret data (viewers), replaces the
 * `@SecretData(...)` paths of the response, the secret paths of any FederatedSecret/Secret object and any
 * credential-named key with `<redacted>`. Operators and admins get responses unchanged.
 */
@Injectable()
export class SecretRedactionInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (!principal || mayReadSecretData(principal.role)) return next.handle();
    const paths = this.reflector.getAllAndOverride<string[] | undefined>(SECRET_DATA_PATHS, [context.getHandler(), context.getClass()]) ?? [];
    return next.handle().pipe(map((body: unknown) => (body instanceof StreamableFile || Buffer.isBuffer(body) ? body : redactSecretData(body, paths))));
  }
}
