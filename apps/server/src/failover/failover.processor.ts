import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { z } from 'zod';
import { FailoverJob, FailoverService } from '#libs/failover';
import { MetricsService } from '#libs/observability';
import { QueueName } from '#libs/queues';

const checkPayload = z.strictObject({ uid: z.uuid() });

/**
 * Worker of the `failover` queue. Jobs look once and return (a check is a few short statements), so a
 * killed worker's job is found stalled and handed to another within about 15 s (lock 10 s, renewed every
 * 5 s); concurrency 8.
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
      case FailoverJob.Check: {
        const payload = checkPayload.safeParse(job.data);
        if (!payload.success)
          throw new UnrecoverableError(`invalid check payload: ${payload.error.issues[0]?.message}`);
        return this.metrics.timeJob(QueueName.Failover, name, () => this.failover.check(payload.data.uid));
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
