/** The provider contract, the one publish path (`publishRecords`) and the in-memory built-in provider. */
export * from './dns-provider.js';
export * from './builtin-dns.provider.js';
