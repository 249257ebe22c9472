import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '#libs/config';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, liveMatchesManifest, stableStringify } from '#libs/federation';
import { FederatedObjectRepository, PropagationWorkRepository } from '#libs/persistence';
import { MemberClusterDirectory } from './member-cluster-directory.js';
import { MemberConnections } from './member-connections.js';
import { observeLive, readyEndpointsOf, type Observed } from './observe.js';
import { ReconcileService } from './reconcile.service.js';
import type { Work } from './work.js';
import { toWork } from './work.mapper.js';

/** Outcome of one resync pass. */
export interface ResyncReport {
  clusters: number;
  checked: number;
  /** Objects sent to reconcile (drift, missing member object, status change, unfinished work). */
  enqueued: number;
  errors: { cluster: string; error: string }[];
}

/**
 * Periodic resync: one LIST per (Ready member × propagated kind) of the objects Ubernetes manages,
 * compared with the work items. A member object deleted or edited by hand, a status change (replicas
 * ready, load-balancer ingress, endpoints), a work item not yet applied or an object still being deleted
 * sends the federated object to reconcile; nothing else is written. Cost: O(clusters × kinds) requests.
 */
@Injectable()
export class ResyncService {
  private readonly logger = new Logger('ResyncService');

  constructor(
    private readonly objects: FederatedObjectRepository,
    private readonly works: PropagationWorkRepository,
    private readonly directory: MemberClusterDirectory,
    private readonly connections: MemberConnections,
    private readonly reconciler: ReconcileService,
    private readonly config: AppConfig,
  ) {}

  async resyncOnce(): Promise<ResyncReport> {
    const report: ResyncReport = { clusters: 0, checked: 0, enqueued: 0, errors: [] };
    const stale = new Set<string>();
    for (const uid of await this.objects.deletingUids()) stale.add(uid);
    // Objects that have not converged (e.g. created while no cluster was Ready) get another try.
    for (const uid of await this.objects.unconvergedUids()) stale.add(uid);
    const clusters = (await this.directory.listClusters()).filter((c) => c.ready);
    report.clusters = clusters.length;
    const timeoutMs = this.config.propagation.memberTimeoutMs;
    await Promise.all(
      clusters.map(async (cluster) => {
        try {
          const works = (await this.works.listForCluster(cluster.name)).map(toWork);
          report.checked += works.length;
          for (const uid of await this.compare(cluster.name, works, timeoutMs)) stale.add(uid);
        } catch (error) {
          report.errors.push({ cluster: cluster.name, error: (error as Error).message });
        }
      }),
    );
    await Promise.all([...stale].map((uid) => this.reconciler.requestReconcile(uid)));
    report.enqueued = stale.size;
    if (stale.size) this.logger.debug({ enqueued: stale.size, clusters: clusters.length }, 'resync found changes');
    return report;
  }

  private async compare(cluster: string, works: readonly Work[], timeoutMs: number): Promise<string[]> {
    const stale: string[] = [];
    const groups = new Map<string, Work[]>();
    for (const w of works) {
      if (w.state !== 'Applied' || w.appliedHash !== w.hash) {
        stale.push(w.objectUid);
        continue;
      }
      const m = w.manifest;
      const key = `${m.apiVersion} ${m.kind}`;
      groups.set(key, [...(groups.get(key) ?? []), w]);
    }
    if (groups.size === 0) return stale;
    const member = await this.connections.for(cluster, timeoutMs);
    for (const [key, group] of groups) {
      const [apiVersion, kind] = key.split(' ');
      const live = await member.list(apiVersion, kind, { labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`, timeoutMs });
      const byName = new Map(live.map((o) => [`${o.metadata?.namespace ?? ''}/${o.metadata?.name}`, o]));
      const endpoints =
        kind === 'Service' ? new Map((await member.list('v1', 'Endpoints', { timeoutMs })).map((e) => [`${e.metadata?.namespace ?? ''}/${e.metadata?.name}`, e])) : undefined;
      for (const w of group) {
        const m = w.manifest;
        const id = `${m.metadata?.namespace ?? ''}/${m.metadata?.name}`;
        const l = byName.get(id);
        if (!l || !liveMatchesManifest(m, l)) {
          stale.push(w.objectUid);
          continue;
        }
        const now: Observed = observeLive(l);
        if (endpoints) now.readyEndpoints = readyEndpointsOf(endpoints.get(id));
        const before = w.observed;
        const comparable = (o: Observed) => stableStringify([o.specReplicas, o.replicas, o.readyReplicas, o.availableReplicas, o.ingress, o.readyEndpoints]);
        if (comparable(now) !== comparable(before)) stale.push(w.objectUid);
      }
    }
    return stale;
  }
}
