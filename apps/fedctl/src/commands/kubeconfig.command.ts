import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { DomainError } from '#libs/common';
import { clientFor } from '../context.js';

/** What `fedctl config kubeconfig` writes into the kubeconfig. */
export interface KubeconfigInput {
  /** Context, cluster and user name: the federation's name unless `--name` says otherwise. */
  name: string;
  server: string;
  token?: string;
  namespace: string;
  caData?: string;
  insecureSkipTlsVerify?: boolean;
}

/** A kubeconfig (`apiVersion: v1, kind: Config`) with one cluster, user and context. Pure. */
export function kubeconfigFor(input: KubeconfigInput): Record<string, unknown> {
  if (input.insecureSkipTlsVerify && input.caData) throw DomainError.invalid([{ path: '--insecure-skip-tls-verify', message: 'cannot be combined with --certificate-authority' }]);
  if (!input.server.startsWith('https://') && (input.insecureSkipTlsVerify || input.caData)) {
    throw DomainError.invalid([{ path: '--server', message: 'TLS options need an https:// server (a plain http:// server needs none)' }]);
  }
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: input.name,
        cluster: {
          server: input.server,
          ...(input.caData ? { 'certificate-authority-data': input.caData } : {}),
          ...(input.insecureSkipTlsVerify ? { 'insecure-skip-tls-verify': true } : {}),
        },
      },
    ],
    users: [{ name: input.name, user: input.token ? { token: input.token } : {} }],
    contexts: [{ name: input.name, context: { cluster: input.name, user: input.name, namespace: input.namespace } }],
    'current-context': input.name,
    preferences: {},
  };
}

/**
 * `fedctl config kubeconfig [--name N] [--namespace NS] [--certificate-authority FILE | --insecure-skip-tls-verify]`:
 * prints a kubeconfig for stock kubectl (server URL and token of the current fedctl context, a context
 * named after the federation), e.g. `fedctl config kubeconfig > fed.kubeconfig && kubectl
 * --kubeconfig fed.kubeconfig get fdeploy -A`. It asks the server for the federation's name, which also
 * checks the token.
 */
export function register(program: Command): void {
  const config = program.commands.find((c) => c.name() === 'config') ?? program.command('config');
  config
    .command('kubeconfig')
    .description('Print a kubeconfig for kubectl (server, token, a context named after the federation)')
    .option('--name <name>', 'name of the context, cluster and user (default: the federation name)')
    .option('--namespace <namespace>', 'default namespace of the context', 'default')
    .option('--certificate-authority <file>', 'PEM CA bundle of an https server')
    .option('--insecure-skip-tls-verify', 'skip TLS verification of an https server')
    .action(async (options: { name?: string; namespace: string; certificateAuthority?: string; insecureSkipTlsVerify?: boolean }, command: Command) => {
      const api = clientFor(command);
      const name = options.name ?? (await api.get<{ federation?: string }>('/version')).federation ?? 'ubernetes';
      const caData = options.certificateAuthority ? readFileSync(options.certificateAuthority).toString('base64') : undefined;
      const doc = kubeconfigFor({ name, server: api.server, token: api.token, namespace: options.namespace, caData, insecureSkipTlsVerify: options.insecureSkipTlsVerify });
      process.stdout.write(stringify(doc));
    });
}
