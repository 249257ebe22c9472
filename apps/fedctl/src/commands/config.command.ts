import type { Command } from 'commander';
import { stringify } from 'yaml';
import { DomainError, ErrorCode } from '#libs/common';
import { fedconfigPath, MASKED_TOKEN, readFedConfig, writeFedConfig } from '../fedconfig-file.js';

/**
 * `fedctl config set-context NAME --server URL --token TOKEN`, `use-context NAME`, `current-context`,
 * `view [--raw]`: manages the kubectl-like config file (`--fedconfig`, env FEDCONFIG, default
 * ~/.ubernetes/config, written with mode 0600). `view` masks tokens unless `--raw`.
 */
export function register(program: Command): void {
  const config = program.command('config').description('Manage fedctl contexts (server URL and token) in the config file');

  config
    .command('set-context')
    .description('Create or update a context; unspecified fields keep their value')
    .argument('<name>', 'context name')
    .option('--server <url>', 'Ubernetes API server URL')
    .option('--token <token>', 'bearer token (an API token or an OIDC JWT)')
    .action((name: string, options: { server?: string; token?: string }, command: Command) => {
      const root = rootOf(command);
      // --server/--token are also global flags; commander may hand them to either level.
      const server = options.server ?? root.opts().server;
      const token = options.token ?? root.opts().token;
      if (server !== undefined) checkServer(server);
      const path = fedconfigPath(root.opts());
      const file = readFedConfig(path);
      const contexts = file.contexts ?? [];
      const existing = contexts.find((c) => c.name === name);
      const context = { ...existing?.context, ...(server !== undefined ? { server: server.replace(/\/+$/, '') } : {}), ...(token !== undefined ? { token } : {}) };
      const next = existing ? contexts.map((c) => (c.name === name ? { name, context } : c)) : [...contexts, { name, context }];
      writeFedConfig(path, { ...file, contexts: next, ...(file['current-context'] ? {} : { 'current-context': name }) });
      process.stdout.write(`Context "${name}" ${existing ? 'modified' : 'created'}.\n`);
    });

  config
    .command('use-context')
    .description('Make a context the current one')
    .argument('<name>', 'context name')
    .action((name: string, _options: unknown, command: Command) => {
      const path = fedconfigPath(rootOf(command).opts());
      const file = readFedConfig(path);
      if (!file.contexts?.some((c) => c.name === name)) throw new DomainError(ErrorCode.NotFound, `no context named "${name}" in ${path}`);
      writeFedConfig(path, { ...file, 'current-context': name });
      process.stdout.write(`Switched to context "${name}".\n`);
    });

  config
    .command('current-context')
    .description('Print the current context')
    .action((_options: unknown, command: Command) => {
      const path = fedconfigPath(rootOf(command).opts());
      const current = readFedConfig(path)['current-context'];
      if (!current) throw new DomainError(ErrorCode.NotFound, `current-context is not set in ${path}`);
      process.stdout.write(`${current}\n`);
    });

  config
    .command('view')
    .description('Print the config file, tokens masked')
    .option('--raw', 'print tokens too')
    .action((options: { raw?: boolean }, command: Command) => {
      const file = readFedConfig(fedconfigPath(rootOf(command).opts()));
      const shown = {
        'current-context': file['current-context'] ?? '',
        contexts: (file.contexts ?? []).map((c) => ({
          name: c.name,
          context: { ...c.context, ...(c.context.token !== undefined && !options.raw ? { token: MASKED_TOKEN } : {}) },
        })),
      };
      process.stdout.write(stringify(shown));
    });
}

function rootOf(command: Command): Command {
  let root = command;
  while (root.parent) root = root.parent;
  return root;
}

function checkServer(server: string): void {
  try {
    const url = new URL(server);
    if (url.protocol === 'http:' || url.protocol === 'https:') return;
  } catch {
    // fall through
  }
  throw DomainError.invalid([{ path: '--server', message: 'must be an http:// or https:// URL' }]);
}
