import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { z } from 'zod';
import { AppConfig } from '#libs/config';
import { MetricsService } from '#libs/observability';
import { ReconcileJob, ReconcileService } from '#libs/propagation';
import { QueueName } from '#libs/queues';

const payloadSchema = z.strictObject({ uid: z.uuid(), attempt: z.number().int().min(0).max(1000).optional() });

/**
 * Worker of the `reconcile` queue: validates the payload and calls ReconcileService.reconcile. A short
 * lock lets another worker take over a killed worker's job within seconds instead of BullMQ's 30 s+.
 */
@Processor(QueueName.Reconcile, { lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 5 })
export class ReconcileProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger('ReconcileProcessor');

  constructor(
    private readonly reconciler: ReconcileService,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.propagation.reconcileConcurrency;
  }

  async process(job: Job): Promise<void> {
    const name = job.name as ReconcileJob;
    const payload = payloadSchema.safeParse(job.data);
    if (!payload.success) throw new UnrecoverableError(`invalid ${name} payload: ${payload.error.issues[0]?.message}`);
    switch (name) {
      case ReconcileJob.Reconcile:
      case ReconcileJob.Refresh:
        return this.metrics.timeJob(QueueName.Reconcile, name, () => this.reconciler.reconcile(payload.data.uid, payload.data.attempt ?? 0), job);
      default: {
        const unknown: never = name;
        this.logger.warn({ jobId: job.id, job: String(unknown) }, 'unknown reconcile job');
        throw new UnrecoverableError(`unknown reconcile job ${String(unknown)}`);
      }
    }
  }
}
