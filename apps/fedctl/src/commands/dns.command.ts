import type { Command } from 'commander';
import { DomainError } from '#libs/common';
import { clientFor } from '../context.js';
import { printStructured, printTable } from '../format.js';

interface PublishedRecord {
  name: string;
  type: string;
  ttl: number;
  values: string[];
  service?: string;
  /** Present while the record set is held at its last-known values (DNS fails open). */
  held?: { since: string; reason: string };
  providers: { provider: string; state: string; lastPublishTime?: string; lastResult?: string; message?: string }[];
}

interface RecordsResponse {
  zone: string;
  serial: number;
  held?: { service: string; since: string; reason: string; addresses: string[] }[];
  items: PublishedRecord[];
}

const OUTPUTS = ['table', 'wide', 'json', 'yaml'] as const;

/** `builtin,route53`, with any provider that does not serve the record yet shown as `route53:pending`. */
function providersColumn(r: PublishedRecord): string {
  return r.providers.map((p) => (p.state === 'published' ? p.provider : `${p.provider}:${p.state}`)).join(',');
}

/**
 * `planned` (the answer follows health), or `held: <reason> (since <time>)` while the record set keeps
 * its last-known values because its service has no healthy endpoint.
 */
function stateColumn(r: PublishedRecord): string {
  return r.held ? `held: ${r.held.reason} (since ${r.held.since})` : 'planned';
}

/** `fedctl dns records [--service NS/NAME] [-o wide|json|yaml]`: published DNS record sets, kubectl style. */
export function register(program: Command): void {
  const dns = program.command('dns').description('DNS global service discovery');
  dns
    .command('records')
    .description('Show the published DNS record sets and where each is published')
    .option('--service <namespace/name>', 'only the records of this federated Service')
    .option('-o, --output <format>', OUTPUTS.join(', '), 'table')
    .action(async (options: { service?: string; output: string }, command: Command) => {
      if (!(OUTPUTS as readonly string[]).includes(options.output)) throw DomainError.invalid([{ path: '--output', message: `must be one of ${OUTPUTS.join(', ')}` }]);
      const body = await clientFor(command).get<RecordsResponse>('/api/v1/dns/records', { service: options.service });
      if (options.output === 'json' || options.output === 'yaml') return printStructured(body, options.output);
      const wide = options.output === 'wide';
      // STATE last: its text has spaces, every other column is one word.
      printTable(
        ['NAME', 'TYPE', 'TTL', 'VALUES', 'PROVIDERS', ...(wide ? ['SERVICE', 'LAST-PUBLISH'] : []), 'STATE'],
        body.items.map((r) => [
          r.name,
          r.type,
          r.ttl,
          r.values.map((v) => (r.type === 'TXT' ? JSON.stringify(v) : v)).join(','),
          providersColumn(r),
          ...(wide ? [r.service ?? '', r.providers.map((p) => p.lastPublishTime ?? '').sort().pop() ?? ''] : []),
          stateColumn(r),
        ]),
      );
      // Said once more per service on stderr, so a person piping the table still sees why.
      for (const h of body.held ?? []) {
        process.stderr.write(`Warning: service ${h.service} has no healthy endpoint since ${h.since}: DNS keeps its last-known addresses (${h.addresses.join(', ')})\n`);
      }
    });
  dns
    .command('publish')
    .description('Publish the DNS zone now (operator)')
    .action(async (_options: unknown, command: Command) => {
      const res = await clientFor(command).request<{ zone: string; jobId?: string }>('POST', '/api/v1/dns/publish', {});
      process.stdout.write(`dns zone "${res.zone}" publish queued\n`);
    });
}
