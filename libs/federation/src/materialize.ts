/**
 * Materialization: the manifest one member cluster gets for a federated object (Karmada's "Work"):
 * template, then the overrides for that cluster in order, then the planned replicas, then the
 * ownership label and annotations (managed-by, `kind/namespace/name`, the federated object's uid, the
 * federation's owner id; see `ownership.ts`) and, for a workload whose member owns its replica count, the
 * retain-replicas annotation (see `replica-retention.ts`). Pure: same input, same manifest (and hash).
 */
import { applyOperations } from './json-pointer.js';
import { matchesSelector } from './label-selector.js';
import { FEDERATED_OBJECT_ANNOTATION, FEDERATED_OBJECT_UID_ANNOTATION, MANAGED_BY_LABEL, MANAGED_BY_VALUE, OWNER_ID_ANNOTATION, RETAIN_REPLICAS_ANNOTATION } from './kinds.js';
import { retainsReplicas, withoutReplicasIfRetained } from './replica-retention.js';
import type { FederatedObject, KubeObject } from './federated-object.types.js';

/** A member cluster as placement and overrides see it. */
export interface ClusterRef {
  name: string;
  labels?: Record<string, string>;
}

/** `FederatedDeployment/ns/name` (cluster-scoped: `FederatedNamespace//name`): the annotation value and log key. */
export function federatedObjectKey(obj: Pick<FederatedObject, 'kind' | 'metadata'>): string {
  return `${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
}

/** What materialization needs besides the object and the cluster. */
export interface MaterializeContext {
  /** The federation's owner id (`UBERNETES_OWNER_ID`), written into every member object. */
  ownerId: string;
  /** A federated HorizontalPodAutoscaler targets this workload: the members own its replica counts. */
  autoscaled?: boolean;
}

/**
 * The manifest for `cluster`. `replicas` (from the planner) replaces `spec.replicas` after the overrides:
 * replica counts belong to placement, so an override of `/spec/replicas` only counts when the object has
 * no replica scheduling. Secrets' `stringData` is folded into `data` (the API server never returns
 * `stringData`, so leaving it would look like drift forever). The owner marks come last, so a template
 * cannot claim another owner; `obj.metadata.uid` is required (a stored object has one).
 */
export function materialize(obj: FederatedObject, cluster: ClusterRef, replicas: number | undefined, context: MaterializeContext): KubeObject {
  const uid = obj.metadata.uid;
  if (!uid) throw new Error(`materialize: ${federatedObjectKey(obj)} has no uid (only stored objects are propagated)`);
  let manifest = structuredClone(obj.spec.template);
  (obj.spec.overrides ?? []).forEach((o, i) => {
    const applies = o.clusterName !== undefined ? o.clusterName === cluster.name : matchesSelector(o.clusterSelector, cluster.labels ?? {});
    if (applies) manifest = applyOperations(manifest, o.clusterOverrides, `spec.overrides[${i}].clusterOverrides`);
  });
  if (replicas !== undefined) {
    const spec = (manifest.spec ??= {}) as Record<string, unknown>;
    spec.replicas = replicas;
  }
  if (manifest.kind === 'Secret' && manifest.apiVersion === 'v1' && manifest.stringData && typeof manifest.stringData === 'object') {
    const data = { ...((manifest.data as Record<string, string>) ?? {}) };
    for (const [k, v] of Object.entries(manifest.stringData as Record<string, string>)) data[k] = Buffer.from(String(v)).toString('base64');
    manifest.data = data;
    delete manifest.stringData;
  }
  defaultPortProtocols(manifest);
  const metadata = (manifest.metadata ??= {});
  metadata.name = obj.spec.template.metadata?.name ?? obj.metadata.name;
  if (obj.metadata.namespace !== undefined) metadata.namespace = obj.metadata.namespace;
  metadata.labels = { ...(metadata.labels ?? {}), [MANAGED_BY_LABEL]: MANAGED_BY_VALUE };
  const { [RETAIN_REPLICAS_ANNOTATION]: _claimed, ...annotations } = metadata.annotations ?? {};
  metadata.annotations = {
    ...annotations,
    [FEDERATED_OBJECT_ANNOTATION]: federatedObjectKey(obj),
    [FEDERATED_OBJECT_UID_ANNOTATION]: uid,
    [OWNER_ID_ANNOTATION]: context.ownerId,
    ...(retainsReplicas(obj, context.autoscaled === true) ? { [RETAIN_REPLICAS_ANNOTATION]: 'true' } : {}),
  };
  return manifest;
}

/**
 * Checks every override against the template (each cluster name or selector may apply), so a broken
 * override is refused at write time instead of failing later in one member. Throws `DomainError.invalid`.
 */
export function checkOverrides(obj: FederatedObject): void {
  (obj.spec.overrides ?? []).forEach((o, i) => applyOperations(obj.spec.template, o.clusterOverrides, `spec.overrides[${i}].clusterOverrides`));
}

/**
 * Whether the live member object still holds everything the manifest sets (the manifest is a "subset"
 * of it: objects by key, arrays element by element with equal length, scalars equal). Fields the
 * API server or controllers add (defaults, status, metadata) are ignored, and so is `spec.replicas` of a
 * manifest carrying the retain-replicas annotation (the member owns it). False means drift: re-apply.
 */
export function liveMatchesManifest(manifest: unknown, live: unknown): boolean {
  return isSubset(withoutReplicasIfRetained(manifest), live);
}

function isSubset(manifest: unknown, live: unknown): boolean {
  if (Array.isArray(manifest)) {
    return Array.isArray(live) && live.length === manifest.length && manifest.every((m, i) => isSubset(m, live[i]));
  }
  if (manifest && typeof manifest === 'object') {
    if (!live || typeof live !== 'object' || Array.isArray(live)) return false;
    for (const [k, v] of Object.entries(manifest as Record<string, unknown>)) {
      if (v === undefined || v === null) continue;
      if (!isSubset(v, (live as Record<string, unknown>)[k])) return false;
    }
    return true;
  }
  return manifest === live;
}

/**
 * Server-side apply treats `ports` lists as maps keyed by port *and* protocol; older API servers (1.20)
 * refuse an element without `protocol` ("associative list with keys has an element that omits key
 * field"). Kubernetes defaults it to TCP anyway, so filling it in changes nothing else.
 */
function defaultPortProtocols(manifest: KubeObject): void {
  const spec = manifest.spec as Record<string, unknown> | undefined;
  if (!spec) return;
  const fill = (ports: unknown) => {
    if (Array.isArray(ports)) for (const p of ports) if (p && typeof p === 'object' && !('protocol' in p)) (p as Record<string, unknown>).protocol = 'TCP';
  };
  if (manifest.kind === 'Service') fill(spec.ports);
  const podSpec = (manifest.kind === 'Pod' ? spec : ((spec.template as Record<string, unknown> | undefined)?.spec as Record<string, unknown> | undefined)) ?? undefined;
  for (const key of ['containers', 'initContainers']) {
    const containers = podSpec?.[key];
    if (Array.isArray(containers)) for (const c of containers) fill((c as Record<string, unknown>)?.ports);
  }
}
