export * from './member-credentials.js';
export * from './member-client.js';
export * from './member-join.js';
export * from './probe.js';
export * from './request-options.js';
export * from './topology.js';
export * from './member-objects.js';
