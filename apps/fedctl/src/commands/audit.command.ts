import type { Command } from 'commander';
import { DomainError } from '#libs/common';
import { clientFor } from '../context.js';
import { printStructured, printTable } from '../format.js';

interface AuditEvent {
  at: string;
  actor: string;
  role: string | null;
  method: string;
  route: string;
  kind: string;
  namespace: string | null;
  name: string | null;
  subresource: string | null;
  statusCode: number;
  result: string;
  requestId: string | null;
}

const OUTPUTS = ['table', 'wide', 'json', 'yaml'] as const;

/** `fedctl audit [--actor A] [--since 1h|ISO] [--limit N] [-o wide|json|yaml]`: the audit trail (admin), newest first. */
export function register(program: Command): void {
  program
    .command('audit')
    .description('Show the audit trail of API mutations, newest first (admin)')
    .option('--actor <actor>', 'only this actor, e.g. token:ci or oidc:alice@example.com')
    .option('--since <when>', 'only since this time: ISO timestamp or lookback like 1h')
    .option('--limit <n>', 'at most this many records (1-1000)', '100')
    .option('-o, --output <format>', OUTPUTS.join(', '), 'table')
    .action(async (options: { actor?: string; since?: string; limit: string; output: string }, command: Command) => {
      if (!(OUTPUTS as readonly string[]).includes(options.output)) throw DomainError.invalid([{ path: '--output', message: `must be one of ${OUTPUTS.join(', ')}` }]);
      const { items } = await clientFor(command).get<{ items: AuditEvent[] }>('/api/v1/audit', { actor: options.actor, since: options.since, limit: options.limit });
      if (options.output === 'json' || options.output === 'yaml') return printStructured(items, options.output);
      const wide = options.output === 'wide';
      printTable(
        ['TIME', 'ACTOR', 'METHOD', 'KIND', 'NAMESPACE', 'NAME', 'STATUS', 'RESULT', ...(wide ? ['ROUTE', 'REQUEST-ID'] : [])],
        items.map((e) => [
          e.at,
          e.actor,
          e.method,
          e.subresource ? `${e.kind}/${e.subresource}` : e.kind,
          e.namespace ?? '',
          e.name ?? '',
          e.statusCode,
          e.result,
          ...(wide ? [e.route, e.requestId ?? ''] : []),
        ]),
      );
    });
}
