/**
 * `#libs/propagation` — federated objects to member clusters: storage and API semantics
 * ({@link FederatedObjectsService}), per-cluster work items and their reconcile ({@link ReconcileService}:
 * `requestReconcile(uid)`, `listServiceEndpoints()`), and the periodic drift/status resync.
 */
export * from './member-cluster-directory.js';
export * from './member-connections.js';
export * from './observe.js';
export * from './work-items.js';
export * from './federated-object.mapper.js';
export * from './reconcile.service.js';
export * from './admission.js';
export * from './federated-objects.service.js';
export * from './resync.service.js';
