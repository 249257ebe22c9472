import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { z } from 'zod';
import { FailoverJob, FailoverService } from '#libs/failover';
import { MetricsService } from '#libs/observability';
import { QueueName } from '#libs/queues';

const rebalancePayload = z.strictObject({ uid: z.uuid() });

/**
 * Worker of the `failover` queue. A short lock (10 s, renewed every 5 s while the job runs) so that the job
 * of a killed worker is found stalled and handed to another worker within about 15 s instead of BullMQ's
 * default 30 s; concurrency 8 (jobs mostly wait for members to converge).
 */
@Processor(QueueName.Failover, { concurrency: 8, lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 5 })
export class FailoverProcessor extends WorkerHost {
  private readonly logger = new Logger('FailoverProcessor');

  constructor(
    private readonly failover: FailoverService,
    private readonly metrics: MetricsService,
  ) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    const name = job.name as FailoverJob;
    switch (name) {
      case FailoverJob.Rebalance: {
        const payload = rebalancePayload.safeParse(job.data);
        if (!payload.success) throw new UnrecoverableError(`invalid rebalance payload: ${payload.error.issues[0]?.message}`);
        return this.metrics.timeJob(QueueName.Failover, name, () => this.failover.rebalance(payload.data.uid));
      }
      case FailoverJob.Sweep:
        return this.metrics.timeJob(QueueName.Failover, name, () => this.failover.sweep());
      default: {
        const unknown: never = name;
        this.logger.warn({ jobId: job.id, job: String(unknown) }, 'unknown failover job');
        throw new UnrecoverableError(`unknown failover job ${String(unknown)}`);
      }
    }
  }
}
