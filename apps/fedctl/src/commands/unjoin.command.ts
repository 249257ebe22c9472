import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { DomainError, ErrorCode } from '#libs/common';
import { loadUserKubeconfig, unjoinMember } from '#libs/kube';
import { clientFor } from '../context.js';
import { Progress } from '../progress.js';
import { takeKubeContext } from './kube-context-option.js';

/**
 * `fedctl unjoin NAME [--kubeconfig PATH] [--context CTX]`: removes the registration, then (with the
 * user's kubeconfig: --kubeconfig, $KUBECONFIG or ~/.kube/config) the member-side objects `join` created.
 * Anything already gone is a warning, not a failure.
 */
export function register(program: Command): void {
  program
    .command('unjoin')
    .description('Remove a cluster from the federation and delete the Ubernetes identity in it')
    .argument('<name>', 'cluster name')
    .option('--kubeconfig <path>', 'kubeconfig with admin access to the member (default $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: its current-context)')
    .action(async (name: string, options: { kubeconfig?: string; context?: string }, cmd: Command) => {
      const kubeContext = takeKubeContext(cmd, options.context);
      const api = clientFor(cmd);
      const progress = new Progress();
      const warnings: string[] = [];
      progress.start(`removing the registration of cluster "${name}"`);
      try {
        await api.delete(`/api/v1/clusters/${encodeURIComponent(name)}`);
        progress.succeed(`removed the registration of cluster "${name}"`);
      } catch (error) {
        if (!(error instanceof DomainError && error.code === ErrorCode.NotFound)) {
          progress.fail();
          throw error;
        }
        warnings.push(`cluster "${name}" was not registered`);
        progress.warn(warnings[warnings.length - 1]);
      }
      const path = options.kubeconfig ?? process.env.KUBECONFIG?.split(':')[0] ?? join(homedir(), '.kube', 'config');
      if (!existsSync(path)) {
        warnings.push(`no kubeconfig at ${path}: member-side objects (namespace ubernetes-system, ClusterRole/Binding ubernetes-member) were left in place`);
        progress.warn(warnings[warnings.length - 1]);
      } else {
        warnings.push(...(await unjoinMember(loadUserKubeconfig(path, kubeContext), { reporter: progress })));
      }
      process.stdout.write(`cluster "${name}" unjoined${warnings.length ? ` with ${warnings.length} warning(s)` : ''}\n`);
    });
}
