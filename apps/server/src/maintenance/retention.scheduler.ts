import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '#libs/config';
import { FleetLeases, RetentionRepository, type FleetLease } from '#libs/persistence';

/** How often history is pruned (and once a minute after start). */
export const RETENTION_EVERY_MS = 60 * 60_000;
const DAY_MS = 24 * 60 * 60_000;

/**
 * Bounded history (worker role, once per fleet under the `retention` lease): every hour, events, audit
 * records and condition transitions older than UBERNETES_RETENTION_*_DAYS are deleted (see
 * RetentionRepository for what is always kept).
 */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Retention');
  private readonly timers: NodeJS.Timeout[] = [];
  private lease!: FleetLease;
  private running = false;

  constructor(
    private readonly retention: RetentionRepository,
    private readonly leases: FleetLeases,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.lease = this.leases.lease('retention');
    const first = setTimeout(() => void this.prune(), 60_000);
    const every = setInterval(() => void this.prune(), RETENTION_EVERY_MS);
    first.unref();
    every.unref();
    this.timers.push(first, every);
  }

  onApplicationShutdown(): void {
    for (const t of this.timers.splice(0)) clearTimeout(t);
  }

  /** Prunes now if this process holds the lease; returns what it removed (undefined when not the holder). */
  async prune(now = Date.now()) {
    if (this.running || !this.lease.held()) return undefined;
    this.running = true;
    try {
      const r = this.config.retention;
      const report = await this.retention.prune({
        events: new Date(now - r.eventsDays * DAY_MS),
        audit: new Date(now - r.auditDays * DAY_MS),
        transitions: new Date(now - r.transitionsDays * DAY_MS),
      });
      if (report.events || report.audit || report.transitions) this.logger.log(report, 'old history pruned');
      return report;
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'pruning history failed (retried next hour)');
      return undefined;
    } finally {
      this.running = false;
    }
  }
}
