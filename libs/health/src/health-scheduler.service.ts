import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ClusterRepository, FleetLeases, type FleetLease } from '#libs/persistence';
import { QueueName, QueueService } from '#libs/queues';
import { ClusterRegistryEvents, storedClusterSpec } from '#libs/registry';
import { HealthMonitorService } from './health-monitor.service.js';

/** Job names of the `health` queue. */
export enum HealthJob {
  /** Probe one cluster: payload `{ cluster: name }` (ids only, never credentials). */
  Probe = 'probe',
  /** Reconcile the per-cluster probe schedules with the registry (every {@link SYNC_EVERY_MS}). */
  Sync = 'sync',
}

export const SYNC_EVERY_MS = 30_000;
const SYNC_SCHEDULER_ID = 'health-sync';
const PROBE_PREFIX = 'probe:';

/** Deterministic BullMQ job-scheduler id of a cluster's probe chain. */
export function probeSchedulerId(cluster: string): string {
  return `${PROBE_PREFIX}${cluster}`;
}

/**
 * Keeps one BullMQ job scheduler per cluster (`probe:<name>`, every `periodSeconds`), so every cluster is
 * probed on its own schedule and a hung cluster never delays the others (the next job is created when the
 * current one starts, and the worker runs many probes at once). Schedules live in Redis: a restarted or
 * killed worker resumes them. Registry events (from any process of the fleet) and a periodic sync keep
 * them in line with the clusters table.
 */
@Injectable()
export class HealthScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('HealthScheduler');
  private unsubscribe?: () => void;
  private timer?: NodeJS.Timeout;
  private lease?: FleetLease;

  constructor(
    private readonly queues: QueueService,
    private readonly repository: ClusterRepository,
    private readonly events: ClusterRegistryEvents,
    private readonly monitor: HealthMonitorService,
    private readonly leases: FleetLeases,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.unsubscribe = this.events.subscribe((event) => {
      const work = event.type === 'resync' ? this.sync().then(() => undefined) : event.type === 'deleted' ? this.unschedule(event.cluster) : this.schedule(event.cluster);
      work.catch((error: unknown) => this.logger.warn({ cluster: event.cluster, error: (error as Error).message }, 'cannot update probe schedule'));
    });
    await this.ensureSchedules();
    // Schedules live in Redis; a Redis that restarts without its data would stop every probe until some
    // process restarted. This in-process timer puts them back (upserts are idempotent), in one process of
    // the fleet (the `probe-schedules` lease).
    this.lease = this.leases.lease('probe-schedules');
    this.timer = setInterval(() => {
      if (!this.lease?.held()) return;
      this.ensureSchedules().catch((error: unknown) => this.logger.debug({ error: (error as Error).message }, 'probe schedule check failed; retrying'));
    }, SYNC_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
  }

  private async ensureSchedules(): Promise<void> {
    await this.queue.upsertJobScheduler(SYNC_SCHEDULER_ID, { every: SYNC_EVERY_MS }, { name: HealthJob.Sync, data: {}, opts: { removeOnComplete: true, removeOnFail: 50, attempts: 1 } });
    await this.sync();
  }

  private get queue() {
    return this.queues.queue(QueueName.Health);
  }

  /** Creates or updates the probe schedule of one cluster from its effective period. */
  async schedule(cluster: string): Promise<void> {
    const row = await this.repository.findByName(cluster);
    if (!row) return this.unschedule(cluster);
    const settings = await this.monitor.settingsFor(storedClusterSpec(row.spec));
    await this.upsert(cluster, Math.round(settings.periodSeconds * 1000));
  }

  async unschedule(cluster: string): Promise<void> {
    await this.queue.removeJobScheduler(probeSchedulerId(cluster));
  }

  /** Makes the schedulers match the registry: adds missing, fixes changed periods, removes stale ones. */
  async sync(): Promise<{ scheduled: number; removed: number }> {
    const rows = await this.repository.findAll();
    const existing = new Map((await this.queue.getJobSchedulers(0, -1)).map((s) => [s.key, s.every]));
    let scheduled = 0;
    for (const row of rows) {
      const settings = await this.monitor.settingsFor(storedClusterSpec(row.spec));
      const every = Math.round(settings.periodSeconds * 1000);
      if (Number(existing.get(probeSchedulerId(row.name))) !== every) {
        await this.upsert(row.name, every);
        scheduled++;
      }
    }
    const names = new Set(rows.map((r) => probeSchedulerId(r.name)));
    let removed = 0;
    for (const key of existing.keys()) {
      if (key.startsWith(PROBE_PREFIX) && !names.has(key)) {
        await this.queue.removeJobScheduler(key);
        removed++;
      }
    }
    if (scheduled || removed) this.logger.log({ scheduled, removed, clusters: rows.length }, 'probe schedules synced');
    return { scheduled, removed };
  }

  private async upsert(cluster: string, every: number): Promise<void> {
    await this.queue.upsertJobScheduler(
      probeSchedulerId(cluster),
      { every },
      { name: HealthJob.Probe, data: { cluster }, opts: { removeOnComplete: true, removeOnFail: 20, attempts: 1 } },
    );
  }
}
