import { Injectable, Logger } from '@nestjs/common';
import { FailoverGate } from '#libs/health';
import { MemberClusterDirectory, ReconcileService } from '#libs/propagation';
import { ClusterConditionType, ConditionStatus, type ClusterConditionTransition } from '#libs/registry';
import { DnsPublishRequester } from './dns-publish.js';
import { FailoverService } from './failover.service.js';

/**
 * The one place that decides what a cluster health transition means:
 * - failover records what a person reads (ClusterNotReady / Ready, ZoneDown / ZoneUp), asks for the DNS
 *   publish that withdraws or restores the cluster's endpoints, and queues a failover check of every
 *   workload that had replicas (or has a move) there;
 * - meanwhile the failover gate is evaluated afresh (disruption modes, rate-limit slots; its events), and
 *   then every federated object is re-planned (propagation reads the gate before it writes anything off).
 * Only `Ready` transitions mean anything here (`Offline` only refines the reason of a NotReady cluster).
 */
@Injectable()
export class HealthTransitionHandler {
  private readonly logger = new Logger('HealthTransitions');

  constructor(
    private readonly gate: FailoverGate,
    private readonly failover: FailoverService,
    private readonly reconciler: ReconcileService,
    private readonly directory: MemberClusterDirectory,
    private readonly dns: DnsPublishRequester,
  ) {}

  async handle(t: ClusterConditionTransition): Promise<void> {
    if (t.condition !== ClusterConditionType.Ready) return;
    this.directory.invalidate();
    this.gate.invalidate();
    // DNS and the story first (they need no gate); the re-plan only once the gate has seen the transition.
    const tell =
      t.from === ConditionStatus.Unknown
        ? // A cluster's first verdict: nothing failed over, but it may hold endpoints to publish.
          this.dns.requestPublish(`cluster ${t.cluster} ${t.to === ConditionStatus.True ? 'Ready' : 'NotReady'} (first probe)`)
        : this.failover.onTransition(t);
    const replan = this.gate.evaluate({ fresh: true }).then(async () => {
      const n = await this.reconciler.requestReconcileAll();
      if (n) this.logger.log({ cluster: t.cluster, objects: n, from: t.from, to: t.to }, 're-planning after a health transition');
    });
    const [told, replanned] = await Promise.allSettled([tell, replan]);
    // One failing step never stops the others (the failover sweep and the resync cover what it missed).
    if (told.status === 'rejected') this.logger.warn({ cluster: t.cluster, err: (told.reason as Error).message }, 'cannot record or publish a health transition');
    if (replanned.status === 'rejected') this.logger.warn({ cluster: t.cluster, err: (replanned.reason as Error).message }, 'cannot re-plan after a health transition');
  }
}
