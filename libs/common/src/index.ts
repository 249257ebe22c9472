export * from './errors.js';
export * from './label-selector.js';
