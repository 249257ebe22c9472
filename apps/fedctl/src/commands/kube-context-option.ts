import type { Command } from 'commander';

/**
 * `fedctl join|unjoin NAME --context CTX`: `--context` after the subcommand names the *kubeconfig*
 * context. The root program also has `--context` (the fedctl config context) and commander lets a root
 * option match anywhere on the line, so the root swallows it. This takes it back: the occurrence after the
 * subcommand is the kubeconfig context; one before the subcommand stays the fedctl context.
 */
export function takeKubeContext(cmd: Command, own: string | undefined): string | undefined {
  if (own) return own;
  let root = cmd;
  while (root.parent) root = root.parent;
  const args = process.argv.slice(2);
  const sub = args.indexOf(cmd.name());
  const valueAt = (from: number, to: number): string | undefined => {
    let value: string | undefined;
    for (let i = from; i < to; i++) {
      if (args[i] === '--context') value = args[i + 1];
      else if (args[i].startsWith('--context=')) value = args[i].slice('--context='.length);
    }
    return value;
  };
  if (sub < 0) return undefined;
  const kube = valueAt(sub + 1, args.length);
  if (kube === undefined) return undefined;
  root.setOptionValue('context', valueAt(0, sub));
  return kube;
}
