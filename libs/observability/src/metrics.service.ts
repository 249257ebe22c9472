import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The timestamps of a BullMQ job (ms since epoch) that tell how long it waited. */
export interface QueuedJob {
  /** When it was added. */
  timestamp: number;
  /** Its delay (ms) after being added. */
  delay?: number;
  /** When a worker took it. */
  processedOn?: number;
  /** Failed attempts before this one (a retry's wait would include its earlier runs and backoff). */
  attemptsMade?: number;
}

/**
 * Prometheus metrics of one process. Domain code records through the typed instruments here;
 * `/metrics` renders the registry. Collect callbacks (queue depth, ...) are registered by their owners.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'ubernetes_http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly jobDuration = new Histogram({
    name: 'ubernetes_job_duration_seconds',
    help: 'BullMQ job processing time by queue, job name and outcome',
    labelNames: ['queue', 'job', 'outcome'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly jobWait = new Histogram({
    name: 'ubernetes_job_wait_seconds',
    help: 'Time a BullMQ job waited from when it was due (added, plus its delay) until a worker took it, by queue and job name',
    labelNames: ['queue', 'job'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly memberRequestDuration = new Histogram({
    name: 'ubernetes_member_request_duration_seconds',
    help: 'Latency of propagation requests to member API servers by cluster, method and HTTP status (0: no response)',
    labelNames: ['cluster', 'method', 'code'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly admissionWait = new Histogram({
    name: 'ubernetes_admission_wait_seconds',
    help: 'Time a write of a federated object waited for the reconcile backlog to drain below UBERNETES_ADMISSION_MAX_BACKLOG',
    buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly admissionRejected = new Counter({
    name: 'ubernetes_admission_rejected_total',
    help: 'Writes of federated objects refused with 429 after waiting UBERNETES_ADMISSION_TIMEOUT_SECONDS',
    registers: [this.registry],
  });

  readonly queueDepth = new Gauge({
    name: 'ubernetes_queue_jobs',
    help: 'Jobs per queue and state, sampled at scrape time',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });

  readonly probeDuration = new Histogram({
    name: 'ubernetes_cluster_probe_duration_seconds',
    help: 'Member cluster health probe latency by cluster and result',
    labelNames: ['cluster', 'result'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
    registers: [this.registry],
  });

  readonly clusterReady = new Gauge({
    name: 'ubernetes_cluster_ready',
    help: '1 when the member cluster is Ready, 0 otherwise',
    labelNames: ['cluster'] as const,
    registers: [this.registry],
  });

  readonly federationDisruption = new Gauge({
    name: 'ubernetes_federation_disruption',
    help: "1 for the federation's current disruption mode (Normal, PartialDisruption, FullDisruption), 0 for the others",
    labelNames: ['mode'] as const,
    registers: [this.registry],
  });

  readonly federationNotReadyShare = new Gauge({
    name: 'ubernetes_federation_not_ready_share',
    help: 'Share of probed member clusters that are NotReady (the disruption threshold compares against it)',
    registers: [this.registry],
  });

  readonly writeOffsHeld = new Gauge({
    name: 'ubernetes_failover_write_offs_held',
    help: 'NotReady clusters whose replicas the failover gate does not write off yet, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly dnsDeletionsRefused = new Counter({
    name: 'ubernetes_dns_publish_refused_total',
    help: 'DNS publishes refused by the mass-deletion guard',
    labelNames: ['provider', 'zone'] as const,
    registers: [this.registry],
  });

  readonly dnsPublishes = new Counter({
    name: 'ubernetes_dns_publishes_total',
    help: 'DNS zone publishes by provider and result (published, unchanged, refused, failed)',
    labelNames: ['provider', 'zone', 'result'] as const,
    registers: [this.registry],
  });

  readonly dnsRecords = new Gauge({
    name: 'ubernetes_dns_records',
    help: 'Record sets published in a DNS zone (ownership TXT included)',
    labelNames: ['zone'] as const,
    registers: [this.registry],
  });

  readonly dnsPublishDuration = new Histogram({
    name: 'ubernetes_dns_publish_duration_seconds',
    help: 'Time to publish a DNS zone, by provider',
    labelNames: ['provider'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  private readonly beforeScrape: (() => Promise<void>)[] = [];

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'ubernetes_process_' });
  }

  /** Registers work to run right before each scrape (e.g. sampling queue depth). */
  onScrape(fn: () => Promise<void>): void {
    this.beforeScrape.push(fn);
  }

  async render(): Promise<string> {
    await Promise.allSettled(this.beforeScrape.map((fn) => fn()));
    return this.registry.metrics();
  }

  /**
   * Times an async function into the job histogram; given the BullMQ job (`queued`), also records how long
   * it waited in its queue (first attempts only).
   */
  async timeJob<T>(queue: string, job: string, fn: () => Promise<T>, queued?: QueuedJob): Promise<T> {
    if (queued?.processedOn !== undefined && !queued.attemptsMade) {
      const dueAt = queued.timestamp + (queued.delay ?? 0);
      this.jobWait.observe({ queue, job }, Math.max(0, queued.processedOn - dueAt) / 1000);
    }
    const end = this.jobDuration.startTimer({ queue, job });
    try {
      const result = await fn();
      end({ outcome: 'completed' });
      return result;
    } catch (error) {
      end({ outcome: 'failed' });
      throw error;
    }
  }
}
