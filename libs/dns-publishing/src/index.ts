/**
 * `#libs/dns-publishing` — DNS global service discovery wired into the federation: the inputs it reads
 * (service endpoints from propagation, cluster health/topology from the registry), the publisher
 * (plan → built-in store → Route 53) and the DB-backed record source every built-in server replica serves.
 */
export * from './publish-inputs.js';
export * from './publish-input.adapters.js';
export * from './dns-publish.service.js';
export * from './db-record-source.js';
