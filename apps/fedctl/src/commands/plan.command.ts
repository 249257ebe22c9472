import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { DomainError } from '#libs/common';
import { plan, validatePlanInput, type PlanResult } from '#libs/placement';

const FORMATS = ['json', 'yaml', 'table'] as const;
type Format = (typeof FORMATS)[number];

/**
 * `fedctl plan -f FILE|- [-o json|yaml|table]`: runs the replica placement planner locally, without a
 * server, so users can try preferences before applying them. Bad input throws DomainError(Invalid),
 * which main.ts prints with field paths and maps to exit code 2.
 */
export function register(program: Command): void {
  program
    .command('plan')
    .description('Compute a replica placement plan locally (no server): which cluster runs how many replicas')
    .requiredOption('-f, --file <file>', 'plan input as JSON or YAML; "-" reads standard input')
    .option('-o, --output <format>', `output format: ${FORMATS.join(', ')}`, 'table')
    .addHelpText(
      'after',
      `
Input:  {"algorithm": "default"|"legacy", "key": "ns/name", "totalReplicas": 9, "clusters": ["a", "b"],
         "preferences": {"rebalance": false, "clusters": {"*": {"weight": 1, "minReplicas": 0, "maxReplicas": null}}},
         "currentReplicas": {"a": 3}, "estimatedCapacity": {"b": 10}}
Output: {"plan": {"a": 5, "b": 4}, "overflow": {}, "unschedulable": 0}`,
    )
    .action(async (options: { file: string; output: string }) => {
      const format = parseFormat(options.output);
      const input = validatePlanInput(parseDocument(await readInput(options.file)));
      process.stdout.write(render(plan(input), format));
    });
}

function parseFormat(value: string): Format {
  if ((FORMATS as readonly string[]).includes(value)) return value as Format;
  throw DomainError.invalid([{ path: '--output', message: `must be one of ${FORMATS.join(', ')}` }]);
}

async function readInput(file: string): Promise<string> {
  try {
    if (file !== '-') return await readFile(file, 'utf8');
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw DomainError.invalid([{ path: '--file', message: `cannot read ${file}: ${reason}` }]);
  }
}

/** JSON is valid YAML 1.2, so one strict YAML parse reads both (duplicate keys are rejected). */
function parseDocument(text: string): unknown {
  try {
    return parseYaml(text, { uniqueKeys: true, prettyErrors: false });
  } catch (error) {
    const first = (error as Error).message.split('\n')[0];
    throw DomainError.invalid([{ path: '--file', message: `not valid JSON or YAML: ${first}` }]);
  }
}

function render(result: PlanResult, format: Format): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(result, null, 2)}\n`;
    case 'yaml':
      return stringifyYaml(result);
    case 'table':
      return table(result);
  }
}

function table(result: PlanResult): string {
  const rows = Object.entries(result.plan).map(([cluster, n]) => [cluster, String(n), String(result.overflow[cluster] ?? 0)]);
  const placed = Object.values(result.plan).reduce((s, n) => s + n, 0);
  const overflow = Object.values(result.overflow).reduce((s, n) => s + n, 0);
  const all = [['CLUSTER', 'REPLICAS', 'OVERFLOW'], ...rows];
  const widths = [0, 1, 2].map((i) => Math.max(...all.map((r) => r[i].length)));
  const lines = all.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('   '));
  lines.push('', `placed ${placed}, overflow ${overflow}, unschedulable ${result.unschedulable}`);
  return `${lines.join('\n')}\n`;
}
