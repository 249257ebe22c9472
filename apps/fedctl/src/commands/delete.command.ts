import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { DomainError, ErrorCode, isDomainError } from '#libs/common';
import { FEDERATION_GROUP, findFederatedKind, type FederatedKind } from '#libs/federation';
import type { ApiClient } from '../api-client.js';
import { clientFor } from '../context.js';
import { federatedPath } from '../kinds/federated.kind.js';
import { readManifests, targetOf } from './apply.command.js';

/**
 * `fedctl delete KIND NAME… [-n NS]` or `fedctl delete -f FILE`: deletes federated objects and, through
 * the control plane, what they created in every member. `--wait` returns once everything is gone.
 */
export function register(program: Command): void {
  program
    .command('delete')
    .description('Delete federated objects (and what they created in the member clusters)')
    .argument('[kind]', 'federated kind, e.g. federateddeployment or fdeploy')
    .argument('[names...]', 'object names')
    .option('-f, --filename <file>', 'delete the objects of a manifest file ("-" = standard input)')
    .option('-n, --namespace <namespace>', 'namespace', 'default')
    .option('--wait', 'wait until the objects are removed from every member', false)
    .option('--timeout <seconds>', 'limit for --wait', '60')
    .action(async (kindName: string | undefined, names: string[], options: { filename?: string; namespace: string; wait: boolean; timeout: string }, cmd: Command) => {
      const api = clientFor(cmd);
      const targets: { kind: FederatedKind; namespace: string; name: string }[] = [];
      if (options.filename) {
        for (const doc of await readManifests(options.filename)) {
          const t = targetOf(doc);
          if (t && 'kind' in t && doc.metadata?.name) targets.push({ kind: t.kind, namespace: doc.metadata.namespace ?? options.namespace, name: doc.metadata.name });
        }
      } else {
        const kind = kindName ? findFederatedKind(kindName) : undefined;
        if (!kind) throw DomainError.invalid([{ path: 'kind', message: `unknown federated kind "${kindName ?? ''}" (e.g. federateddeployment, fdeploy, fsvc)` }]);
        if (!names.length) throw DomainError.invalid([{ path: 'names', message: 'name at least one object' }]);
        for (const name of names) targets.push({ kind, namespace: options.namespace, name });
      }
      let failure: unknown;
      for (const t of targets) {
        try {
          await api.delete(federatedPath(t.kind, t.namespace, t.name));
          if (options.wait) await waitGone(api, t, Number(options.timeout) * 1000);
          process.stdout.write(`${t.kind.singular}.${FEDERATION_GROUP} "${t.name}" deleted\n`);
        } catch (error) {
          failure ??= error;
          process.stderr.write(`error: ${(error as Error).message}\n`);
        }
      }
      if (failure) throw isDomainError(failure) ? failure : new DomainError(ErrorCode.Internal, String(failure));
    });
}

async function waitGone(api: ApiClient, t: { kind: FederatedKind; namespace: string; name: string }, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await api.get(federatedPath(t.kind, t.namespace, t.name));
    } catch (error) {
      if (isDomainError(error) && error.code === ErrorCode.NotFound) return;
      throw error;
    }
    if (Date.now() > deadline) throw new DomainError(ErrorCode.Unavailable, `${t.kind.singular} ${t.name} is still being deleted after ${timeoutMs / 1000}s (a member may be unreachable; it is retried)`);
    await sleep(250);
  }
}
