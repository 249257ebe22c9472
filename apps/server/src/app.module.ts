import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig, type Config } from '#libs/config';
import { HttpMetricsInterceptor, loggerParams, ObservabilityModule } from '#libs/observability';
import { DatabaseHealth, PersistenceModule } from '#libs/persistence';
import { QueuesModule } from '#libs/queues';
import { HealthController } from './health/health.controller.js';
import { ApiExceptionFilter } from './http/api-exception.filter.js';
import { FEATURES } from './features.js';
import { QueueMetrics } from './queue-metrics.js';

@Module({})
export class AppModule {
  static register(config: Config): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(loggerParams(config.logLevel)),
        ObservabilityModule,
        PersistenceModule.forRoot(config.database),
        QueuesModule.forRoot(config.redis),
        TerminusModule.forRoot({ logger: false }),
        ...FEATURES.map((feature) => feature(config)),
      ],
      controllers: [HealthController],
      providers: [
        { provide: AppConfig, useValue: config },
        DatabaseHealth,
        QueueMetrics,
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        { provide: APP_INTERCEPTOR, useExisting: HttpMetricsInterceptor },
      ],
      exports: [AppConfig],
      global: true,
    };
  }
}

