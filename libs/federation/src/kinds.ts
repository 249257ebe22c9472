/**
 * The federated resource kinds of `federation.ubernetes.io/v1`: their REST names (plural, short names),
 * scope, and the member kind each one propagates. `FederatedObject` carries any other kind; its template
 * names its own apiVersion/kind.
 */

/** API group/version of every federated resource. */
export const FEDERATION_GROUP = 'federation.ubernetes.io';
export const FEDERATION_API_VERSION = `${FEDERATION_GROUP}/v1`;

/** Label on every object Ubernetes creates in a member. */
export const MANAGED_BY_LABEL = 'federation.ubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'ubernetes';
/** Annotation naming the federated object (`kind/namespace/name`) a member object comes from. */
export const FEDERATED_OBJECT_ANNOTATION = 'federation.ubernetes.io/federated-object';
/** Annotation with the uid of the federated object that owns a member object (see `ownership.ts`). */
export const FEDERATED_OBJECT_UID_ANNOTATION = 'federation.ubernetes.io/federated-object-uid';
/** Annotation with the owner id (`UBERNETES_OWNER_ID`) of the federation that owns a member object. */
export const OWNER_ID_ANNOTATION = 'federation.ubernetes.io/owner-id';
/**
 * Annotation (`"true"`) on a member workload whose `spec.replicas` the member owns (`spec.retainReplicas`,
 * or a federated HorizontalPodAutoscaler targets it): drift correction and resync leave the count alone.
 */
export const RETAIN_REPLICAS_ANNOTATION = 'federation.ubernetes.io/retain-replicas';
/** Annotation that lets Ubernetes take over an existing unmanaged member object (same as `spec.adoptExisting`). */
export const ADOPT_ANNOTATION = 'federation.ubernetes.io/adopt-existing';
/** Field manager of every server-side apply Ubernetes does in members. */
export const FIELD_MANAGER = 'ubernetes';

/** One federated kind. */
export interface FederatedKind {
  kind: string;
  /** REST collection name, e.g. `federateddeployments`. */
  plural: string;
  singular: string;
  shortNames: string[];
  /** Namespaced (all but FederatedNamespace). */
  namespaced: boolean;
  /** Member apiVersion/kind the template must have; undefined for FederatedObject (any). */
  target?: { apiVersion: string; kind: string };
  /** Whether replica scheduling applies (`spec.replicas` of the template). */
  replicas: boolean;
}

export const FEDERATED_KINDS: readonly FederatedKind[] = [
  { kind: 'FederatedDeployment', plural: 'federateddeployments', singular: 'federateddeployment', shortNames: ['fdeploy', 'fdeployment'], namespaced: true, target: { apiVersion: 'apps/v1', kind: 'Deployment' }, replicas: true },
  { kind: 'FederatedReplicaSet', plural: 'federatedreplicasets', singular: 'federatedreplicaset', shortNames: ['frs'], namespaced: true, target: { apiVersion: 'apps/v1', kind: 'ReplicaSet' }, replicas: true },
  { kind: 'FederatedService', plural: 'federatedservices', singular: 'federatedservice', shortNames: ['fsvc'], namespaced: true, target: { apiVersion: 'v1', kind: 'Service' }, replicas: false },
  { kind: 'FederatedConfigMap', plural: 'federatedconfigmaps', singular: 'federatedconfigmap', shortNames: ['fcm'], namespaced: true, target: { apiVersion: 'v1', kind: 'ConfigMap' }, replicas: false },
  { kind: 'FederatedSecret', plural: 'federatedsecrets', singular: 'federatedsecret', shortNames: ['fsecret'], namespaced: true, target: { apiVersion: 'v1', kind: 'Secret' }, replicas: false },
  { kind: 'FederatedNamespace', plural: 'federatednamespaces', singular: 'federatednamespace', shortNames: ['fns'], namespaced: false, target: { apiVersion: 'v1', kind: 'Namespace' }, replicas: false },
  { kind: 'FederatedObject', plural: 'federatedobjects', singular: 'federatedobject', shortNames: ['fobj'], namespaced: true, replicas: false },
];

/** Kind by `kind`, plural, singular or short name (case-insensitive); undefined when unknown. */
export function findFederatedKind(name: string): FederatedKind | undefined {
  const n = name.toLowerCase().replace(/\.federation\.ubernetes\.io$/, '');
  return FEDERATED_KINDS.find((k) => k.kind.toLowerCase() === n || k.plural === n || k.singular === n || k.shortNames.includes(n));
}

/** The federated kind that propagates a plain member kind (`Deployment` → FederatedDeployment). */
export function federatedKindForTarget(kind: string): FederatedKind | undefined {
  return FEDERATED_KINDS.find((k) => k.target?.kind === kind);
}

/** Whether a template of `apiVersion/kind` carries `spec.replicas` that placement schedules. */
export function isReplicaWorkload(template: { apiVersion?: string; kind?: string }): boolean {
  return (template.kind === 'Deployment' || template.kind === 'ReplicaSet') && /^(apps\/v1|extensions\/v1beta1|apps\/v1beta2)$/.test(template.apiVersion ?? '');
}
