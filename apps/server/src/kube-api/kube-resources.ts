import { FEDERATED_KINDS, FEDERATION_GROUP, type FederatedKind } from '#libs/federation';

/**
 * The resources of the Kubernetes-compatible API, as discovery lists them and as the Status mapping and
 * the OpenAPI document name them. One list, so discovery, routes and error messages never disagree.
 */
export interface KubeResource {
  group: string;
  version: string;
  /** Plural REST name (`federateddeployments`). */
  name: string;
  singularName: string;
  kind: string;
  shortNames: string[];
  namespaced: boolean;
  verbs: string[];
  categories: string[];
  /** The federated kind behind the resource, when it is one. */
  federatedKind?: FederatedKind;
}

export const FEDERATION_VERSION = 'v1';
/** KubeFed's group of ReplicaSchedulingPreference, served so that KubeFed manifests apply unchanged. */
export const KUBEFED_SCHEDULING_GROUP = 'scheduling.kubefed.io';
export const KUBEFED_SCHEDULING_VERSION = 'v1alpha1';

/** Verbs of a stored resource with the full set of phase-1 verbs. */
const STORED_VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

export const CLUSTER_RESOURCE: KubeResource = {
  group: FEDERATION_GROUP,
  version: FEDERATION_VERSION,
  name: 'clusters',
  singularName: 'cluster',
  kind: 'Cluster',
  shortNames: ['cl'],
  namespaced: false,
  verbs: STORED_VERBS,
  categories: ['federation'],
};

export const TOKEN_RESOURCE: KubeResource = {
  group: FEDERATION_GROUP,
  version: FEDERATION_VERSION,
  name: 'tokens',
  singularName: 'token',
  kind: 'Token',
  shortNames: [],
  namespaced: false,
  verbs: ['create', 'delete', 'get', 'list'],
  categories: [],
};

export const EVENT_RESOURCE: KubeResource = {
  group: FEDERATION_GROUP,
  version: FEDERATION_VERSION,
  name: 'events',
  singularName: 'event',
  kind: 'Event',
  shortNames: ['ev'],
  namespaced: false,
  verbs: ['get', 'list'],
  categories: [],
};

export const RSP_RESOURCE: KubeResource = {
  group: KUBEFED_SCHEDULING_GROUP,
  version: KUBEFED_SCHEDULING_VERSION,
  name: 'replicaschedulingpreferences',
  singularName: 'replicaschedulingpreference',
  kind: 'ReplicaSchedulingPreference',
  shortNames: ['rsp'],
  namespaced: true,
  // Not stored on its own: it is folded into its target's spec.replicaScheduling.
  verbs: ['create', 'update'],
  categories: [],
};

export function federatedResource(kind: FederatedKind): KubeResource {
  return {
    group: FEDERATION_GROUP,
    version: FEDERATION_VERSION,
    name: kind.plural,
    singularName: kind.singular,
    kind: kind.kind,
    shortNames: kind.shortNames,
    namespaced: kind.namespaced,
    verbs: STORED_VERBS,
    categories: ['all', 'federation'],
    federatedKind: kind,
  };
}

export const FEDERATED_RESOURCES: readonly KubeResource[] = FEDERATED_KINDS.map(federatedResource);

/** Every resource, grouped by `group/version` in discovery. */
export const KUBE_RESOURCES: readonly KubeResource[] = [CLUSTER_RESOURCE, ...FEDERATED_RESOURCES, TOKEN_RESOURCE, EVENT_RESOURCE, RSP_RESOURCE];

/** The resource `name` (plural) of `group`, if served. */
export function findKubeResource(group: string, name: string): KubeResource | undefined {
  return KUBE_RESOURCES.find((r) => r.group === group && r.name === name);
}

/** `federateddeployments.federation.ubernetes.io`: how Kubernetes names a resource in messages. */
export function qualifiedResource(resource: { name: string; group: string }): string {
  return resource.group ? `${resource.name}.${resource.group}` : resource.name;
}

/** `/apis/<group>/<version>`. */
export function groupVersionPath(group: string, version: string): string {
  return `apis/${group}/${version}`;
}
