import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { QueueName } from './queue-names.js';

export interface EnqueueOptions {
  /**
   * Coalescing key: while a job with this id is waiting, further requests are merged into it; while it
   * runs, one follow-up job is kept (BullMQ `keepLastIfActive`), so the latest state is always processed
   * and two workers never process the same key at once.
   */
  coalesceKey: string;
  delayMs?: number;
}

/** The one place that enqueues jobs. Payloads carry ids only, never credentials. */
@Injectable()
export class QueueService {
  private readonly queues: Record<QueueName, Queue>;

  constructor(
    @InjectQueue(QueueName.Health) health: Queue,
    @InjectQueue(QueueName.Reconcile) reconcile: Queue,
    @InjectQueue(QueueName.Dns) dns: Queue,
    @InjectQueue(QueueName.Failover) failover: Queue,
  ) {
    this.queues = { health, reconcile, dns, failover };
  }

  queue(name: QueueName): Queue {
    return this.queues[name];
  }

  /** Adds a job whose id is derived from the coalescing key, so duplicates merge. */
  async enqueue<T extends object>(queue: QueueName, jobName: string, payload: T, options: EnqueueOptions): Promise<string | undefined> {
    const job = await this.queues[queue].add(jobName, payload, {
      deduplication: { id: `${jobName}:${options.coalesceKey}`, keepLastIfActive: true },
      delay: options.delayMs,
    });
    return job.id;
  }

  /** Job counts per queue, for metrics and `/readyz` details. */
  async depths(): Promise<Record<string, Record<string, number>>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [name, queue] of Object.entries(this.queues)) {
      out[name] = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
    }
    return out;
  }
}
