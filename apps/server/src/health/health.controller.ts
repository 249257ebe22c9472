import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { DatabaseHealth } from '#libs/persistence';
import { QueueName, QueueService } from '#libs/queues';
import { MetricsService } from '#libs/observability';
import { Public } from '../auth/access.decorators.js';

/** Liveness (`/healthz`: the process answers), readiness (`/readyz`: database and Redis) and metrics. */
@ApiExcludeController()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly database: DatabaseHealth,
    private readonly queues: QueueService,
    private readonly metrics: MetricsService,
  ) {}

  @Public()
  @Get('healthz')
  healthz() {
    return { status: 'ok' };
  }

  @Public()
  @Get('readyz')
  @HealthCheck()
  readyz() {
    return this.health.check([
      () => this.indicators.check('database').attempt(() => this.database.ping().then(() => ({}))).withTimeout(3_000),
      () =>
        this.indicators
          .check('redis')
          .attempt(async () => {
            await this.queues.queue(QueueName.Health).getJobCounts('waiting');
            return {};
          })
          .withTimeout(3_000),
    ]);
  }

  @Public()
  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metricsText() {
    return this.metrics.render();
  }
}
