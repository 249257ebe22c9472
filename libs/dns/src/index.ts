/**
 * `#libs/dns`: DNS-based global service discovery.
 * - planner: pure record planning (reference.md §3 names), ownership TXT markers, diff, deletion guard;
 * - server: the built-in authoritative DNS server and its record sources;
 * - provider: the `DnsProvider` contract, `publishRecords` (diff → deletion guard → apply, the same for
 *   every provider) and the in-memory built-in provider;
 * - route53: the Route 53 provider.
 */
export * from './planner/index.js';
export * from './server/index.js';
export * from './provider/index.js';
export * from './route53/index.js';
