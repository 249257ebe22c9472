/** Route 53 provider. */
export * from './route53-records.js';
export * from './retry.js';
export * from './route53-dns.provider.js';
