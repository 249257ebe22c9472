/**
 * `#libs/failover` — reporting what happens to federated workloads when clusters or zones fail and come
 * back: pure decisions (zone-down, the human line of a move), the move state machine (`move.ts`) and its
 * events (`move-events.ts`), and the failover service driven by health transitions, reconcile
 * notifications and stored state.
 */
export * from './failover-decisions.js';
export * from './move.js';
export * from './move-events.js';
export * from './dns-publish.js';
export * from './failover.service.js';
export * from './health-transition.handler.js';
