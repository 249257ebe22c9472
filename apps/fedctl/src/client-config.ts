import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parse } from 'yaml';
import { DomainError, ErrorCode } from '#libs/common';

/**
 * Where fedctl finds its server and token, in kubectl's order of precedence:
 * 1. flags `--server`, `--token`, `--context`;
 * 2. env `UBERNETES_SERVER`, `UBERNETES_TOKEN`, `UBERNETES_CONTEXT`;
 * 3. the config file (`--fedconfig`, env `FEDCONFIG`, or `~/.ubernetes/config`), kubectl-like YAML:
 *    `current-context: NAME`, `contexts: [{ name, context: { server, token } }]`.
 * The server defaults to http://127.0.0.1:8080.
 */
export interface ClientSettings {
  server: string;
  token?: string;
  context?: string;
}

interface FedConfigFile {
  'current-context'?: string;
  contexts?: { name: string; context: { server?: string; token?: string } }[];
}

export function defaultConfigPath(): string {
  return process.env.FEDCONFIG || join(homedir(), '.ubernetes', 'config');
}

/** Adds the global connection flags to the root program. */
export function addConnectionOptions(program: Command): Command {
  return program
    .option('--server <url>', 'Ubernetes API server URL (env UBERNETES_SERVER)')
    .option('--token <token>', 'bearer token (env UBERNETES_TOKEN)')
    .option('--context <name>', 'context of the fedctl config file to use (env UBERNETES_CONTEXT)')
    .option('--fedconfig <path>', 'path of the fedctl config file (env FEDCONFIG, default ~/.ubernetes/config)');
}

export function resolveClientSettings(flags: { server?: string; token?: string; context?: string; fedconfig?: string }): ClientSettings {
  const path = flags.fedconfig ?? defaultConfigPath();
  let file: FedConfigFile = {};
  if (existsSync(path)) {
    try {
      file = (parse(readFileSync(path, 'utf8')) as FedConfigFile) ?? {};
    } catch (error) {
      throw new DomainError(ErrorCode.Invalid, `cannot read fedctl config ${path}: ${(error as Error).message}`);
    }
  }
  const contextName = flags.context ?? process.env.UBERNETES_CONTEXT ?? file['current-context'];
  const context = contextName ? file.contexts?.find((c) => c.name === contextName)?.context : undefined;
  if (contextName && !context && (flags.context || process.env.UBERNETES_CONTEXT)) {
    throw new DomainError(ErrorCode.NotFound, `context "${contextName}" not found in ${path}`);
  }
  const server = flags.server ?? process.env.UBERNETES_SERVER ?? context?.server ?? 'http://127.0.0.1:8080';
  const token = flags.token ?? process.env.UBERNETES_TOKEN ?? context?.token;
  return { server: server.replace(/\/+$/, ''), token, context: contextName };
}
