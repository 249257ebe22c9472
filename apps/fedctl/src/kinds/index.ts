import type { ResourceKind } from './resource-kind.js';

/**
 * Every kind `fedctl get` / `fedctl describe` know. Add new kinds here (one line each) so that kinds
 * written in parallel never edit the same lines.
 */
export const KINDS: ResourceKind<never>[] = [
  (await import('./cluster.kind.js')).clusterKind as ResourceKind<never>,
  (await import('./event.kind.js')).eventKind as ResourceKind<never>,
  ...((await import('./federated.kind.js')).federatedKinds as ResourceKind<never>[]),
];

/** The kind called `name` (plural, singular or short name, case-insensitive). */
export function findKind(name: string): ResourceKind<never> | undefined {
  const n = name.toLowerCase();
  return KINDS.find((k) => k.names.includes(n));
}

export * from './resource-kind.js';
