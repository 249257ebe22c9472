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
  providers: { provider: string; state: string; lastPublishTime?: string; lastResult?: string; message?: string }[];
}

interface RecordsResponse {
  zone: string;
  serial: number;
  items: PublishedRecord[];
}

const OUTPUTS = ['table', 'wide', 'json', 'yaml'] as const;

/** `builtin,route53`, with any provider that does not serve the record yet shown as `route53:pending`. */
function providersColumn(r: PublishedRecord): string {
  return r.providers.map((p) => (p.state === 'published' ? p.provider : `${p.provider}:${p.state}`)).join(',');
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
      printTable(
        ['NAME', 'TYPE', 'TTL', 'VALUES', 'PROVIDERS', ...(wide ? ['SERVICE', 'LAST-PUBLISH'] : [])],
        body.items.map((r) => [
          r.name,
          r.type,
          r.ttl,
          r.values.map((v) => (r.type === 'TXT' ? JSON.stringify(v) : v)).join(','),
          providersColumn(r),
          ...(wide ? [r.service ?? '', r.providers.map((p) => p.lastPublishTime ?? '').sort().pop() ?? ''] : []),
        ]),
      );
    });
  dns
    .command('publish')
    .description('Publish the DNS zone now (operator)')
    .action(async (_options: unknown, command: Command) => {
      const res = await clientFor(command).request<{ zone: string; jobId?: string }>('POST', '/api/v1/dns/publish', {});
      process.stdout.write(`dns zone "${res.zone}" publish queued\n`);
    });
}
