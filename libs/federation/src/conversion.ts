/**
 * Acceptance of manifests written for the anchors, converted to `federation.ubernetes.io/v1`:
 * - KubeFed `types.kubefed.io/v1beta1` Federated* objects (template without apiVersion/kind, placement
 *   `clusters: [{name}]`, overrides `clusterName` + `clusterOverrides`);
 * - KubeFed `scheduling.kubefed.io/v1alpha1` ReplicaSchedulingPreference (→ `spec.replicaScheduling` of
 *   the federated object of the same name, `algorithm: legacy` so the split is KubeFed's);
 * - Federation v1: a plain Deployment/ReplicaSet carrying `federation.kubernetes.io/deployment-preferences`
 *   (or `replica-set-preferences`), and any plain object of the kind's target kind.
 * Each conversion returns human-readable notes that the API echoes (`conversion`).
 */
import { DomainError, type FieldProblem } from '#libs/common';
import { FEDERATION_API_VERSION, federatedKindForTarget, findFederatedKind, type FederatedKind } from './kinds.js';
import type { ReplicaScheduling } from './federated-object.types.js';

export const KUBEFED_TYPES_API_VERSION = 'types.kubefed.io/v1beta1';
export const KUBEFED_SCHEDULING_API_VERSION = 'scheduling.kubefed.io/v1alpha1';
export const V1_DEPLOYMENT_PREFERENCES = 'federation.kubernetes.io/deployment-preferences';
export const V1_REPLICA_SET_PREFERENCES = 'federation.kubernetes.io/replica-set-preferences';

export interface Converted {
  /** The manifest in `federation.ubernetes.io/v1` form (not yet validated). */
  object: Record<string, unknown>;
  /** What was converted; empty when the manifest was native. */
  conversion: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Which federated kind a manifest is for (native, KubeFed or plain Kubernetes); undefined when none. */
export function federatedKindOfManifest(doc: unknown): FederatedKind | undefined {
  if (!isObj(doc) || typeof doc.kind !== 'string') return undefined;
  const apiVersion = String(doc.apiVersion ?? '');
  if (apiVersion === FEDERATION_API_VERSION || apiVersion === KUBEFED_TYPES_API_VERSION) return findFederatedKind(doc.kind);
  return federatedKindForTarget(doc.kind);
}

/**
 * Converts a manifest for `kind` to the native form. Native manifests pass through unchanged; anything
 * that is neither native, KubeFed nor a plain object of the kind's target kind is returned unchanged too,
 * and validation then names the offending field.
 */
export function convertManifest(doc: unknown, kind: FederatedKind): Converted {
  if (!isObj(doc)) return { object: doc as Obj, conversion: [] };
  const apiVersion = doc.apiVersion;
  if (apiVersion === KUBEFED_TYPES_API_VERSION) return convertKubeFed(doc, kind);
  if (kind.target && apiVersion === kind.target.apiVersion && doc.kind === kind.target.kind) return convertFederationV1(doc, kind);
  return { object: doc, conversion: [] };
}

/** KubeFed `types.kubefed.io/v1beta1` Federated* → native. */
export function convertKubeFed(doc: Obj, kind: FederatedKind): Converted {
  const notes = [`converted from ${KUBEFED_TYPES_API_VERSION} ${String(doc.kind)}`];
  const metadata = isObj(doc.metadata) ? { ...doc.metadata } : {};
  const spec = isObj(doc.spec) ? doc.spec : {};
  const template: Obj = isObj(spec.template) ? structuredClone(spec.template) : {};
  if (kind.target) {
    template.apiVersion ??= kind.target.apiVersion;
    template.kind ??= kind.target.kind;
  }
  if (!kind.namespaced) delete metadata.namespace; // KubeFed's FederatedNamespace lives in its own namespace.
  const out: Obj = { template };
  if (isObj(spec.placement)) {
    const p = spec.placement;
    const placement: Obj = {};
    if (Array.isArray(p.clusters)) placement.clusters = p.clusters.map((c) => (isObj(c) ? c.name : c));
    if (isObj(p.clusterSelector)) placement.clusterSelector = p.clusterSelector;
    out.placement = placement;
  }
  if (Array.isArray(spec.overrides)) out.overrides = spec.overrides;
  for (const key of Object.keys(spec)) {
    if (!['template', 'placement', 'overrides'].includes(key)) out[key] = spec[key];
  }
  return { object: { apiVersion: FEDERATION_API_VERSION, kind: kind.kind, metadata, spec: out }, conversion: notes };
}

/**
 * A plain Kubernetes object → native, with Federation v1's replica preferences annotation turned into
 * `spec.replicaScheduling` (`algorithm: legacy`, `totalReplicas` = the object's `spec.replicas`).
 */
export function convertFederationV1(doc: Obj, kind: FederatedKind): Converted {
  const template = structuredClone(doc) as Obj;
  const meta = isObj(template.metadata) ? (template.metadata as Obj) : {};
  const annotations = isObj(meta.annotations) ? { ...(meta.annotations as Record<string, string>) } : undefined;
  const notes = [`converted from a plain ${String(doc.kind)} (Federation v1 style)`];
  const spec: Obj = { template };
  const key = annotations && ([V1_DEPLOYMENT_PREFERENCES, V1_REPLICA_SET_PREFERENCES].find((k) => annotations[k] !== undefined));
  if (annotations && key) {
    let prefs: unknown;
    try {
      prefs = JSON.parse(annotations[key]);
    } catch (error) {
      throw DomainError.invalid([{ path: `metadata.annotations["${key}"]`, message: `is not valid JSON: ${(error as Error).message}` }]);
    }
    if (!isObj(prefs)) throw DomainError.invalid([{ path: `metadata.annotations["${key}"]`, message: 'must be a JSON object' }]);
    const scheduling: Obj = { ...prefs, algorithm: 'legacy' };
    const replicas = isObj(template.spec) ? template.spec.replicas : undefined;
    if (typeof replicas === 'number') scheduling.totalReplicas = replicas;
    spec.replicaScheduling = scheduling;
    delete annotations[key];
    meta.annotations = annotations;
    notes.push(`annotation ${key} converted to spec.replicaScheduling (algorithm: legacy)`);
  }
  const name = meta.name;
  const metadata: Obj = { name };
  if (kind.namespaced && meta.namespace !== undefined) metadata.namespace = meta.namespace;
  if (isObj(meta.labels)) metadata.labels = meta.labels;
  return { object: { apiVersion: FEDERATION_API_VERSION, kind: kind.kind, metadata, spec }, conversion: notes };
}

/** A KubeFed ReplicaSchedulingPreference, reduced to what it changes on its target. */
export interface ConvertedPreference {
  namespace: string;
  name: string;
  target: FederatedKind;
  replicaScheduling: ReplicaScheduling;
  conversion: string[];
}

/** `scheduling.kubefed.io/v1alpha1` ReplicaSchedulingPreference → the replicaScheduling of its target. */
export function convertReplicaSchedulingPreference(doc: unknown): ConvertedPreference {
  const problems: FieldProblem[] = [];
  if (!isObj(doc)) throw DomainError.invalid([{ path: '(body)', message: 'must be an object' }]);
  if (doc.apiVersion !== KUBEFED_SCHEDULING_API_VERSION) problems.push({ path: 'apiVersion', message: `must be ${KUBEFED_SCHEDULING_API_VERSION}` });
  if (doc.kind !== 'ReplicaSchedulingPreference') problems.push({ path: 'kind', message: 'must be ReplicaSchedulingPreference' });
  const metadata = isObj(doc.metadata) ? doc.metadata : {};
  if (typeof metadata.name !== 'string' || !metadata.name) problems.push({ path: 'metadata.name', message: 'is required (the name of the federated object)' });
  const spec = isObj(doc.spec) ? doc.spec : {};
  const targetKind = typeof spec.targetKind === 'string' ? findFederatedKind(spec.targetKind) : undefined;
  if (!targetKind || !targetKind.replicas) problems.push({ path: 'spec.targetKind', message: 'must be FederatedDeployment or FederatedReplicaSet' });
  if (problems.length) throw DomainError.invalid(problems, 'invalid ReplicaSchedulingPreference');
  const { targetKind: _t, intersectWithClusterSelector: _i, ...rest } = spec;
  return {
    namespace: typeof metadata.namespace === 'string' ? metadata.namespace : 'default',
    name: metadata.name as string,
    target: targetKind!,
    replicaScheduling: { ...(rest as ReplicaScheduling), algorithm: (rest.algorithm as ReplicaScheduling['algorithm']) ?? 'legacy' },
    conversion: [`converted from ${KUBEFED_SCHEDULING_API_VERSION} ReplicaSchedulingPreference to spec.replicaScheduling of ${targetKind!.kind} ${String(metadata.name)} (algorithm: legacy)`],
  };
}
