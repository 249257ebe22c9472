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
  /**
   * When the request merges into a job that is still delayed and due later than this one would be, bring
   * that job forward (the earliest due time wins): a follow-up asked for soon is never held back by an
   * earlier request's long backoff. Costs one more Redis read per request, so only callers that mix
   * delays ask for it.
   */
  sooner?: boolean;
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
    const q = this.queues[queue];
    const requestedAt = Date.now();
    const job = await q.add(jobName, payload, {
      deduplication: { id: `${jobName}:${options.coalesceKey}`, keepLastIfActive: true },
      delay: options.delayMs,
    });
    if (options.sooner && job.id) {
      // A merged request returns the existing job's id: if that job waits longer, move it up.
      const existing = await q.getJob(job.id);
      const delayMs = options.delayMs ?? 0;
      if (existing && existing.timestamp + (existing.delay ?? 0) > requestedAt + delayMs + 20 && (await existing.isDelayed())) {
        await existing.changeDelay(delayMs).catch(() => undefined); // it may have just started: nothing to move
      }
    }
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
