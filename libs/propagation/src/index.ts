/**
 * `#libs/propagation` — federated objects to member clusters: storage and API semantics
 * ({@link FederatedObjectsService}), and propagation as one pipeline (see README.md): the {@link Work}
 * item and its state machine, the pure {@link decide} step, the {@link WorkApplier} that talks to members,
 * the read model (status, {@link PropagationReadModel} for DNS inputs), the orchestration
 * ({@link ReconcileService}: `requestReconcile(uid)`, `decide(obj, works)`, `listServiceEndpoints()`),
 * the periodic drift/status resync, and {@link ReconcileNotifications} (every process hears each committed
 * reconcile record).
 */
export * from './member-cluster-directory.js';
export * from './member-connections.js';
export * from './observe.js';
export * from './work.js';
export * from './work.mapper.js';
export * from './work-items.js';
export * from './decide.js';
export * from './work-applier.js';
export * from './read-model.js';
export * from './federated-object.mapper.js';
export * from './reconcile.service.js';
export * from './reconcile-notifications.js';
export * from './admission.js';
export * from './federated-objects.service.js';
export * from './orphans.js';
export * from './resync.service.js';
