import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { z } from 'zod';
import { AppConfig } from '#libs/config';
import { HealthJob, HealthMonitorService, HealthScheduler } from '#libs/health';
import { MetricsService } from '#libs/observability';
import { QueueName } from '#libs/queues';

const probePayload = z.object({ cluster: z.string().min(1).max(63) }).strict();

/**
 * Worker of the `health` queue: validates the payload and calls one service method per job name.
 * Concurrency comes from UBERNETES_HEALTH_CONCURRENCY (it must exceed the number of clusters so a hung
 * member never holds up another's probe).
 */
@Processor(QueueName.Health)
export class HealthProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger('HealthProcessor');

  constructor(
    private readonly monitor: HealthMonitorService,
    private readonly scheduler: HealthScheduler,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.health.concurrency;
  }

  async process(job: Job): Promise<unknown> {
    const name = job.name as HealthJob;
    switch (name) {
      case HealthJob.Probe: {
        const payload = probePayload.safeParse(job.data);
        if (!payload.success) throw new UnrecoverableError(`invalid probe payload: ${payload.error.issues[0]?.message}`);
        return this.metrics.timeJob(QueueName.Health, name, async () => {
          const outcome = await this.monitor.probeCluster(payload.data.cluster);
          return { healthy: outcome.healthy, latencyMs: outcome.latencyMs, transitions: outcome.transitions.length };
        }, job);
      }
      case HealthJob.Sync:
        return this.metrics.timeJob(QueueName.Health, name, () => this.scheduler.sync(), job);
      default: {
        const unknown: never = name;
        this.logger.warn({ jobId: job.id, job: String(unknown) }, 'unknown health job');
        throw new UnrecoverableError(`unknown health job ${String(unknown)}`);
      }
    }
  }
}
