/**
 * `#libs/federation` — federated resource kinds (`federation.ubernetes.io/v1`), their validation (zod,
 * field paths), conversion of KubeFed / Federation v1 manifests, overrides (JSON pointer),
 * materialization of per-cluster manifests, hashing and status aggregation. Pure: no Nest, no I/O.
 */
export * from './kinds.js';
export * from './federated-object.types.js';
export * from './federated-object.schema.js';
export * from './conversion.js';
export * from './json-pointer.js';
export * from './label-selector.js';
export * from './hash.js';
export * from './materialize.js';
export * from './ownership.js';
export * from './replica-retention.js';
export * from './placement-decision.js';
export * from './status.js';
export * from './failover-delay.js';
