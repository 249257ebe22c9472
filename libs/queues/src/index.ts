export * from './queue-names.js';
export * from './queue-options.js';
export * from './queue.service.js';
export * from './queues.module.js';
export * from './redis-preflight.js';
