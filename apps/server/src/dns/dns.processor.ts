import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { z } from 'zod';
import { isDomainError, ErrorCode } from '#libs/common';
import { DnsJob, DnsPublishService } from '#libs/dns-publishing';
import { MetricsService } from '#libs/observability';
import { QueueName } from '#libs/queues';

const payloadSchema = z.strictObject({ zone: z.string().min(1).max(253) });

/** An unknown zone (e.g. DNS_ZONE changed while jobs waited) never succeeds on retry; the rest is retried. */
function permanent(error: unknown): never {
  if (isDomainError(error) && (error.code === ErrorCode.NotFound || error.code === ErrorCode.Invalid)) throw new UnrecoverableError(error.message);
  throw error;
}

/** Worker of the `dns` queue: validates the payload and calls one DnsPublishService method per job name. */
@Processor(QueueName.Dns)
export class DnsProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger('DnsProcessor');

  constructor(
    private readonly publisher: DnsPublishService,
    private readonly metrics: MetricsService,
  ) {
    super();
  }

  /** A slow Route 53 push (e.g. waiting for INSYNC) must not hold up the built-in publish of the zone. */
  onApplicationBootstrap(): void {
    this.worker.concurrency = 4;
  }

  async process(job: Job): Promise<void> {
    const name = job.name as DnsJob;
    const payload = payloadSchema.safeParse(job.data);
    if (!payload.success) throw new UnrecoverableError(`invalid ${name} payload: ${payload.error.issues[0]?.message}`);
    const zone = payload.data.zone;
    switch (name) {
      case DnsJob.Publish:
        await this.metrics.timeJob(QueueName.Dns, name, () => this.publisher.publishZone(zone), job).catch(permanent);
        return;
      case DnsJob.PublishRoute53:
        await this.metrics.timeJob(QueueName.Dns, name, () => this.publisher.publishZoneToRoute53(zone), job).catch(permanent);
        return;
      default: {
        const unknown: never = name;
        this.logger.warn({ jobId: job.id, job: String(unknown) }, 'unknown dns job');
        throw new UnrecoverableError(`unknown dns job ${String(unknown)}`);
      }
    }
  }
}
