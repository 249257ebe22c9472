import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { DomainError } from '#libs/common';
import { AppConfig } from '#libs/config';
import { MetricsService } from '#libs/observability';
import { QueueName, QueueService } from '#libs/queues';

/** How stale the backlog reading may be before a write needs a fresh one (ms). */
const READ_EVERY_MS = 20;

/** The backlog source: jobs in the reconcile queue that no worker has taken yet. */
export type BacklogReader = () => Promise<number>;

/**
 * The backlog admission counts, from the reconcile queue's job counts: the jobs user writes asked for
 * and no worker has taken yet. They have priority 0 (`ReconcileOrigin.User`), which BullMQ counts as
 * `waiting`; the control plane's own reconciles (re-plans after health transitions or registry changes,
 * failover, resync, refreshes) are `prioritized` or `delayed` and never count.
 */
export function userWriteBacklog(counts: Readonly<Record<string, number | undefined>>): number {
  return counts.waiting ?? 0;
}

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Flow control for writes of federated objects, in the manner of Kubernetes' API Priority and Fairness:
 * a write that would propagate waits, first come first served, while the reconcile queue holds
 * `UBERNETES_ADMISSION_MAX_BACKLOG` or more jobs of user writes no worker has taken yet
 * ({@link userWriteBacklog}: what the control plane enqueued itself, such as a re-plan of every object
 * after a health transition, does not count, and is taken after user writes), and is refused with 429 and
 * `Retry-After` once it has waited `UBERNETES_ADMISSION_TIMEOUT_SECONDS`. Without it a burst of writes is
 * acknowledged faster than members can take it, and the queue in between — the time from an acknowledged
 * write to the object running in the members — grows with the burst. With it the backlog stays bounded,
 * so an acknowledged write reaches the members within about (concurrency + backlog) / throughput, and
 * the wait moves to the writer, which sees it (and can slow down) instead of a silent lag.
 *
 * The backlog is read from Redis (shared by every server process) at most every 20 ms while writes arrive
 * or wait; writes admitted since the last reading count on top of it, so a burst cannot overshoot by
 * more than what other processes admit in those 20 ms. `0` turns the gate off.
 */
@Injectable()
export class PropagationAdmission implements OnModuleDestroy {
  private readonly waiters: Waiter[] = [];
  private reading?: Promise<number>;
  private lastBacklog = 0;
  private lastReadAt = -Infinity;
  private admittedSinceRead = 0;
  private pumping = false;
  private readonly readBacklog: BacklogReader;

  constructor(
    queues: QueueService,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {
    this.readBacklog = async () => userWriteBacklog(await queues.queue(QueueName.Reconcile).getJobCounts('waiting'));
  }

  /** Resolves when the write may go ahead; rejects with RateLimited (429) after the admission timeout. */
  async admit(): Promise<void> {
    const { admissionMaxBacklog: maxBacklog, admissionTimeoutSeconds: timeoutSeconds } = this.config.propagation;
    if (maxBacklog === 0) return;
    const started = performance.now();
    if (this.waiters.length === 0) await this.refresh();
    // Checked and counted synchronously after the reading, so concurrent writes see each other.
    if (this.waiters.length === 0 && this.backlog() < maxBacklog) {
      this.admittedSinceRead++;
      this.metrics.admissionWait.observe(0);
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          this.metrics.admissionRejected.inc();
          reject(DomainError.rateLimited(`propagation is backlogged (${maxBacklog}+ objects waiting for ${timeoutSeconds}s): retry later`, 1));
        }, timeoutSeconds * 1000),
      };
      this.waiters.push(waiter);
      void this.pump();
    });
    this.metrics.admissionWait.observe((performance.now() - started) / 1000);
  }

  onModuleDestroy(): void {
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(DomainError.rateLimited('the server is shutting down: retry', 1));
    }
  }

  /** Lets waiters in, oldest first, as the backlog drains; one loop per process. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.waiters.length) {
        await this.refresh();
        while (this.backlog() < this.config.propagation.admissionMaxBacklog && this.waiters.length) {
          const waiter = this.waiters.shift()!;
          clearTimeout(waiter.timer);
          this.admittedSinceRead++;
          waiter.resolve();
        }
        if (this.waiters.length) await new Promise((r) => setTimeout(r, READ_EVERY_MS));
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Jobs not yet taken: the last reading plus what this process admitted since. */
  private backlog(): number {
    return this.lastBacklog + this.admittedSinceRead;
  }

  /**
   * Reads the backlog again when the last reading is older than 20 ms (one read at a time, shared).
   * Redis unreachable: counts as empty, so writes go through and their enqueue reports the outage.
   */
  private async refresh(): Promise<void> {
    if (performance.now() - this.lastReadAt < READ_EVERY_MS) return;
    this.reading ??= this.readBacklog()
      .catch(() => 0)
      .then((value) => {
        this.lastBacklog = value;
        this.lastReadAt = performance.now();
        this.admittedSinceRead = 0;
        return value;
      })
      .finally(() => (this.reading = undefined));
    await this.reading;
  }
}
