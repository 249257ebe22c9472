import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { DomainError, ErrorCode } from '#libs/common';
import { joinMember, loadUserKubeconfig } from '#libs/kube';
import type { ApiClient } from '../api-client.js';
import { clientFor } from '../context.js';
import type { ClusterView } from '../kinds/cluster.kind.js';
import { Progress } from '../progress.js';
import { takeKubeContext } from './kube-context-option.js';

const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

interface JoinOptions {
  kubeconfig: string;
  context?: string;
  insecureSkipTlsVerify?: boolean;
  label: string[];
  wait: boolean;
  timeout: string;
}

/**
 * `fedctl join NAME --kubeconfig PATH [--context CTX]`: with the user's own kubeconfig (used only in this
 * process, never sent to the server) creates the least-privilege Ubernetes identity in the member
 * (namespace ubernetes-system, ServiceAccount, ClusterRole, ClusterRoleBinding, token Secret), then
 * registers the cluster with the member's CA and that token. Re-running updates the registration.
 */
export function register(program: Command): void {
  program
    .command('join')
    .description('Join a Kubernetes cluster to the federation using your kubeconfig')
    .argument('<name>', 'cluster name in the federation (DNS-1123 label)')
    .requiredOption('--kubeconfig <path>', 'kubeconfig with admin access to the member cluster')
    .option('--context <name>', 'kubeconfig context (default: its current-context)')
    .option('--insecure-skip-tls-verify', 'accept a kubeconfig that skips TLS verification (the federation will skip it too)')
    .option('--label <key=value>', 'label of the cluster (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--no-wait', 'do not wait for the cluster to become Ready')
    .option('--timeout <seconds>', 'how long to wait for the member token and for Ready', '60')
    .action(async (name: string, options: JoinOptions, cmd: Command) => {
      if (!NAME.test(name)) throw DomainError.invalid([{ path: 'name', message: 'must be a DNS-1123 label (lower-case alphanumerics and -, at most 63)' }]);
      const timeoutMs = Number(options.timeout) * 1000;
      if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw DomainError.invalid([{ path: '--timeout', message: 'must be a positive number of seconds' }]);
      const labels = parseLabels(options.label);
      const target = loadUserKubeconfig(options.kubeconfig, takeKubeContext(cmd, options.context));
      if (target.insecureSkipTLSVerify && !options.insecureSkipTlsVerify) {
        throw DomainError.invalid(
          [{ path: '--kubeconfig', message: `context "${target.context}" skips TLS verification (insecure-skip-tls-verify); pass --insecure-skip-tls-verify to accept that explicitly` }],
          'refusing an insecure kubeconfig',
        );
      }
      if (!target.server.startsWith('https://')) {
        throw DomainError.invalid([{ path: '--kubeconfig', message: `the API server of context "${target.context}" is ${target.server}: the federation only connects over https` }]);
      }
      const api = clientFor(cmd);
      const progress = new Progress();
      progress.start(`checking the Ubernetes server ${api.server}`);
      const existing = await findCluster(api, name).catch((error: unknown) => {
        progress.fail();
        throw error;
      });
      progress.succeed(existing ? `cluster "${name}" is already registered: updating it` : `Ubernetes server ${api.server} reachable`);

      const joined = await joinMember(target, { reporter: progress, timeoutMs });
      const spec = { server: joined.server, caData: target.insecureSkipTLSVerify ? undefined : joined.caData, credentials: { token: joined.token }, ...(target.insecureSkipTLSVerify ? { insecureSkipTLSVerify: true } : {}) };
      progress.start(existing ? `updating cluster "${name}"` : `registering cluster "${name}"`);
      try {
        if (existing) {
          // Merge patch of only what join provides: the connection (null clears a CA or insecure opt-in it no
          // longer provides) and the --label values given. Other labels, taints, cordon stay as they are.
          await api.patch(`/api/v1/clusters/${encodeURIComponent(name)}`, {
            ...(Object.keys(labels).length ? { metadata: { labels } } : {}),
            spec: { ...spec, caData: spec.caData ?? null, insecureSkipTLSVerify: target.insecureSkipTLSVerify ? true : null },
          });
        }
        else await api.post('/api/v1/clusters', { apiVersion: 'federation.ubernetes.io/v1', kind: 'Cluster', metadata: { name, labels }, spec });
        progress.succeed(existing ? `updated cluster "${name}"` : `registered cluster "${name}"`);
      } catch (error) {
        progress.fail();
        throw error;
      }
      if (options.wait) await waitReady(api, name, timeoutMs, progress);
      process.stdout.write(`cluster "${name}" ${existing ? 'rejoined' : 'joined'}\n`);
    });
}

async function findCluster(api: ApiClient, name: string): Promise<ClusterView | undefined> {
  try {
    return await api.get<ClusterView>(`/api/v1/clusters/${name}`);
  } catch (error) {
    if (error instanceof DomainError && error.code === ErrorCode.NotFound) return undefined;
    throw error;
  }
}

async function waitReady(api: ApiClient, name: string, timeoutMs: number, progress: Progress): Promise<void> {
  progress.start(`waiting for cluster "${name}" to become Ready`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = await api.get<ClusterView>(`/api/v1/clusters/${name}`);
    const ready = c.status.conditions.find((x) => x.type === 'Ready');
    if (ready?.status === 'True') {
      progress.succeed(`cluster "${name}" is Ready (zones: ${c.status.zones.join(',') || '<none>'}, region: ${c.status.region ?? '<none>'})`);
      return;
    }
    if (Date.now() > deadline) {
      progress.warn(`cluster "${name}" is not Ready yet: ${ready?.reason ?? 'Unknown'}: ${ready?.message ?? ''} (see fedctl describe cluster ${name})`);
      return;
    }
    await sleep(500);
  }
}

function parseLabels(values: string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf('=');
    if (i <= 0) throw DomainError.invalid([{ path: '--label', message: `"${v}" must look like key=value` }]);
    labels[v.slice(0, i)] = v.slice(i + 1);
  }
  return labels;
}
