import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { KubeBinaries } from './kube-binaries.js';
import { renderKubeconfig } from './kubeconfig.js';
import { defaultLogger, type HarnessLogger } from './logger.js';
import { MemberCluster, type ClusterProgress } from './member-cluster.js';
import { startMemberClusters } from './member-clusters.js';
import { NodeSimulator } from './node-simulator.js';
import { httpGetStatus } from './probes.js';
import { isProcessRunning, spawnDetached, terminateProcess } from './processes.js';
import { nodeName } from './simulated-objects.js';
import type { MemberClusterSpec } from './topology.js';
import { waitUntil } from './wait.js';

/*
 * Clusters that outlive the process that started them (`npm run clusters -- up 3`): their folders and a
 * `state.json` live in a state folder, and one detached simulator process serves all of them.
 */

/** Contents of `<stateDir>/state.json`. */
export interface DetachedClustersState {
  createdAt: string;
  /** Cluster folders (each holds its `cluster.json`), in start order. */
  clusterDirs: string[];
  /** Kubeconfig with one context per cluster. */
  kubeconfigPath: string;
  simulator?: { pid: number; command: string[]; logFile: string };
}

/** The state folder of the clusters CLI: `${UBERNETES_STATE_DIR:-.ubernetes}/clusters`, absolute. */
export function detachedStateDir(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  return resolve(cwd, env.UBERNETES_STATE_DIR || '.ubernetes', 'clusters');
}

/** Options of {@link startDetachedClusters}. */
export interface StartDetachedClustersOptions {
  stateDir: string;
  /**
   * Command (argv) of a process that calls {@link runDetachedSimulators} for `stateDir`; it is started
   * detached with its output in `<stateDir>/simulator.log`.
   */
  simulatorCommand: string[];
  logger?: HarnessLogger;
  onProgress?: (progress: ClusterProgress) => void;
  onBuildProgress?: (line: string) => void;
  binaries?: KubeBinaries;
  /** Limit for the simulator to create every cluster's Nodes. Default 60 s. */
  nodesTimeoutMs?: number;
}

/** A started set of detached clusters. */
export interface DetachedClusters {
  state: DetachedClustersState;
  clusters: MemberCluster[];
}

/**
 * Starts member clusters whose processes outlive this one, writes the state and a merged kubeconfig,
 * starts the detached simulator and waits until every cluster has its Nodes. Refuses to start while
 * clusters recorded in `stateDir` still run; stale state of dead clusters is cleared.
 */
export async function startDetachedClusters(
  specs: MemberClusterSpec[],
  options: StartDetachedClustersOptions,
): Promise<DetachedClusters> {
  const { stateDir } = options;
  const logger = options.logger ?? defaultLogger();
  const existing = await loadDetachedClusters(stateDir).catch(() => undefined);
  if (existing) {
    const running = existing.clusters.filter((c) => Object.values(c.processStates()).some((s) => s !== 'gone'));
    if (running.length > 0) {
      throw new Error(`member clusters are already up in ${stateDir} (${running.map((c) => c.name).join(', ')}); run "down" first`);
    }
  }
  await stopDetachedClusters(stateDir, logger);
  await mkdir(stateDir, { recursive: true });

  const set = await startMemberClusters(specs, {
    rootDir: stateDir,
    detached: true,
    simulate: false,
    logger,
    onProgress: options.onProgress,
    onBuildProgress: options.onBuildProgress,
    binaries: options.binaries,
  });
  const state: DetachedClustersState = {
    createdAt: new Date().toISOString(),
    clusterDirs: set.clusters.map((c) => c.dir),
    kubeconfigPath: join(stateDir, 'kubeconfig'),
  };
  try {
    await writeFile(state.kubeconfigPath, set.kubeconfig(), { mode: 0o600 });
    await saveState(stateDir, state);
    const [command, ...args] = options.simulatorCommand;
    const logFile = join(stateDir, 'simulator.log');
    const pid = await spawnDetached(command, args, { logFile });
    state.simulator = { pid, command: options.simulatorCommand, logFile };
    await saveState(stateDir, state);
    await Promise.all(set.clusters.map((c) => waitForNodes(c, options.nodesTimeoutMs ?? 60_000)));
  } catch (error) {
    await stopDetachedClusters(stateDir, logger);
    throw error;
  }
  return { state, clusters: set.clusters };
}

/** Reads `<stateDir>/state.json` and the clusters it lists; rejects when there is no state. */
export async function loadDetachedClusters(stateDir: string, logger?: HarnessLogger): Promise<DetachedClusters> {
  const state = JSON.parse(await readFile(join(stateDir, 'state.json'), 'utf8')) as DetachedClustersState;
  const clusters = await Promise.all(state.clusterDirs.map((dir) => MemberCluster.load(dir, { logger })));
  return { state, clusters };
}

/**
 * Stops the simulator and every cluster recorded in `stateDir` and removes the folder. Resolves the
 * names of the clusters it stopped (empty when nothing was up).
 */
export async function stopDetachedClusters(stateDir: string, logger: HarnessLogger = defaultLogger()): Promise<string[]> {
  const loaded = await loadDetachedClusters(stateDir, logger).catch(() => undefined);
  const simulator = loaded?.state.simulator;
  if (simulator && isProcessRunning(simulator.pid, simulator.command[0])) await terminateProcess(simulator.pid);
  // Every cluster folder counts, listed or not: `up` may have been interrupted before writing state.json.
  const entries = await readdir(stateDir, { withFileTypes: true }).catch(() => []);
  const loadedClusters = await Promise.all(
    entries
      .filter((e) => e.isDirectory())
      .map((e) => MemberCluster.load(join(stateDir, e.name), { logger }).catch(() => undefined)),
  );
  const clusters = loadedClusters.filter((c): c is MemberCluster => c !== undefined);
  await Promise.all(clusters.map((c) => c.stop()));
  await rm(stateDir, { recursive: true, force: true });
  return clusters.map((c) => c.name);
}

/**
 * Runs one {@link NodeSimulator} per cluster of `stateDir` until `signal` aborts (the body of the
 * detached simulator process). Clusters that are down are retried in the background.
 */
export async function runDetachedSimulators(stateDir: string, signal: AbortSignal, logger: HarnessLogger = defaultLogger()): Promise<void> {
  const { clusters } = await loadDetachedClusters(stateDir, logger);
  const simulators = clusters.map(
    (c) => new NodeSimulator({ spec: c.spec, clusterIndex: c.index, kubeconfig: c.kubeconfig(), logger }),
  );
  for (const simulator of simulators) {
    void simulator.start().then(() => logger('info', 'simulating nodes', { cluster: simulator.name }));
  }
  await new Promise<void>((resolveStop) => {
    if (signal.aborted) resolveStop();
    signal.addEventListener('abort', () => resolveStop(), { once: true });
  });
  await Promise.all(simulators.map((s) => s.stop()));
}

async function waitForNodes(cluster: MemberCluster, timeoutMs: number): Promise<void> {
  for (const zone of cluster.zones) {
    await waitUntil(
      async () =>
        (await httpGetStatus(`${cluster.server}/api/v1/nodes/${nodeName(cluster.name, zone)}`, {
          ca: cluster.caPem,
          token: cluster.adminToken,
          timeoutMs: 2000,
        })) === 200,
      { timeoutMs, intervalMs: 200, description: `node of ${cluster.name} in ${zone} (see simulator.log)` },
    );
  }
}

async function saveState(stateDir: string, state: DetachedClustersState): Promise<void> {
  const file = join(stateDir, 'state.json');
  await writeFile(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

/** The merged kubeconfig of the given clusters (used by `up` and for re-rendering). */
export function mergedKubeconfig(clusters: MemberCluster[]): string {
  return renderKubeconfig(clusters.map((c) => c.credentials()));
}
