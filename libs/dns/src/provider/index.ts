/** The provider contract and the built-in provider. */
export * from './dns-provider.js';
export * from './builtin-dns.provider.js';
