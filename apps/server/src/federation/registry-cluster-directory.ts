import { Injectable } from '@nestjs/common';
import type { MemberCredentials } from '#libs/kube';
import { MemberClusterDirectory, type MemberClusterInfo } from '#libs/propagation';
import { FailoverGate } from '#libs/health';
import { ClustersService } from '#libs/registry';

/** Short caches: reconcile asks once per object, and a burst of objects must not mean a burst of queries. */
const LIST_TTL_MS = 500;
const CREDENTIALS_TTL_MS = 5_000;

/**
 * Propagation's view of the cluster registry (the registry's `ClusterView`: names, labels, Ready,
 * schedulable, NotReady since, and for NotReady clusters the failover gate's answer), and decrypted
 * credentials. Health transitions trigger a re-plan
 * separately (PropagationScheduler), so the short list cache never delays a failover by more than 0.5 s.
 */
@Injectable()
export class RegistryClusterDirectory extends MemberClusterDirectory {
  private list?: { at: number; value: Promise<MemberClusterInfo[]> };
  private readonly credentialCache = new Map<string, { at: number; value: Promise<MemberCredentials> }>();

  constructor(
    private readonly clusters: ClustersService,
    private readonly gate: FailoverGate,
  ) {
    super();
  }

  listClusters(): Promise<MemberClusterInfo[]> {
    const now = Date.now();
    if (!this.list || now - this.list.at > LIST_TTL_MS) {
      // One snapshot: the failover gate's decision and the views it was made from, so every NotReady
      // cluster carries the gate's answer (a cluster without one would be written off on the delay alone).
      const value = this.gate.evaluate().then(({ clusters, gate }) => {
        const writeOffs = new Map(gate.writeOffs.map((w) => [w.cluster, w]));
        return clusters.map((c) => {
          const w = writeOffs.get(c.name);
          return {
            name: c.name,
            labels: c.labels,
            ready: c.ready,
            schedulable: c.schedulable,
            ...(c.notReadySince !== undefined ? { notReadySince: c.notReadySince } : {}),
            ...(w ? { writeOff: { ...(w.atMs !== undefined ? { atMs: w.atMs } : {}), clockMs: w.clockMs, ...(w.hold ? { hold: w.hold } : {}) } } : {}),
          };
        });
      });
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
  override invalidate(): void {
    this.list = undefined;
    this.gate.invalidate();
    this.credentialCache.clear();
  }
}
