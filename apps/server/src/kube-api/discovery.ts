import { KUBE_RESOURCES, type KubeResource } from './kube-resources.js';

/**
 * The discovery documents kubectl reads before anything else (legacy, non-aggregated discovery: kubectl
 * asks for the aggregated v2 form first and falls back to these when the answer is plain JSON). Pure
 * functions of the resource catalogue.
 */

/** The Kubernetes API level this server speaks (kubectl's version skew checks read `/version`). */
export const KUBE_COMPAT = { major: '1', minor: '32' };

/** `GET /version`: version.Info, plus the federation's name (what `fedctl config kubeconfig` names its context). */
export function versionInfo(serverVersion: string, federation: string): Record<string, string> {
  return {
    federation,
    major: KUBE_COMPAT.major,
    minor: KUBE_COMPAT.minor,
    gitVersion: `v${KUBE_COMPAT.major}.${KUBE_COMPAT.minor}.0-ubernetes.${serverVersion}`,
    gitCommit: '',
    gitTreeState: '',
    buildDate: '',
    goVersion: '',
    compiler: 'ubernetes',
    platform: `${process.platform}/${process.arch}`,
  };
}

/**
 * `GET /api`: the core group. Ubernetes serves no core resources (its Events are
 * `events.federation.ubernetes.io`, so `kubectl get events` finds them), so no version is listed and
 * kubectl does not ask for `/api/v1`.
 */
export function coreVersions(): Record<string, unknown> {
  return { kind: 'APIVersions', versions: [], serverAddressByClientCIDRs: [] };
}

/** `GET /api/v1`: the (empty) core resource list, for clients that ask anyway. */
export function coreResourceList(): Record<string, unknown> {
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'v1', resources: [] };
}

/** Groups in catalogue order, each with its versions. */
function groups(resources: readonly KubeResource[]): { name: string; versions: string[] }[] {
  const out: { name: string; versions: string[] }[] = [];
  for (const r of resources) {
    const group = out.find((g) => g.name === r.group) ?? out[out.push({ name: r.group, versions: [] }) - 1];
    if (!group.versions.includes(r.version)) group.versions.push(r.version);
  }
  return out;
}

/** One APIGroup. */
function apiGroup(group: { name: string; versions: string[] }): Record<string, unknown> {
  const versions = group.versions.map((version) => ({ groupVersion: `${group.name}/${version}`, version }));
  return { name: group.name, versions, preferredVersion: versions[0] };
}

/** `GET /apis`: APIGroupList. */
export function apiGroupList(resources: readonly KubeResource[] = KUBE_RESOURCES): Record<string, unknown> {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups(resources).map(apiGroup) };
}

/** `GET /apis/<group>`: APIGroup, or undefined for a group that is not served. */
export function apiGroupOf(name: string, resources: readonly KubeResource[] = KUBE_RESOURCES): Record<string, unknown> | undefined {
  const group = groups(resources).find((g) => g.name === name);
  return group ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group) } : undefined;
}

/** `GET /apis/<group>/<version>`: APIResourceList, or undefined for a group/version that is not served. */
export function apiResourceList(group: string, version: string, resources: readonly KubeResource[] = KUBE_RESOURCES): Record<string, unknown> | undefined {
  const served = resources.filter((r) => r.group === group && r.version === version);
  if (!served.length) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: `${group}/${version}`,
    resources: served.map((r) => ({
      name: r.name,
      singularName: r.singularName,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
      ...(r.categories.length ? { categories: r.categories } : {}),
    })),
  };
}
