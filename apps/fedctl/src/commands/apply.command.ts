import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import { DomainError } from '#libs/common';
import { KUBEFED_SCHEDULING_API_VERSION, federatedKindOfManifest, FEDERATION_GROUP, type FederatedKind } from '#libs/federation';
import type { ApiClient } from '../api-client.js';
import { clientFor } from '../context.js';
import { federatedPath } from '../kinds/federated.kind.js';
import { exitCodeFor, printError } from '../output.js';

type Doc = Record<string, unknown> & { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } };

/** Reads `-f FILE|-` as a list of documents: multi-document YAML, JSON, or a `kind: List` of items. */
export async function readManifests(file: string): Promise<Doc[]> {
  let text: string;
  try {
    if (file === '-') {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      text = Buffer.concat(chunks).toString('utf8');
    } else {
      text = await readFile(file, 'utf8');
    }
  } catch (error) {
    throw DomainError.invalid([{ path: '--filename', message: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` }]);
  }
  const docs: Doc[] = [];
  const parsed = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: false });
  for (const [i, d] of (Array.isArray(parsed) ? parsed : [parsed]).entries()) {
    if (d.errors.length) throw DomainError.invalid([{ path: `--filename (document ${i + 1})`, message: `not valid YAML or JSON: ${d.errors[0].message.split('\n')[0]}` }]);
    const value = d.toJS() as unknown;
    if (value === null || value === undefined) continue;
    const doc = value as Doc;
    if (doc.kind === 'List' && Array.isArray(doc.items)) docs.push(...(doc.items as Doc[]));
    else docs.push(doc);
  }
  return docs;
}

/** Where a document goes: a federated kind (native, KubeFed or plain Kubernetes) or a KubeFed RSP. */
export function targetOf(doc: Doc): { kind: FederatedKind } | { preference: true } | undefined {
  if (doc?.apiVersion === KUBEFED_SCHEDULING_API_VERSION && doc.kind === 'ReplicaSchedulingPreference') return { preference: true };
  const kind = federatedKindOfManifest(doc);
  return kind ? { kind } : undefined;
}

/** `federateddeployment.federation.ubernetes.io/web` (kubectl's resource/name). */
export function displayName(doc: Doc, target: NonNullable<ReturnType<typeof targetOf>>): string {
  const name = doc.metadata?.name ?? '<unnamed>';
  return 'kind' in target ? `${target.kind.singular}.${FEDERATION_GROUP}/${name}` : `replicaschedulingpreference.scheduling.kubefed.io/${name}`;
}

interface WriteResponse {
  outcome?: string;
  conversion?: string[];
  plan?: { clusters: { cluster: string; replicas?: number }[]; unschedulable?: number };
}

/**
 * `fedctl apply -f FILE|-`: creates or updates every document (PUT = idempotent apply), printing
 * `federateddeployment.federation.ubernetes.io/web created|configured|unchanged` like kubectl, and the
 * server's conversion notes for KubeFed / Federation v1 manifests. ReplicaSchedulingPreferences go last
 * (they change an existing federated object). A failing document does not stop the others; the exit
 * code reports the first failure.
 */
export function register(program: Command): void {
  program
    .command('apply')
    .description('Create or update federated objects from a file (YAML/JSON, multi-document; KubeFed and Federation v1 manifests are converted)')
    .requiredOption('-f, --filename <file>', 'manifest file; "-" reads standard input')
    .option('-n, --namespace <namespace>', 'namespace for documents that do not name one', 'default')
    .option('--dry-run <mode>', '"server": validate and preview the placement without storing')
    .action(async (options: { filename: string; namespace: string; dryRun?: string }, cmd: Command) => {
      if (options.dryRun !== undefined && options.dryRun !== 'server') throw DomainError.invalid([{ path: '--dry-run', message: 'must be server' }]);
      const docs = await readManifests(options.filename);
      if (docs.length === 0) throw DomainError.invalid([{ path: '--filename', message: 'no objects found' }]);
      const api = clientFor(cmd);
      const ordered = [...docs].sort((x, y) => Number('preference' in (targetOf(x) ?? {})) - Number('preference' in (targetOf(y) ?? {})));
      let firstError: unknown;
      for (const doc of ordered) {
        try {
          const line = await applyOne(api, doc, options.namespace, options.dryRun === 'server');
          process.stdout.write(line);
        } catch (error) {
          firstError ??= error;
          printError(error);
        }
      }
      // Every failure is already printed; the exit code is the first one's.
      if (firstError) process.exitCode = exitCodeFor(firstError);
    });
}

async function applyOne(api: ApiClient, doc: Doc, defaultNamespace: string, dryRun: boolean): Promise<string> {
  const target = targetOf(doc);
  if (!target) {
    throw DomainError.invalid([{ path: 'kind', message: `cannot apply ${doc?.apiVersion ?? '?'} ${doc?.kind ?? '?'} (known: federation.ubernetes.io/v1 Federated*, KubeFed types.kubefed.io/v1beta1, scheduling.kubefed.io/v1alpha1 ReplicaSchedulingPreference, or a plain Deployment/ReplicaSet/Service/ConfigMap/Secret/Namespace)` }]);
  }
  const name = doc.metadata?.name;
  if (!name) throw DomainError.invalid([{ path: 'metadata.name', message: 'is required' }]);
  const namespace = doc.metadata?.namespace ?? defaultNamespace;
  const query = dryRun ? '?dryRun=All' : '';
  const path = 'kind' in target ? federatedPath(target.kind, namespace, name) : `/api/v1/namespaces/${encodeURIComponent(namespace)}/replicaschedulingpreferences/${encodeURIComponent(name)}`;
  const res = await api.put<WriteResponse>(path + query, doc);
  let out = `${displayName(doc, target)} ${'preference' in target ? 'configured' : (res.outcome ?? 'configured')}${dryRun ? ' (server dry run)' : ''}\n`;
  for (const note of res.conversion ?? []) out += `  note: ${note}\n`;
  if (dryRun && res.plan) {
    out += `  plan: ${res.plan.clusters.map((c) => (c.replicas === undefined ? c.cluster : `${c.cluster}=${c.replicas}`)).join(', ') || '<no cluster>'}${res.plan.unschedulable ? `, unschedulable ${res.plan.unschedulable}` : ''}\n`;
  }
  return out;
}
