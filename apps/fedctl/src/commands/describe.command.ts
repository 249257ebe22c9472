import type { Command } from 'commander';
import { clientFor } from '../context.js';
import { requireKind } from './get.command.js';

/** `fedctl describe KIND NAME`: kubectl-describe-like text (e.g. a cluster's conditions and transition history). */
export function register(program: Command): void {
  program
    .command('describe')
    .description('Show details of one object, e.g. fedctl describe cluster member-1')
    .argument('<kind>', 'resource kind, e.g. cluster')
    .argument('<name>', 'object name')
    .option('-n, --namespace <namespace>', 'namespace of namespaced kinds (federated objects)', 'default')
    .action(async (kindName: string, name: string, options: { namespace?: string }, cmd: Command) => {
      const kind = requireKind(kindName);
      process.stdout.write(await kind.describe(clientFor(cmd), name, Date.now(), { namespace: options.namespace }));
    });
}
