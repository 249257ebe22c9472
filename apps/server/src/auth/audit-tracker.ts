import { Injectable } from '@nestjs/common';
import { AuditResult, AuditService, bodyObjectName, describeAuditTarget, type Principal } from '#libs/auth';

/** The parts of an Express request and response the audit trail reads. */
export interface AuditedRequest {
  method: string;
  id?: string;
  originalUrl?: string;
  route?: { path?: string };
  params?: Record<string, unknown>;
  body?: unknown;
}
export interface AuditedResponse {
  statusCode: number;
  writableFinished: boolean;
  once(event: 'close', listener: () => void): unknown;
}

const TRACKED = Symbol('ubernetes:audit-tracked');

/**
 * Records a mutation once its response is complete, with the final status code (so errors mapped by the
 * exception filter are recorded as the caller saw them). Used by the audit interceptor (normal path) and
 * by the access guard (denied requests, which never reach interceptors). Stores the route pattern and the
 * object's kind/namespace/name, never the body or query string.
 */
@Injectable()
export class AuditTracker {
  constructor(private readonly audit: AuditService) {}

  track(req: AuditedRequest, res: AuditedResponse, principal: Principal | undefined, forced?: AuditResult): void {
    const marked = req as AuditedRequest & { [TRACKED]?: boolean };
    if (marked[TRACKED]) return;
    marked[TRACKED] = true;
    const route = req.route?.path ?? 'unmatched';
    const at = new Date();
    res.once('close', () => {
      const status = res.statusCode;
      const result = forced ?? (!res.writableFinished ? AuditResult.Aborted : status < 400 ? AuditResult.Success : AuditResult.Failure);
      this.audit.record({
        at,
        actor: principal?.actor ?? 'anonymous',
        role: principal?.role,
        method: req.method,
        route,
        target: describeAuditTarget(route, req.params ?? {}, req.method === 'POST' ? bodyObjectName(req.body) : undefined),
        statusCode: status,
        result,
        requestId: req.id,
      });
    });
  }
}
