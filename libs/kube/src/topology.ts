/**
 * Zone and region discovery from Node labels (pure).
 *
 * Rule: a Node's zone is `topology.kubernetes.io/zone`, falling back to the deprecated
 * `failure-domain.beta.kubernetes.io/zone`; the same for region. A cluster's zones are the sorted set of
 * its Nodes' zones (a multi-zone cluster keeps them all); its region is the region most Nodes carry
 * (ties broken alphabetically), undefined when no Node is labelled.
 */
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
export const REGION_LABEL = 'topology.kubernetes.io/region';
export const LEGACY_ZONE_LABEL = 'failure-domain.beta.kubernetes.io/zone';
export const LEGACY_REGION_LABEL = 'failure-domain.beta.kubernetes.io/region';

/** Zones and region of a member cluster as read from its Nodes. */
export interface ClusterTopology {
  zones: string[];
  region?: string;
  /** How many Nodes were read. */
  nodeCount: number;
}

/** Computes a cluster's topology from its Nodes' labels. */
export function topologyFromNodeLabels(nodes: ReadonlyArray<Record<string, string> | undefined>): ClusterTopology {
  const zones = new Set<string>();
  const regions = new Map<string, number>();
  for (const labels of nodes) {
    const zone = labels?.[ZONE_LABEL] || labels?.[LEGACY_ZONE_LABEL];
    const region = labels?.[REGION_LABEL] || labels?.[LEGACY_REGION_LABEL];
    if (zone) zones.add(zone);
    if (region) regions.set(region, (regions.get(region) ?? 0) + 1);
  }
  const region = [...regions.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
  return { zones: [...zones].sort(), region, nodeCount: nodes.length };
}
