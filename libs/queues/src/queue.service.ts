import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { QueueName } from './queue-names.js';

export interface EnqueueOptions {
  /**
   * Coalescing key: while a job with this id is waiting, further requests are merged into it; while it
   * runs, one follow-up job is kept (BullMQ `keepLastIfActive`), so the latest state is always processed
   * and two workers never process the same key at once.
   */
  coalesceKey: string;
  /**
   * Jobs of different names that share a group coalesce with each other: one BullMQ deduplication id
   * (`<group>:<coalesceKey>`) for all of them, so at most one of them is active and one waits per key
   * across every worker. Default: the job name (each name coalesces on its own).
   */
  group?: string;
  delayMs?: number;
  /**
   * When the request merges into a job that is still delayed and due later than this one would be, bring
   * that job forward (the earliest due time wins): a follow-up asked for soon is never held back by an
   * earlier request's long backoff. For a request due now this happens atomically in the add (BullMQ's
   * deduplication `reschedule`); a delayed one costs one more Redis read, so only callers that mix delays
   * ask for it.
   */
  sooner?: boolean;
  /**
   * BullMQ priority: 0 (the default) is taken first and counted as `waiting`; 1 and above are taken after
   * every priority-0 job and counted as `prioritized`. A request that merges into a waiting or delayed job
   * of a later priority raises that job to this one (one more Redis read, only when a priority is given).
   */
  priority?: number;
}

/** How the running job continues later instead of completing ({@link QueueService.defer}). */
export interface DeferOptions<T extends object> {
  delayMs: number;
  /** Its payload from then on. */
  data: T;
  /** Its priority from then on (unchanged when undefined). */
  priority?: number;
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
    const delayMs = options.delayMs ?? 0;
    // Due now and `sooner`: a merge into a delayed job reschedules it to now inside the add itself.
    const reschedule = options.sooner === true && delayMs <= 0;
    const job = await q.add(jobName, payload, {
      deduplication: { id: coalescingId(jobName, options), keepLastIfActive: true, ...(reschedule ? { reschedule: true } : {}) },
      delay: options.delayMs,
      ...(options.priority ? { priority: options.priority } : {}),
    });
    const later = options.sooner === true && !reschedule;
    if ((later || options.priority !== undefined) && job.id) {
      // A merged request returns the existing job's id: if that job waits longer, move it up; if it would
      // be taken later, raise its priority.
      const existing = await q.getJob(job.id);
      if (!existing) return job.id;
      const priority = options.priority ?? 0;
      if ((existing.priority ?? 0) > priority) await existing.changePriority({ priority }).catch(() => undefined); // it may have just finished
      if (later && existing.timestamp + (existing.delay ?? 0) > requestedAt + delayMs + 20 && (await existing.isDelayed())) {
        await existing.changeDelay(delayMs).catch(() => undefined); // it may have just started: nothing to move
      }
    }
    return job.id;
  }

  /**
   * Turns the running `job` (processed under `token`) into its own follow-up, due in `delayMs` with `data`,
   * instead of letting it complete: it stays the one job of its coalescing key, so a request made while it
   * waits merges into it (and, with `sooner`, brings it forward) rather than running beside it. Returns
   * true when the job was deferred; the processor must then throw BullMQ's `DelayedError` so the worker
   * leaves it where it is.
   *
   * A request that arrived while the job ran is kept by BullMQ to run after it, and must not wait behind
   * this follow-up: then nothing is deferred (false) and completing the job starts that request at once
   * (it covers what the follow-up would have done). A request stored in the instant between that check
   * and the move brings the deferred job forward instead.
   */
  async defer<T extends object>(job: Job, token: string, options: DeferOptions<T>): Promise<boolean> {
    const q = this.queues[job.queueName as QueueName];
    const id = job.deduplicationId ?? job.opts.deduplication?.id;
    if (!q || !id || (await this.hasPendingRequest(q, id))) return false;
    await job.updateData(options.data);
    // Not compared with `job.priority`: a request may have raised the stored one while the job ran.
    if (options.priority !== undefined) await job.changePriority({ priority: options.priority });
    await job.moveToDelayed(Date.now() + Math.max(0, options.delayMs), token);
    if (await this.hasPendingRequest(q, id)) await job.promote().catch(() => undefined); // already moved up or taken
    return true;
  }

  /**
   * Whether a request for the coalescing id `id` waits for its active job to finish (BullMQ stores it
   * under `<prefix>:<queue>:dn:<id>` until then; `keepLastIfActive`). test/foundation/queue-follow-ups
   * pins this against the installed BullMQ.
   */
  private async hasPendingRequest(q: Queue, id: string): Promise<boolean> {
    const client = await q.getBackend().client;
    return (await client.hexists(q.toKey(`dn:${id}`), 'name')) === 1;
  }

  /** The BullMQ deduplication id a request of `jobName` with `options` coalesces on. */
  coalescingId(jobName: string, options: Pick<EnqueueOptions, 'coalesceKey' | 'group'>): string {
    return coalescingId(jobName, options);
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

function coalescingId(jobName: string, options: Pick<EnqueueOptions, 'coalesceKey' | 'group'>): string {
  return `${options.group ?? jobName}:${options.coalesceKey}`;
}
