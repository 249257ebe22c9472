import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '#libs/config';
import { FleetLeases, type FleetLease } from '#libs/persistence';
import { ReconcileService, ResyncService } from '#libs/propagation';
import { ClusterRegistryEvents } from '#libs/registry';
import { RegistryClusterDirectory } from './registry-cluster-directory.js';

/** The lease under which the periodic resync runs: one process of the fleet LISTs the members. */
export const RESYNC_LEASE = 'propagation-resync';

/**
 * Worker-role timers and triggers of propagation: the periodic resync (UBERNETES_RESYNC_SECONDS), run by
 * the one process of the fleet holding the {@link RESYNC_LEASE} lease (it moves when its holder dies), which
 * also resumes unfinished work after a start; and a re-plan of every federated object when a cluster's
 * registration changes. (Health transitions re-plan through the one HealthTransitionHandler.)
 */
@Injectable()
export class PropagationScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('PropagationScheduler');
  private timer?: NodeJS.Timeout;
  private running = false;
  private lease?: FleetLease;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly resync: ResyncService,
    private readonly reconciler: ReconcileService,
    private readonly directory: RegistryClusterDirectory,
    private readonly registry: ClusterRegistryEvents,
    private readonly leases: FleetLeases,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    // Every worker forgets its cached cluster list; every worker asks for the re-plan too, not only the
    // lease holder: a change the holder missed (its notification connection down, the lease moving) would
    // otherwise wait for the next write. The requests coalesce per object, so N workers cost N enqueues.
    const replan = (why: string, cluster: string) => {
      this.directory.invalidate();
      void this.reconciler
        .requestReconcileAll()
        .then((n) => n && this.logger.log({ cluster, objects: n }, `re-planning after ${why}`))
        .catch((error: unknown) => this.logger.warn({ err: error, cluster }, 're-plan request failed'));
    };
    this.unsubscribe.push(this.registry.subscribe((e) => replan(`cluster ${e.type}`, e.cluster)));
    this.lease = this.leases.lease(RESYNC_LEASE);
    this.timer = setInterval(() => void this.tick(), this.config.propagation.resyncSeconds * 1000);
    this.timer.unref();
    setTimeout(() => void this.tick(), 1_000).unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    for (const u of this.unsubscribe.splice(0)) u();
  }

  private async tick(): Promise<void> {
    if (this.running || !this.lease?.held()) return;
    this.running = true;
    try {
      const report = await this.resync.resyncOnce();
      for (const e of report.errors) this.logger.warn({ cluster: e.cluster, err: e.error }, 'resync of a cluster failed');
    } catch (error) {
      this.logger.warn({ err: error }, 'resync failed');
    } finally {
      this.running = false;
    }
  }
}
