/** Built-in authoritative DNS server and its record sources. */
export * from './record-source.js';
export * from './dns-responder.js';
export * from './dns-server.js';
