import { Injectable } from '@nestjs/common';
import type { MemberCredentials } from '#libs/kube';
import { MemberClusterDirectory, type MemberClusterInfo } from '#libs/propagation';
import { ClusterConditionType, ConditionStatus, ClustersService } from '#libs/registry';

/** Short caches: reconcile asks once per object, and a burst of objects must not mean a burst of queries. */
const LIST_TTL_MS = 500;
const CREDENTIALS_TTL_MS = 5_000;

/**
 * Propagation's view of the cluster registry: names, labels, Ready (condition Ready=True) and
 * schedulable (not cordoned), and decrypted credentials. Health transitions trigger a re-plan
 * separately (PropagationScheduler), so the short list cache never delays a failover by more than 0.5 s.
 */
@Injectable()
export class RegistryClusterDirectory extends MemberClusterDirectory {
  private list?: { at: number; value: Promise<MemberClusterInfo[]> };
  private readonly credentialCache = new Map<string, { at: number; value: Promise<MemberCredentials> }>();

  constructor(private readonly clusters: ClustersService) {
    super();
  }

  listClusters(): Promise<MemberClusterInfo[]> {
    const now = Date.now();
    if (!this.list || now - this.list.at > LIST_TTL_MS) {
      const value = this.clusters.list().then((l) =>
        l.items.map((c) => {
          const condition = c.status.conditions?.find((x) => x.type === ClusterConditionType.Ready);
          const ready = condition?.status === ConditionStatus.True;
          const since = !ready && condition?.lastTransitionTime ? Date.parse(condition.lastTransitionTime) : NaN;
          return {
            name: c.metadata.name,
            labels: c.metadata.labels ?? {},
            ready,
            schedulable: c.spec.unschedulable !== true,
            ...(Number.isFinite(since) ? { notReadySince: since } : {}),
          };
        }),
      );
      value.catch(() => (this.list = undefined));
      this.list = { at: now, value };
    }
    return this.list.value;
  }

  credentials(name: string): Promise<MemberCredentials> {
    const now = Date.now();
    const cached = this.credentialCache.get(name);
    if (cached && now - cached.at < CREDENTIALS_TTL_MS) return cached.value;
    const value = this.clusters.memberCredentials(name);
    value.catch(() => this.credentialCache.delete(name));
    this.credentialCache.set(name, { at: now, value });
    return value;
  }

  /** Forgets cached answers (after a registry change or a health transition). */
  invalidate(): void {
    this.list = undefined;
    this.credentialCache.clear();
  }
}
