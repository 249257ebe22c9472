export * from './logging.js';
export * from './metrics.service.js';
export * from './http-metrics.interceptor.js';
export * from './observability.module.js';
