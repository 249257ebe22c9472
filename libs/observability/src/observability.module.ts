import { Global, Module } from '@nestjs/common';
import { HttpMetricsInterceptor } from './http-metrics.interceptor.js';
import { MetricsService } from './metrics.service.js';

@Global()
@Module({ providers: [MetricsService, HttpMetricsInterceptor], exports: [MetricsService, HttpMetricsInterceptor] })
export class ObservabilityModule {}
