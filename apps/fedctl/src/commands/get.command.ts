import type { Command } from 'commander';
import { DomainError } from '#libs/common';
import { clientFor } from '../context.js';
import { parseOutput, printStructured, printTable } from '../format.js';
import { findKind, KINDS } from '../kinds/index.js';

/**
 * `fedctl get KIND [NAME] [-o wide|json|yaml|name] [-l SELECTOR]`, for every kind in `kinds/index.ts`,
 * e.g. `fedctl get clusters -o wide`.
 */
export function register(program: Command): void {
  program
    .command('get')
    .description(`List or show resources (${KINDS.map((k) => k.names[0]).join(', ')})`)
    .argument('<kind>', 'resource kind, e.g. clusters')
    .argument('[name]', 'one object by name')
    .option('-o, --output <format>', 'output format: wide, json, yaml or name')
    .option('-l, --selector <selector>', 'label selector, e.g. env=prod,region in (us-east-1,eu-west-1)')
    .option('-n, --namespace <namespace>', 'namespace of namespaced kinds (federated objects)', 'default')
    .option('-A, --all-namespaces', 'list namespaced kinds across every namespace')
    .action(async (kindName: string, name: string | undefined, options: { output?: string; selector?: string; namespace?: string; allNamespaces?: boolean }, cmd: Command) => {
      const kind = requireKind(kindName);
      const format = parseOutputOrInvalid(options.output);
      const api = clientFor(cmd);
      const ns = { namespace: options.namespace, allNamespaces: options.allNamespaces };
      const items = name ? [await kind.get(api, name, ns)] : await kind.list(api, { labelSelector: options.selector, ...ns });
      if (format === 'json' || format === 'yaml') {
        printStructured(name ? items[0] : { apiVersion: 'v1', kind: 'List', items }, format);
      } else if (format === 'name') {
        for (const item of items) process.stdout.write(`${kind.names[1] ?? kind.names[0]}/${kind.nameOf(item)}\n`);
      } else if (items.length === 0) {
        process.stderr.write(`No ${kind.names[0]} found.\n`);
      } else {
        const notice = name ? undefined : await kind.notice?.(api, Date.now()).catch(() => undefined);
        if (notice) process.stderr.write(`${notice}\n`);
        const table = kind.table(items, format === 'wide', Date.now());
        printTable(table.headers, table.rows);
      }
    });
}

export function requireKind(name: string) {
  const kind = findKind(name);
  if (!kind) {
    throw DomainError.invalid([{ path: 'kind', message: `unknown resource kind "${name}" (known: ${KINDS.map((k) => k.names[0]).join(', ')})` }], 'unknown kind');
  }
  return kind;
}

function parseOutputOrInvalid(value: string | undefined) {
  try {
    return parseOutput(value);
  } catch (error) {
    throw DomainError.invalid([{ path: '--output', message: (error as Error).message }]);
  }
}
