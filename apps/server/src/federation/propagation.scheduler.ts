import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '#libs/config';
import { ReconcileService, ResyncService } from '#libs/propagation';
import { ClusterRegistryEvents } from '#libs/registry';
import { RegistryClusterDirectory } from './registry-cluster-directory.js';

/**
 * Worker-role timers and triggers of propagation: the periodic resync (UBERNETES_RESYNC_SECONDS), a
 * re-plan of every federated object when a cluster's registration changes, and resuming unfinished work
 * at start. (Health transitions re-plan through the one HealthTransitionHandler.)
 */
@Injectable()
export class PropagationScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('PropagationScheduler');
  private timer?: NodeJS.Timeout;
  private running = false;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly resync: ResyncService,
    private readonly reconciler: ReconcileService,
    private readonly directory: RegistryClusterDirectory,
    private readonly registry: ClusterRegistryEvents,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const replan = (why: string, cluster: string) => {
      this.directory.invalidate();
      void this.reconciler
        .requestReconcileAll()
        .then((n) => n && this.logger.log({ cluster, objects: n }, `re-planning after ${why}`))
        .catch((error: unknown) => this.logger.warn({ err: error, cluster }, 're-plan request failed'));
    };
    this.unsubscribe.push(this.registry.subscribe((e) => replan(`cluster ${e.type}`, e.cluster)));
    this.timer = setInterval(() => void this.tick(), this.config.propagation.resyncSeconds * 1000);
    this.timer.unref();
    setTimeout(() => void this.tick(), 1_000).unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    for (const u of this.unsubscribe.splice(0)) u();
  }

  private async tick(): Promise<void> {
    if (this.running) return;
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
