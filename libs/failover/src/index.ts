/**
 * `#libs/failover` — rebalancing federated workloads when clusters or zones fail and come back:
 * pure decisions (zone-down, the human line of a move), the failover service driven by
 * stored state.
 */
export * from './failover-decisions.js';
export * from './dns-publish.js';
export * from './failover.service.js';
export * from './health-transition.handler.js';
