export * from './errors.js';
export * from './label-selector.js';
export * from './dns-names.js';
