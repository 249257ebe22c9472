import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import { bodyObjectName } from '#libs/auth';
import { DomainError, ErrorCode, errorCodeForStatus, HTTP_STATUS_BY_CODE, type FieldProblem } from '#libs/common';
import { isKubePath, toKubeStatus } from '../kube-api/kube-status.js';

/** The body of every API error: `{ code, message, details, requestId }`. */
export interface ApiErrorBody {
  code: string;
  message: string;
  details: FieldProblem[];
  requestId?: string;
}

/**
 * Maps domain errors, Nest HTTP errors and body-parser errors to one JSON shape. Unknown errors become a
 * 500 whose message never echoes internals (they are logged with the request id instead). On the
 * Kubernetes-compatible paths (`/apis/...`, discovery, OpenAPI) the same error is answered as a
 * `metav1.Status`, which kubectl prints; one filter, so both shapes carry the same status and message.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<{ id?: string; method?: string; path?: string; originalUrl?: string; body?: unknown }>();
    const res = ctx.getResponse<{ status(code: number): { json(body: unknown): void }; headersSent?: boolean; setHeader(k: string, v: string): void }>();
    const { status, body } = this.describe(exception);
    body.requestId = req.id;
    if (status >= 500) this.logger.error({ err: exception, requestId: req.id }, 'unhandled error');
    if (res.headersSent) return;
    const retryAfterSeconds = exception instanceof DomainError ? exception.retryAfterSeconds : undefined;
    if (retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(retryAfterSeconds));
    const path = req.path ?? (req.originalUrl ?? '').split('?')[0];
    if (isKubePath(path)) {
      const method = req.method ?? 'GET';
      res.status(status).json(toKubeStatus({ ...body, status, method, path, bodyName: method === 'POST' ? bodyObjectName(req.body) : undefined, retryAfterSeconds }));
      return;
    }
    res.status(status).json(body);
  }

  private describe(exception: unknown): { status: number; body: ApiErrorBody } {
    if (exception instanceof DomainError) {
      return { status: HTTP_STATUS_BY_CODE[exception.code], body: { code: exception.code, message: exception.message, details: exception.details } };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message =
        typeof response === 'string' ? response : String((response as { message?: unknown }).message ?? exception.message);
      return { status, body: { code: errorCodeForStatus(status), message, details: [] } };
    }
    // body-parser / raw-body errors carry an HTTP status and a type.
    const e = exception as { status?: number; statusCode?: number; type?: string; expose?: boolean; message?: string };
    const parserStatus = e?.status ?? e?.statusCode;
    if (typeof parserStatus === 'number' && parserStatus >= 400 && parserStatus < 500) {
      const message =
        e.type === 'entity.too.large'
          ? 'request body is larger than the limit'
          : e.type === 'entity.parse.failed'
            ? 'request body is not valid JSON'
            : e.expose && e.message ? e.message : 'bad request';
      return { status: parserStatus, body: { code: errorCodeForStatus(parserStatus), message, details: [] } };
    }
    return { status: 500, body: { code: ErrorCode.Internal, message: 'internal error', details: [] } };
  }
}
