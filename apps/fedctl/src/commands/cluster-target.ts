import { DomainError } from '#libs/common';
import type { ApiClient } from '../api-client.js';
import type { ClusterView } from '../kinds/cluster.kind.js';

/** Names of the cluster kind on the command line (as `fedctl get` knows them). */
const CLUSTER_NAMES = ['clusters', 'cluster', 'cl'];

/**
 * The cluster named by kubectl-style arguments, `cluster NAME …` or `cluster/NAME …`: its name and the
 * arguments after it. Only clusters can be patched or labeled this way.
 */
export function clusterTarget(kindOrRef: string, rest: string[]): { name: string; rest: string[] } {
  const slash = kindOrRef.indexOf('/');
  const kind = slash >= 0 ? kindOrRef.slice(0, slash) : kindOrRef;
  if (!CLUSTER_NAMES.includes(kind.toLowerCase())) {
    throw DomainError.invalid([{ path: 'kind', message: `"${kind}" is not supported here: only clusters (e.g. cluster eu-1 or cluster/eu-1)` }]);
  }
  const name = slash >= 0 ? kindOrRef.slice(slash + 1) : rest[0];
  if (!name) throw DomainError.invalid([{ path: 'name', message: 'name the cluster, e.g. cluster eu-1 or cluster/eu-1' }]);
  return { name, rest: slash >= 0 ? rest : rest.slice(1) };
}

/** API path of one cluster. */
export function clusterPath(name: string): string {
  return `/api/v1/clusters/${encodeURIComponent(name)}`;
}

/** Sends a JSON merge patch of one cluster and returns the cluster as stored after it. */
export function patchCluster(api: ApiClient, name: string, patch: Record<string, unknown>): Promise<ClusterView> {
  return api.patch<ClusterView>(clusterPath(name), patch);
}
