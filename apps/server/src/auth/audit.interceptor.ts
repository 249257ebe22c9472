import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { isMutatingMethod } from '#libs/auth';
import type { AuthenticatedRequest } from './access.decorators.js';
import { AuditTracker, type AuditedRequest, type AuditedResponse } from './audit-tracker.js';

/**
 * Global interceptor (APP_INTERCEPTOR): every authorized mutation (POST, PUT, PATCH, DELETE, ...) on a
 * non-public route is recorded in the audit trail with its final status code. Reads are not audited.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(private readonly tracker: AuditTracker) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const req = context.switchToHttp().getRequest<AuditedRequest & AuthenticatedRequest>();
      if (req.principal && isMutatingMethod(req.method)) this.tracker.track(req, context.switchToHttp().getResponse<AuditedResponse>(), req.principal);
    }
    return next.handle();
  }
}
