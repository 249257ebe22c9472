import { stringify } from 'yaml';

/** What a client needs to reach one member cluster as its administrator. */
export interface ClusterCredentials {
  /** Used as the kubeconfig's cluster, user and context name. */
  name: string;
  /** `https://127.0.0.1:<port>` */
  server: string;
  /** Base64 of the PEM CA bundle (kubeconfig `certificate-authority-data`). */
  caData: string;
  /** Bearer token of a `system:masters` user. */
  token: string;
}

/**
 * A kubeconfig (YAML) holding the given clusters, each with a cluster, user and context of its name.
 * `current-context` is `currentContext` or the first cluster. TLS is always verified against `caData`.
 */
export function renderKubeconfig(clusters: ClusterCredentials[], currentContext?: string): string {
  if (clusters.length === 0) throw new RangeError('a kubeconfig needs at least one cluster');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: clusters.map((c) => ({
      name: c.name,
      cluster: { server: c.server, 'certificate-authority-data': c.caData },
    })),
    users: clusters.map((c) => ({ name: c.name, user: { token: c.token } })),
    contexts: clusters.map((c) => ({ name: c.name, context: { cluster: c.name, user: c.name } })),
    'current-context': currentContext ?? clusters[0].name,
  });
}
