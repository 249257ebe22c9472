import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '#libs/config';
import { FEDERATED_KINDS, MANAGED_BY_LABEL, MANAGED_BY_VALUE, liveMatchesManifest, stableStringify } from '#libs/federation';
import type { MemberObject } from '#libs/kube';
import { FederatedObjectRepository, PropagationWorkRepository } from '#libs/persistence';
import { MemberClusterDirectory } from './member-cluster-directory.js';
import { MemberConnections } from './member-connections.js';
import { observeLive, readyEndpointsOf, type Observed } from './observe.js';
import { orphansToDelete, untrackedObjects, type UntrackedObject } from './orphans.js';
import { ReconcileService } from './reconcile.service.js';
import type { Work } from './work.js';
import { toWork } from './work.mapper.js';

/** Outcome of one resync pass. */
export interface ResyncReport {
  clusters: number;
  checked: number;
  /** Objects sent to reconcile (drift, missing member object, status change, unfinished work). */
  enqueued: number;
  /** Member objects no work item tracked, deleted (see orphans.ts). */
  orphansDeleted: number;
  errors: { cluster: string; error: string }[];
}

/** Every kind a federated kind propagates to (a FederatedObject's kinds come from its items). */
const TARGET_KINDS: readonly { apiVersion: string; kind: string }[] = FEDERATED_KINDS.flatMap((k) => (k.target ? [k.target] : []));

const MANAGED = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`;
const idOf = (o: { metadata?: { namespace?: string; name?: string } }) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;

/**
 * Periodic resync (one process of the fleet runs it: the scheduler's lease): one LIST per (Ready member ×
 * propagated kind) of the objects Ubernetes manages — every target kind, and the kinds of the cluster's
 * items — plus, where Services are propagated, one LIST of the Endpoints carrying the managed-by label
 * (the endpoints controller copies a Service's labels), compared with the work items. A member object
 * deleted or edited by hand, a status change (replicas ready, load-balancer ingress, endpoints), a work
 * item not yet applied or an object still being deleted sends the federated object to reconcile; a member
 * object of this federation that no item tracks is deleted (orphans.ts). Nothing else is written. Cost:
 * O(clusters × kinds) requests, each returning only what Ubernetes manages.
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
    const report: ResyncReport = { clusters: 0, checked: 0, enqueued: 0, orphansDeleted: 0, errors: [] };
    const stale = new Set<string>();
    for (const uid of await this.objects.deletingUids()) stale.add(uid);
    // Objects that have not converged (e.g. created while no cluster was Ready) get another try.
    for (const uid of await this.objects.unconvergedUids()) stale.add(uid);
    const clusters = (await this.directory.listClusters()).filter((c) => c.ready);
    report.clusters = clusters.length;
    const timeoutMs = this.config.propagation.memberTimeoutMs;
    const untracked: { cluster: string; object: UntrackedObject }[] = [];
    await Promise.all(
      clusters.map(async (cluster) => {
        try {
          const works = (await this.works.listForCluster(cluster.name)).map(toWork);
          report.checked += works.length;
          const found = await this.compare(cluster.name, works, timeoutMs, report);
          for (const uid of found.stale) stale.add(uid);
          for (const object of found.untracked) untracked.push({ cluster: cluster.name, object });
        } catch (error) {
          report.errors.push({ cluster: cluster.name, error: (error as Error).message });
        }
      }),
    );
    report.orphansDeleted = await this.deleteOrphans(untracked, timeoutMs, report);
    await Promise.all([...stale].map((uid) => this.reconciler.requestReconcile(uid)));
    report.enqueued = stale.size;
    if (stale.size) this.logger.debug({ enqueued: stale.size, clusters: clusters.length }, 'resync found changes');
    return report;
  }

  private async compare(cluster: string, works: readonly Work[], timeoutMs: number, report: ResyncReport): Promise<{ stale: string[]; untracked: UntrackedObject[] }> {
    const stale: string[] = [];
    const groups = new Map<string, Work[]>();
    for (const k of TARGET_KINDS) groups.set(`${k.apiVersion} ${k.kind}`, []);
    for (const w of works) {
      const m = w.manifest;
      const key = `${m.apiVersion} ${m.kind}`;
      if (!groups.has(key)) groups.set(key, []);
      if (w.state !== 'Applied' || w.appliedHash !== w.hash) {
        stale.push(w.objectUid);
        continue;
      }
      groups.get(key)!.push(w);
    }
    const member = await this.connections.for(cluster, timeoutMs);
    const listed: MemberObject[] = [];
    for (const [key, group] of groups) {
      const [apiVersion, kind] = key.split(' ');
      let live: MemberObject[];
      try {
        live = await member.list(apiVersion, kind, { labelSelector: MANAGED, timeoutMs });
      } catch (error) {
        // One kind the member cannot list (e.g. a custom resource it does not serve) is that kind's problem only.
        report.errors.push({ cluster, error: `${kind}: ${(error as Error).message}` });
        for (const w of group) stale.push(w.objectUid);
        continue;
      }
      listed.push(...live);
      if (!group.length) continue;
      const byName = new Map(live.map((o) => [idOf(o), o]));
      const endpoints = kind === 'Service' ? new Map((await member.list('v1', 'Endpoints', { labelSelector: MANAGED, timeoutMs })).map((e) => [idOf(e), e])) : undefined;
      for (const w of group) {
        const m = w.manifest;
        const id = idOf(m);
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
    return { stale, untracked: untrackedObjects(this.config.propagation.ownerId, works, listed) };
  }

  /** Deletes the untracked objects orphans.ts says may go (only that object at that version). */
  private async deleteOrphans(untracked: readonly { cluster: string; object: UntrackedObject }[], timeoutMs: number, report: ResyncReport): Promise<number> {
    if (!untracked.length) return 0;
    const existing = await this.objects.existingUids([...new Set(untracked.map((u) => u.object.uid))]);
    const doomed = new Set(orphansToDelete(untracked.map((u) => u.object), existing, Date.now()));
    let deleted = 0;
    for (const { cluster, object } of untracked.filter((u) => doomed.has(u.object))) {
      const o = object.object;
      const ref = { apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata?.namespace, name: String(o.metadata?.name) };
      try {
        const member = await this.connections.for(cluster, timeoutMs);
        if (await member.delete(ref, timeoutMs, { uid: o.metadata?.uid, resourceVersion: o.metadata?.resourceVersion })) deleted++;
        this.logger.log({ cluster, resource: `${o.kind}/${idOf(o)}`, uid: object.uid, gone: !existing.has(object.uid) }, 'deleted a member object no work item tracks');
      } catch (error) {
        // 409: changed since it was listed; the next pass looks again.
        report.errors.push({ cluster, error: `deleting untracked ${o.kind} ${idOf(o)}: ${(error as Error).message}` });
      }
    }
    return deleted;
  }
}
