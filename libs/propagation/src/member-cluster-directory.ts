import type { MemberCredentials } from '#libs/kube';
import type { PlacementCluster } from '#libs/federation';

/** A registered member cluster as propagation sees it. */
export interface MemberClusterInfo extends PlacementCluster {
  /** Cordoned clusters (`spec.unschedulable`) keep what they run but get no new replicas. */
  schedulable: boolean;
  /**
   * When a cluster that is not Ready last left Ready (ms since epoch; the Ready condition's transition
   * time). Unset for Ready clusters. The failover delay counts from here.
   */
  notReadySince?: number;
  /**
   * For a NotReady cluster, the failover gate's answer (disruption, rate limit, recovery grace): from when
   * its replicas may be written off, and where the workload's failover delay counts from. Unset: no gate
   * (the delay alone counts from `notReadySince`).
   */
  writeOff?: WriteOffGate;
}

/** The failover gate's answer for one NotReady cluster (see `#libs/health` disruption.ts). */
export interface WriteOffGate {
  /** From when its replicas may be written off (ms since epoch); undefined while held with no end in sight. */
  atMs?: number;
  /** Where the workload's failover delay counts from (ms since epoch). */
  clockMs: number;
  /** Why the write-off waits for the gate, in words. */
  hold?: { reason: string; message: string };
}

/**
 * Where propagation learns the member clusters (names, labels, readiness) and their credentials. The
 * server binds it to the cluster registry; tests may bind a static list. A class token, so Nest injects
 * it without string tokens.
 */
export abstract class MemberClusterDirectory {
  /** Every registered cluster with its labels and Ready state. */
  abstract listClusters(): Promise<MemberClusterInfo[]>;
  /** Decrypted credentials of one member, for the control plane's own connections only. */
  abstract credentials(name: string): Promise<MemberCredentials>;
  /** Forgets cached answers (after a registry change or a health transition). */
  invalidate(): void {}
}

/** A fixed, in-memory directory (tests, benchmarks, and a server without the registry). */
export class StaticMemberClusterDirectory extends MemberClusterDirectory {
  private clusters = new Map<string, { info: MemberClusterInfo; credentials: MemberCredentials }>();

  /** Adds or replaces a cluster. */
  set(credentials: MemberCredentials, options: { labels?: Record<string, string>; ready?: boolean; schedulable?: boolean } = {}): void {
    this.clusters.set(credentials.name, {
      credentials,
      info: { name: credentials.name, labels: options.labels ?? {}, ready: options.ready ?? true, schedulable: options.schedulable ?? true },
    });
  }

  setReady(name: string, ready: boolean, at = Date.now()): void {
    const entry = this.clusters.get(name);
    if (!entry || entry.info.ready === ready) return;
    const { notReadySince: _since, ...info } = entry.info;
    entry.info = ready ? { ...info, ready } : { ...info, ready, notReadySince: at };
  }

  remove(name: string): void {
    this.clusters.delete(name);
  }

  async listClusters(): Promise<MemberClusterInfo[]> {
    return [...this.clusters.values()].map((c) => ({ ...c.info, labels: { ...c.info.labels } }));
  }

  async credentials(name: string): Promise<MemberCredentials> {
    const entry = this.clusters.get(name);
    if (!entry) throw new Error(`unknown member cluster ${name}`);
    return entry.credentials;
  }
}
