import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parse } from 'yaml';
import { DomainError } from '#libs/common';
import { clientFor } from '../context.js';
import { clusterTarget, patchCluster } from './cluster-target.js';

interface PatchOptions {
  patch?: string;
  patchFile?: string;
  type: string;
}

/**
 * `fedctl patch cluster NAME -p '{"spec":{"unschedulable":true}}'` (or `cluster/NAME`, `--patch-file`):
 * sends a JSON merge patch (RFC 7386) as `kubectl patch --type merge` does. Only what the patch names
 * changes; `null` removes; a `metadata.resourceVersion` in it is a precondition (409 when stale).
 */
export function register(program: Command): void {
  program
    .command('patch')
    .description('Update fields of a cluster with a JSON merge patch, e.g. fedctl patch cluster eu-1 -p \'{"metadata":{"labels":{"tier":"gold"}}}\'')
    .argument('<kind>', 'resource kind (cluster), or cluster/NAME')
    .argument('[name]', 'cluster name')
    .option('-p, --patch <patch>', 'the patch, JSON (or YAML)')
    .option('--patch-file <file>', 'a file holding the patch')
    .option('--type <type>', 'patch type: merge (JSON merge patch, RFC 7386)', 'merge')
    .action(async (kindName: string, nameArg: string | undefined, options: PatchOptions, cmd: Command) => {
      const { name, rest } = clusterTarget(kindName, nameArg === undefined ? [] : [nameArg]);
      if (rest.length) throw DomainError.invalid([{ path: 'name', message: `unexpected argument "${rest[0]}"` }]);
      if (options.type !== 'merge') {
        throw DomainError.invalid([{ path: '--type', message: `"${options.type}" is not supported: clusters take --type merge (JSON merge patch, RFC 7386)` }]);
      }
      const patch = readPatch(options);
      await patchCluster(clientFor(cmd), name, patch);
      process.stdout.write(`cluster/${name} patched\n`);
    });
}

function readPatch(options: PatchOptions): Record<string, unknown> {
  if ((options.patch === undefined) === (options.patchFile === undefined)) {
    throw DomainError.invalid([{ path: '--patch', message: 'give the patch with -p/--patch or --patch-file (one of them)' }]);
  }
  const flag = options.patch !== undefined ? '--patch' : '--patch-file';
  let text: string;
  try {
    text = options.patch ?? readFileSync(options.patchFile!, 'utf8');
  } catch (error) {
    throw DomainError.invalid([{ path: flag, message: `cannot read ${options.patchFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` }]);
  }
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    throw DomainError.invalid([{ path: flag, message: `is not valid JSON or YAML: ${(error as Error).message.split('\n')[0]}` }]);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw DomainError.invalid([{ path: flag, message: 'must be a JSON object, e.g. {"spec":{"unschedulable":true}}' }]);
  }
  return value as Record<string, unknown>;
}
