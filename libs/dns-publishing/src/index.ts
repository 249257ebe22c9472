/**
 * `#libs/dns-publishing` — DNS global service discovery wired into the federation: the inputs it reads
 * (service endpoints from propagation, cluster health/topology from the registry), the publisher
 * (plan → fail-open → each provider: diff → guard → apply), its providers (the built-in store, Route 53)
 * and the DB-backed record source every built-in server replica serves.
 */
export * from './publish-inputs.js';
export * from './publish-input.adapters.js';
export * from './store-dns.provider.js';
export * from './dns-providers.js';
export * from './dns-publish.service.js';
export * from './db-record-source.js';
