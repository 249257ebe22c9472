import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureKubeBinaries, type KubeBinaries } from './kube-binaries.js';
import { renderKubeconfig } from './kubeconfig.js';
import { defaultLogger, type HarnessLogger } from './logger.js';
import {
  ClusterStartError,
  MemberCluster,
  type ClusterPorts,
  type ClusterProgress,
  type MemberClusterState,
} from './member-cluster.js';
import { allocatePorts } from './ports.js';
import { isProcessAlive, isProcessRunning, terminateProcess } from './processes.js';
import { validateSpecs, type MemberClusterSpec } from './topology.js';

/** Options of {@link startMemberClusters}. */
export interface StartMemberClustersOptions {
  /** Structured log sink. Default: warnings to stderr (`UBERNETES_HARNESS_LOG=debug` for more). */
  logger?: HarnessLogger;
  /** Start-up steps of each cluster. */
  onProgress?: (progress: ClusterProgress) => void;
  /** Lines of the one-time binary build, when the binaries are missing. */
  onBuildProgress?: (line: string) => void;
  /** Binaries to use; default {@link ensureKubeBinaries}. */
  binaries?: KubeBinaries;
  /**
   * Parent folder of the cluster folders. Default `<os tmpdir>/ubernetes-harness`, one fresh
   * `<name>-XXXXXX` folder per cluster; detached clusters use `<rootDir>/<name>`.
   */
  rootDir?: string;
  /** Leave the processes running after this process exits (CLI `up`). Default false. */
  detached?: boolean;
  /** Run the in-process node simulators. Default true. */
  simulate?: boolean;
  /** Whether simulated pods start Ready. Default true. */
  podsReady?: boolean;
  /** Per-cluster limit for etcd and the API server to become ready. Default 120 s. */
  startTimeoutMs?: number;
}

/** Default parent folder of per-cluster temp folders. */
export function defaultHarnessRoot(): string {
  return join(tmpdir(), 'ubernetes-harness');
}

const live = new Set<MemberCluster>();

/** Several member clusters started together. */
export class MemberClusterSet implements Iterable<MemberCluster> {
  constructor(readonly clusters: MemberCluster[]) {}

  [Symbol.iterator](): Iterator<MemberCluster> {
    return this.clusters[Symbol.iterator]();
  }

  /** The cluster called `name`; throws when there is none. */
  get(name: string): MemberCluster {
    const cluster = this.clusters.find((c) => c.name === name);
    if (!cluster) throw new Error(`no member cluster named ${name}`);
    return cluster;
  }

  /** Clusters spanning `zone`: "zone down" is `hang()` or `kill()` on each of them. */
  inZone(zone: string): MemberCluster[] {
    return this.clusters.filter((c) => c.zones.includes(zone));
  }

  /** One kubeconfig with a context per cluster (current context: the first). */
  kubeconfig(): string {
    return renderKubeconfig(this.clusters.map((c) => c.credentials()));
  }

  /** Stops every cluster of the set; see {@link MemberCluster.stop}. */
  async stopAll(): Promise<void> {
    await Promise.all(this.clusters.map((c) => stopTracked(c)));
  }
}

/**
 * Starts one real member cluster per spec, concurrently, each on free loopback ports in its own
 * folder, and resolves once all API servers answer `/readyz` and their Nodes exist (≈ 5–15 s on two
 * cores). If one fails, the others are stopped and the error names the failing cluster with its log
 * tail. Unless `detached`, the processes are killed when this process exits, and clusters left behind
 * by a dead process (e.g. a crashed Jest worker) are reaped first.
 */
export async function startMemberClusters(
  specs: MemberClusterSpec[],
  options: StartMemberClustersOptions = {},
): Promise<MemberClusterSet> {
  const problems = validateSpecs(specs);
  if (problems.length > 0) {
    throw new Error(`invalid member cluster specs: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`);
  }
  const logger = options.logger ?? defaultLogger();
  const rootDir = options.rootDir ?? defaultHarnessRoot();
  await mkdir(rootDir, { recursive: true });
  if (!options.detached) await reapOrphanedClusters(rootDir, logger);
  const binaries = options.binaries ?? (await ensureKubeBinaries({ onProgress: options.onBuildProgress }));

  const results = await Promise.allSettled(specs.map((spec, index) => startWithRetries(spec, index, binaries, rootDir, options, logger)));
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
  if (failures.length > 0) {
    await Promise.all(started.map((c) => stopTracked(c)));
    throw new Error(`${failures.length} of ${specs.length} member clusters failed to start:\n${failures.map((e) => e.message).join('\n')}`);
  }
  for (const cluster of started) live.add(cluster);
  return new MemberClusterSet(started);
}

/** Stops every member cluster this process started and has not stopped yet. */
export async function stopAllMemberClusters(): Promise<void> {
  await Promise.all([...live].map((c) => stopTracked(c)));
}

async function stopTracked(cluster: MemberCluster): Promise<void> {
  live.delete(cluster);
  await cluster.stop();
}

async function startWithRetries(
  spec: MemberClusterSpec,
  index: number,
  binaries: KubeBinaries,
  rootDir: string,
  options: StartMemberClustersOptions,
  logger: HarnessLogger,
): Promise<MemberCluster> {
  for (let attempt = 1; ; attempt++) {
    const [etcdClient, etcdPeer, apiserver] = await allocatePorts(3);
    const ports: ClusterPorts = { etcdClient, etcdPeer, apiserver };
    const dir = options.detached ? join(rootDir, spec.name) : await mkdtemp(join(rootDir, `${spec.name}-`));
    try {
      return await MemberCluster.start(spec, {
        index,
        binaries,
        dir,
        ports,
        logger,
        onProgress: options.onProgress,
        detached: options.detached,
        simulate: options.simulate,
        podsReady: options.podsReady,
        startTimeoutMs: options.startTimeoutMs,
      });
    } catch (error) {
      if (!(error instanceof ClusterStartError && error.portInUse) || attempt >= 3) throw error;
      logger('info', 'port taken meanwhile; retrying with new ports', { cluster: spec.name, attempt });
    }
  }
}

/**
 * Stops clusters under `rootDir` whose owning process is gone (a Jest worker killed before its
 * `exit` hook ran) and removes their folders. Only pids still running the recorded binary are signalled.
 */
export async function reapOrphanedClusters(rootDir: string, logger: HarnessLogger = defaultLogger()): Promise<number> {
  let reaped = 0;
  const entries = await readdir(rootDir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const dir = join(rootDir, entry.name);
    const state = await readFile(join(dir, 'cluster.json'), 'utf8')
      .then((text) => JSON.parse(text) as MemberClusterState)
      .catch(() => undefined);
    if (!state) {
      // A folder whose cluster never wrote its state: remove it once clearly stale (1 h).
      const info = await stat(dir).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > 3_600_000) await rm(dir, { recursive: true, force: true });
      continue;
    }
    if (state.owner === undefined || isProcessAlive(state.owner)) continue;
    const { pids, binaries } = state;
    for (const [pid, binary] of [
      [pids.controllerManager, binaries.controllerManager],
      [pids.apiserver, binaries.apiserver],
      [pids.etcd, binaries.etcd],
    ] as const) {
      if (pid !== undefined && binary && isProcessRunning(pid, binary)) await terminateProcess(pid, 2000);
    }
    await rm(dir, { recursive: true, force: true });
    logger('info', 'reaped member cluster of a dead process', { cluster: state.spec.name, owner: state.owner });
    reaped++;
  }
  return reaped;
}
