import type { Command } from 'commander';
import { DomainError } from '#libs/common';
import { clientFor } from '../context.js';
import type { ClusterView } from '../kinds/cluster.kind.js';
import { clusterPath, clusterTarget, patchCluster } from './cluster-target.js';

interface LabelOptions {
  overwrite: boolean;
  resourceVersion?: string;
}

/**
 * `fedctl label cluster NAME k=v … k2- [--overwrite] [--resource-version N]`, like kubectl label: sets
 * and removes only the labels named (a merge patch of just those keys), refuses to change an existing
 * value without `--overwrite`, and with `--resource-version` only succeeds while the cluster is still at
 * that version (409 otherwise).
 */
export function register(program: Command): void {
  program
    .command('label')
    .description('Set (key=value) or remove (key-) labels of a cluster, e.g. fedctl label cluster eu-1 tier=gold old-')
    .argument('<kind>', 'resource kind (cluster), or cluster/NAME')
    .argument('<args...>', 'cluster name, then key=value or key- items')
    .option('--overwrite', 'allow changing the value of an existing label', false)
    .option('--resource-version <version>', 'only update while the cluster is at this metadata.resourceVersion')
    .action(async (kindName: string, args: string[], options: LabelOptions, cmd: Command) => {
      const { name, rest } = clusterTarget(kindName, args);
      const change = parseLabelChanges(rest);
      const api = clientFor(cmd);
      const current = (await api.get<ClusterView>(clusterPath(name))).metadata.labels ?? {};
      if (!options.overwrite) {
        const clashes = Object.entries(change).filter(([k, v]) => v !== null && current[k] !== undefined && current[k] !== v);
        if (clashes.length) {
          throw DomainError.invalid(
            clashes.map(([k]) => ({ path: `metadata.labels.${k}`, message: `'${k}' already has a value (${current[k]}), and --overwrite is false` })),
            'not labeled',
          );
        }
      }
      for (const [k, v] of Object.entries(change)) if (v === null && current[k] === undefined) process.stderr.write(`label "${k}" not found.\n`);
      const changes = Object.entries(change).some(([k, v]) => (v === null ? current[k] !== undefined : current[k] !== v));
      if (!changes && options.resourceVersion === undefined) {
        process.stdout.write(`cluster/${name} not labeled\n`);
        return;
      }
      // Only the named keys: labels nobody mentioned stay as stored, even if they changed since the GET.
      await patchCluster(api, name, {
        metadata: { labels: change, ...(options.resourceVersion !== undefined ? { resourceVersion: options.resourceVersion } : {}) },
      });
      const removedOnly = Object.values(change).every((v) => v === null);
      process.stdout.write(`cluster/${name} ${removedOnly ? 'unlabeled' : 'labeled'}\n`);
    });
}

/** `k=v` sets a label, `k-` removes it: the merge patch of `metadata.labels` they make. */
export function parseLabelChanges(items: string[]): Record<string, string | null> {
  if (!items.length) throw DomainError.invalid([{ path: 'labels', message: 'give at least one label change: key=value or key-' }]);
  const change: Record<string, string | null> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    const [key, value] = eq >= 0 ? [item.slice(0, eq), item.slice(eq + 1)] : item.endsWith('-') ? [item.slice(0, -1), null] : [item, undefined];
    if (!key || value === undefined) throw DomainError.invalid([{ path: 'labels', message: `"${item}" must be key=value (set) or key- (remove)` }]);
    if (key in change && change[key] !== value) throw DomainError.invalid([{ path: `metadata.labels.${key}`, message: 'is named twice with different changes' }]);
    change[key] = value;
  }
  return change;
}
