import type { Command } from 'commander';
import { DomainError } from '#libs/common';
import { clientFor } from '../context.js';
import { age, printStructured, printTable } from '../format.js';

interface TokenInfo {
  name: string;
  role: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

const OUTPUTS = ['table', 'json', 'yaml'] as const;

/**
 * `fedctl token create NAME --role admin|operator|viewer [--expires 24h]`, `token list`, `token revoke
 * NAME` (admin only on the server) and `fedctl whoami`. `create` prints the token alone on stdout (for
 * scripts); it is never shown again.
 */
export function register(program: Command): void {
  const token = program.command('token').description('Manage API tokens (admin)');

  token
    .command('create')
    .description('Create a token and print it (shown only once)')
    .argument('<name>', 'token name (lower-case letters, digits, - and .)')
    .requiredOption('--role <role>', 'admin, operator or viewer')
    .option('--expires <duration>', 'lifetime like 30m, 24h or 7d (default: no expiry)')
    .option('-o, --output <format>', 'token (default) or json', 'token')
    .action(async (name: string, options: { role: string; expires?: string; output: string }, command: Command) => {
      const created = await clientFor(command).post<TokenInfo & { token: string }>('/api/v1/tokens', {
        name,
        role: options.role,
        ...(options.expires ? { expiresIn: options.expires } : {}),
      });
      if (options.output === 'json') {
        printStructured(created, 'json');
        return;
      }
      process.stderr.write(`token/${created.name} created (role ${created.role}${created.expiresAt ? `, expires ${created.expiresAt}` : ''}). Store it now: it is not shown again.\n`);
      process.stdout.write(`${created.token}\n`);
    });

  token
    .command('list')
    .alias('ls')
    .description('List active tokens (never their values)')
    .option('-o, --output <format>', OUTPUTS.join(', '), 'table')
    .action(async (options: { output: string }, command: Command) => {
      const format = output(options.output);
      const { items } = await clientFor(command).get<{ items: TokenInfo[] }>('/api/v1/tokens');
      if (format !== 'table') return printStructured(items, format);
      printTable(
        ['NAME', 'ROLE', 'CREATED-BY', 'AGE', 'EXPIRES', 'LAST-USED'],
        items.map((t) => [t.name, t.role, t.createdBy, age(t.createdAt), t.expiresAt ?? 'never', t.lastUsedAt ? `${age(t.lastUsedAt)} ago` : 'never']),
      );
    });

  token
    .command('revoke')
    .description('Revoke a token at once')
    .argument('<name>', 'token name')
    .action(async (name: string, _options: unknown, command: Command) => {
      await clientFor(command).delete(`/api/v1/tokens/${encodeURIComponent(name)}`);
      process.stdout.write(`token/${name} revoked\n`);
    });

  program
    .command('whoami')
    .description('Show who the server thinks you are, and your role')
    .action(async (_options: unknown, command: Command) => {
      const me = await clientFor(command).get<{ actor: string; kind: string; role: string | null }>('/api/v1/whoami');
      process.stdout.write(`${me.actor} (role ${me.role ?? 'none'})\n`);
    });
}

function output(value: string): (typeof OUTPUTS)[number] {
  if ((OUTPUTS as readonly string[]).includes(value)) return value as (typeof OUTPUTS)[number];
  throw DomainError.invalid([{ path: '--output', message: `must be one of ${OUTPUTS.join(', ')}` }]);
}
