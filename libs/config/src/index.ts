export * from './config.schema.js';
export * from './load-config.js';
export * from './app-config.js';
export * from './auth-config.js';
export * from './propagation-config.js';
export * from './failover-config.js';
export * from './dns-config.js';
export * from './retention-config.js';
