/**
 * What DNS publication needs from the rest of the federation, as two narrow sources (so the publisher
 * does not depend on how propagation or the registry store things), and the pure step that folds them
 * into planner input.
 */
import type { EndpointInput, PortInput, ServiceInput } from '#libs/dns';
import { isValidLabel } from '#libs/dns';

/** One federated Service and, per member cluster holding it, where traffic can go. */
export interface ServiceEndpointsView {
  namespace: string;
  name: string;
  /** Ports of the Service template (named ports become SRV records). */
  ports: PortInput[];
  clusters: { cluster: string; ingress: { ip?: string; hostname?: string }[]; readyEndpoints: number }[];
}

/** A member cluster as DNS sees it. */
export interface ClusterTopologyView {
  name: string;
  /** Condition Ready=True. */
  ready: boolean;
  /**
   * Consecutive failed probes (0 or unset when the last probe answered). A Ready cluster with failed
   * probes is a suspect: it may be failing for the same reason as one that just turned NotReady.
   */
  failingProbes?: number;
  region?: string;
  zones: string[];
}

/** A planner endpoint with what fail-open needs beyond health. */
export interface PublishEndpointInput extends EndpointInput {
  /** Healthy, but its cluster failed its last probe(s) (present only when true). */
  suspect?: true;
}

/** A planner service whose endpoints carry {@link PublishEndpointInput.suspect}. */
export interface PublishServiceInput extends ServiceInput {
  endpoints: PublishEndpointInput[];
}

/** Per federated Service, per cluster: LB ingress and ready endpoints (propagation's observations). */
export abstract class ServiceEndpointSource {
  abstract listServiceEndpoints(): Promise<ServiceEndpointsView[]>;
}

/** Every registered cluster with its health and topology (the registry's view). */
export abstract class ClusterTopologySource {
  abstract listClusters(): Promise<ClusterTopologyView[]>;
}

/** Why an endpoint or service was left out of the plan. */
export interface SkippedInput {
  resource: string;
  cluster?: string;
  reason: string;
}

/**
 * Joins services with cluster health/topology into planner services. Rules:
 * - healthy = the cluster is registered and Ready AND the Service has ≥ 1 ready endpoint there;
 * - suspect = healthy, but the cluster's last probe(s) failed (`failingProbes` > 0);
 * - a cluster without a region (not yet discovered or declared) cannot be named and is skipped;
 * - zones/regions that are not DNS labels are skipped (the planner would refuse the whole zone);
 * - services whose namespace or name is not a DNS label are skipped.
 * Output is sorted by namespace/name and cluster, so the same state always gives the same input.
 */
export function buildServiceInputs(services: readonly ServiceEndpointsView[], clusters: readonly ClusterTopologyView[]): { services: PublishServiceInput[]; skipped: SkippedInput[] } {
  const byName = new Map(clusters.map((c) => [c.name, c]));
  const skipped: SkippedInput[] = [];
  const out: PublishServiceInput[] = [];
  const sorted = [...services].sort((a, b) => cmp(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`));
  for (const svc of sorted) {
    const resource = `service/${svc.namespace}/${svc.name}`;
    if (!isValidLabel(svc.namespace) || !isValidLabel(svc.name)) {
      skipped.push({ resource, reason: 'namespace and name must be DNS labels' });
      continue;
    }
    const endpoints: PublishEndpointInput[] = [];
    for (const c of [...svc.clusters].sort((a, b) => cmp(a.cluster, b.cluster))) {
      const cluster = byName.get(c.cluster);
      if (!cluster) {
        skipped.push({ resource, cluster: c.cluster, reason: 'cluster is not registered' });
        continue;
      }
      const region = cluster.region?.toLowerCase();
      if (!region || !isValidLabel(region)) {
        skipped.push({ resource, cluster: c.cluster, reason: region ? `region ${region} is not a DNS label` : 'cluster region is unknown' });
        continue;
      }
      const zones = cluster.zones.map((z) => z.toLowerCase()).filter((z) => isValidLabel(z));
      const healthy = cluster.ready && c.readyEndpoints > 0;
      endpoints.push({
        cluster: c.cluster,
        region,
        zones: [...new Set(zones)].sort(),
        healthy,
        ...(healthy && (cluster.failingProbes ?? 0) > 0 ? { suspect: true as const } : {}),
        ingress: c.ingress.filter((i) => i.ip || i.hostname).map((i) => (i.ip ? { ip: i.ip } : { hostname: i.hostname })),
      });
    }
    out.push({ namespace: svc.namespace, name: svc.name, ports: svc.ports, endpoints });
  }
  return { services: out, skipped };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
