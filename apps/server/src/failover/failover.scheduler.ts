import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { FailoverService, HealthTransitionHandler } from '#libs/failover';
import { ClusterHealthEvents } from '#libs/health';
import { FleetLeases, type FleetLease } from '#libs/persistence';
import { ReconcileNotifications } from '#libs/propagation';

/** Sweep period: the longest a transition missed by a dying process (or lost with Redis) waits. */
export const FAILOVER_SWEEP_EVERY_MS = 10_000;

/**
 * Worker-role triggers of failover:
 * - every Ready transition this process stores (the health monitor publishes in the process that
 *   probed) goes to the one {@link HealthTransitionHandler} (gate, events, DNS, re-plan, failover checks);
 * - every reconcile record of the fleet (propagation's notifications) may advance a move: a workload with
 *   an open move gets a check; after a lost notification connection, a sweep;
 * - a sweep of stored state (PostgreSQL) every {@link FAILOVER_SWEEP_EVERY_MS} re-enqueues what still needs
 *   a look, in one process of the fleet (the `failover-sweep` lease); the others only re-read which
 *   workloads have open moves. The timer lives in the process, not in Redis, so a Redis restart that loses
 *   every queued job loses no failover: the next sweep re-derives it.
 */
@Injectable()
export class FailoverScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('FailoverScheduler');
  private readonly unsubscribe: (() => void)[] = [];
  private timer?: NodeJS.Timeout;
  private sweeping = false;
  private lease!: FleetLease;

  constructor(
    private readonly failover: FailoverService,
    private readonly transitions: HealthTransitionHandler,
    private readonly health: ClusterHealthEvents,
    private readonly reconciled: ReconcileNotifications,
    private readonly leases: FleetLeases,
  ) {}

  onApplicationBootstrap(): void {
    this.lease = this.leases.lease('failover-sweep');
    this.unsubscribe.push(
      this.health.onTransition((t) => this.transitions.handle(t)),
      this.reconciled.subscribe(
        (uid) => this.failover.onReconciled(uid),
        () => void this.sweep({ force: true }),
      ),
    );
    this.timer = setInterval(() => void this.sweep(), FAILOVER_SWEEP_EVERY_MS);
    this.timer.unref();
    setTimeout(() => void this.sweep(), 1_000).unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    for (const off of this.unsubscribe.splice(0)) off();
  }

  /** The lease holder (or, with `force`, this process after missed notifications) sweeps; the others re-read open moves. */
  private async sweep(options: { force?: boolean } = {}): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      if (!options.force && !this.lease.held()) {
        await this.failover.refreshOpen();
        return;
      }
      const n = await this.failover.sweep();
      if (n) this.logger.log({ workloads: n }, 'failover sweep requested checks');
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'failover sweep failed (retried next period)');
    } finally {
      this.sweeping = false;
    }
  }
}
