import type { Command } from 'commander';
import { clientFor } from '../context.js';
import type { ClusterView } from '../kinds/cluster.kind.js';
import { clusterPath, patchCluster } from './cluster-target.js';

/**
 * `fedctl cordon NAME` / `fedctl uncordon NAME`, like kubectl's: marks a cluster (un)schedulable
 * (`spec.unschedulable`) by patching only that field. A cordoned cluster gets no new replicas; what
 * runs there stays.
 */
export function register(program: Command): void {
  for (const [verb, unschedulable] of [
    ['cordon', true],
    ['uncordon', false],
  ] as const) {
    program
      .command(verb)
      .description(unschedulable ? 'Mark a cluster unschedulable: no new replicas go there' : 'Mark a cluster schedulable again')
      .argument('<name>', 'cluster name')
      .action(async (name: string, _options: unknown, cmd: Command) => {
        const api = clientFor(cmd);
        const current = await api.get<ClusterView>(clusterPath(name));
        if ((current.spec.unschedulable ?? false) === unschedulable) {
          process.stdout.write(`cluster/${name} already ${verb}ed\n`);
          return;
        }
        await patchCluster(api, name, { spec: { unschedulable } });
        process.stdout.write(`cluster/${name} ${verb}ed\n`);
      });
  }
}
