export * from './health-state.js';
export * from './health-settings.js';
export * from './cluster-health.events.js';
export * from './health-monitor.service.js';
export * from './health-scheduler.service.js';
export * from './disruption.js';
export * from './failover-gate.service.js';
