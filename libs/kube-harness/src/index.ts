/**
 * Member-cluster harness: real Kubernetes API servers (etcd + kube-apiserver + kube-controller-manager)
 * on loopback ports with a node simulator, for integration tests, benchmarks and the local demo.
 */
export { ensureKubeBinaries, kubeBinariesCacheDir, kubeBuildScriptPath, KUBE_VERSION } from './kube-binaries.js';
export type { EnsureKubeBinariesOptions, KubeBinaries } from './kube-binaries.js';
export { defaultTopology, validateSpecs } from './topology.js';
export type { DefaultTopologyOptions, LoadBalancerMode, MemberClusterSpec } from './topology.js';
export { MemberCluster, ClusterStartError } from './member-cluster.js';
export type {
  ClusterPhase,
  ClusterPids,
  ClusterPorts,
  ClusterProgress,
  MemberClusterState,
  StartMemberClusterOptions,
} from './member-cluster.js';
export {
  MemberClusterSet,
  defaultHarnessRoot,
  reapOrphanedClusters,
  startMemberClusters,
  stopAllMemberClusters,
} from './member-clusters.js';
export type { StartMemberClustersOptions } from './member-clusters.js';
export { NodeSimulator } from './node-simulator.js';
export type { NodeSimulatorOptions } from './node-simulator.js';
export { renderKubeconfig } from './kubeconfig.js';
export type { ClusterCredentials } from './kubeconfig.js';
export { kubeConfigFromString, kubeRequestOptions, httpStatusOf } from './kube-client.js';
export type { KubeRequestOptions } from './kube-client.js';
export { defaultLogger, describeError, silentLogger, stderrLogger } from './logger.js';
export type { HarnessLogLevel, HarnessLogger } from './logger.js';
export { isProcessAlive, processState, terminateProcess } from './processes.js';
export type { ProcessState } from './processes.js';
export { waitUntil } from './wait.js';
export type { WaitUntilOptions } from './wait.js';
export {
  detachedStateDir,
  loadDetachedClusters,
  mergedKubeconfig,
  runDetachedSimulators,
  startDetachedClusters,
  stopDetachedClusters,
} from './detached-clusters.js';
export type { DetachedClusters, DetachedClustersState, StartDetachedClustersOptions } from './detached-clusters.js';
