import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { finalize, type Observable } from 'rxjs';
import { MetricsService } from './metrics.service.js';

/** Records every HTTP request's latency under its route pattern (not the raw URL, to bound label sets). */
@Injectable()
export class HttpMetricsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: MetricsService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const req = http.getRequest<{ method: string; route?: { path?: string } }>();
    const res = http.getResponse<{ statusCode: number }>();
    const end = this.metrics.httpDuration.startTimer();
    return next.handle().pipe(
      finalize(() => end({ method: req.method, route: req.route?.path ?? 'unmatched', status: String(res.statusCode) })),
    );
  }
}
