import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { z } from 'zod';
import { AppConfig } from '#libs/config';
import { MetricsService } from '#libs/observability';
import { ReconcileJob, ReconcileService } from '#libs/propagation';
import { QueueName, QueueService } from '#libs/queues';

const payloadSchema = z.strictObject({ uid: z.uuid(), attempt: z.number().int().min(0).max(1000).optional(), dueAt: z.number().int().nonnegative().optional() });

/**
 * Worker of the `reconcile` queue: validates the payload, calls ReconcileService.reconcile, and turns the
 * job into the follow-up it returns (`QueueService.defer`: the job stays the object's one job, so no
 * second reconcile of the object can start beside it). A short lock lets another worker take over a
 * killed worker's job within seconds instead of BullMQ's 30 s+.
 */
@Processor(QueueName.Reconcile, { lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 5 })
export class ReconcileProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger('ReconcileProcessor');

  constructor(
    private readonly reconciler: ReconcileService,
    private readonly queues: QueueService,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.propagation.reconcileConcurrency;
  }

  async process(job: Job, token?: string): Promise<void> {
    const name = job.name as ReconcileJob;
    const payload = payloadSchema.safeParse(job.data);
    if (!payload.success) throw new UnrecoverableError(`invalid ${name} payload: ${payload.error.issues[0]?.message}`);
    switch (name) {
      case ReconcileJob.Reconcile:
      case ReconcileJob.Refresh: {
        const attempt = payload.data.attempt ?? 0;
        // A new job, or a deferred one a request brought forward before its due time.
        const requested = attempt === 0 || payload.data.dueAt === undefined || Date.now() < payload.data.dueAt - 20;
        // Deferred runs are refreshes (their wait is measured from their own due time, which BullMQ does not keep).
        const label = attempt > 0 ? ReconcileJob.Refresh : name;
        const next = await this.metrics.timeJob(QueueName.Reconcile, label, () => this.reconciler.reconcile(payload.data.uid, { attempt, requested }), attempt > 0 ? undefined : job);
        if (next && token && (await this.queues.defer(job, token, { delayMs: next.delayMs, data: next.payload, priority: next.priority }))) throw new DelayedError();
        return;
      }
      default: {
        const unknown: never = name;
        this.logger.warn({ jobId: job.id, job: String(unknown) }, 'unknown reconcile job');
        throw new UnrecoverableError(`unknown reconcile job ${String(unknown)}`);
      }
    }
  }
}
