/** Pure DNS record planning: naming, ownership markers, diff and the mass-deletion guard. */
export * from './record-set.js';
export * from './ownership.js';
export * from './validate.js';
export * from './plan-records.js';
export * from './diff-record-sets.js';
