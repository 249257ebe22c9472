import { generateKeyPair, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubeBinaries } from './kube-binaries.js';
import { renderKubeconfig, type ClusterCredentials } from './kubeconfig.js';
import { defaultLogger, describeError, type HarnessLogger } from './logger.js';
import { NodeSimulator } from './node-simulator.js';
import { httpGetStatus } from './probes.js';
import {
  guardDirOnExit,
  guardProcessesOnExit,
  isProcessAlive,
  isProcessRunning,
  processState,
  signalProcess,
  spawnDetached,
  terminateProcess,
  unguardDir,
  unguardProcesses,
  waitForExit,
  type ProcessState,
} from './processes.js';
import type { MemberClusterSpec } from './topology.js';
import { waitUntil } from './wait.js';

/** Loopback ports of one member cluster. */
export interface ClusterPorts {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
}

/** Pids of a member cluster's processes (each the leader of its own process group). */
export interface ClusterPids {
  etcd?: number;
  apiserver?: number;
  controllerManager?: number;
}

/** Everything needed to find and control a running member cluster; saved as `<dir>/cluster.json`. */
export interface MemberClusterState {
  spec: MemberClusterSpec;
  /** Position in its set (picks the load-balancer address block). */
  index: number;
  dir: string;
  ports: ClusterPorts;
  binaries: KubeBinaries;
  adminToken: string;
  server: string;
  kubeconfigPath: string;
  pids: ClusterPids;
  /** Pid of the process that kills the cluster when it exits; absent for detached clusters (CLI). */
  owner?: number;
}

/** Start-up steps reported to `onProgress`. */
export type ClusterPhase = 'etcd' | 'apiserver' | 'controller-manager' | 'nodes' | 'ready';

/** One progress report of a starting cluster. */
export interface ClusterProgress {
  cluster: string;
  phase: ClusterPhase;
  /** Milliseconds since this cluster began starting. */
  elapsedMs: number;
}

/** Options of {@link MemberCluster.start}. */
export interface StartMemberClusterOptions {
  index: number;
  binaries: KubeBinaries;
  /** Empty folder for this cluster's data, certificates, logs and kubeconfig. */
  dir: string;
  ports: ClusterPorts;
  logger?: HarnessLogger;
  onProgress?: (progress: ClusterProgress) => void;
  /** Leave processes running when this process exits (CLI `up`). Default false: killed at exit. */
  detached?: boolean;
  /** Run the in-process node simulator. Default true. */
  simulate?: boolean;
  /** Whether simulated pods start Ready. Default true. */
  podsReady?: boolean;
  /** Limit for etcd and the API server to become ready. Default 120 s. */
  startTimeoutMs?: number;
}

/** Thrown when a cluster does not come up; `portInUse` tells the caller that new ports may help. */
export class ClusterStartError extends Error {
  constructor(
    message: string,
    readonly portInUse: boolean,
  ) {
    super(message);
    this.name = 'ClusterStartError';
  }
}

const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * One real member cluster: etcd, kube-apiserver and kube-controller-manager on loopback ports, plus
 * (in-process) a {@link NodeSimulator}. Clients reach it only through {@link kubeconfig} (token of a
 * `system:masters` user, TLS verified against the API server's self-signed certificate).
 */
export class MemberCluster {
  /** The in-process node simulator; undefined for clusters loaded from state (the CLI runs its own). */
  readonly simulator?: NodeSimulator;
  private readonly logger: HarnessLogger;
  private stopped = false;

  private constructor(
    private readonly state: MemberClusterState,
    /** PEM bundle of the API server's self-signed serving certificate and its CA. */
    readonly caPem: string,
    options: { logger?: HarnessLogger; simulator?: NodeSimulator },
  ) {
    this.logger = options.logger ?? defaultLogger();
    this.simulator = options.simulator;
  }

  /** Cluster name (also its kubeconfig cluster, user and context name). */
  get name(): string {
    return this.state.spec.name;
  }
  get region(): string {
    return this.state.spec.region;
  }
  get zones(): string[] {
    return [...this.state.spec.zones];
  }
  get spec(): MemberClusterSpec {
    return structuredClone(this.state.spec);
  }
  /** Position of the cluster in its set. */
  get index(): number {
    return this.state.index;
  }
  /** `https://127.0.0.1:<port>` */
  get server(): string {
    return this.state.server;
  }
  /** Base64 of {@link caPem}: kubeconfig `certificate-authority-data`. */
  get caData(): string {
    return Buffer.from(this.caPem).toString('base64');
  }
  /** Bearer token of the `system:masters` user `admin`. */
  get adminToken(): string {
    return this.state.adminToken;
  }
  /** The admin kubeconfig written in the cluster's folder. */
  get kubeconfigPath(): string {
    return this.state.kubeconfigPath;
  }
  /** Folder holding data, certificates, logs (`logs/*.log`) and `cluster.json`. */
  get dir(): string {
    return this.state.dir;
  }
  get ports(): ClusterPorts {
    return { ...this.state.ports };
  }
  get pids(): ClusterPids {
    return { ...this.state.pids };
  }
  /** A copy of the persisted state. */
  toState(): MemberClusterState {
    return structuredClone(this.state);
  }

  /** Server, CA data and token, e.g. to register the cluster with the federation. */
  credentials(): ClusterCredentials {
    return { name: this.name, server: this.server, caData: this.caData, token: this.adminToken };
  }

  /** Admin kubeconfig YAML with a cluster, user and context named after the cluster. */
  kubeconfig(): string {
    return renderKubeconfig([this.credentials()]);
  }

  /**
   * Starts etcd, then the API server (waits for `/readyz` = 200), then the controller manager, then the
   * node simulator (waits until the Nodes exist). On failure everything started is stopped and a
   * {@link ClusterStartError} carries the tail of the failing process's log.
   */
  static async start(spec: MemberClusterSpec, options: StartMemberClusterOptions): Promise<MemberCluster> {
    const began = Date.now();
    const logger = options.logger ?? defaultLogger();
    const progress = (phase: ClusterPhase) => options.onProgress?.({ cluster: spec.name, phase, elapsedMs: Date.now() - began });
    const dir = options.dir;
    const state: MemberClusterState = {
      spec: structuredClone(spec),
      index: options.index,
      dir,
      ports: options.ports,
      binaries: options.binaries,
      adminToken: randomBytes(24).toString('hex'),
      server: `https://127.0.0.1:${options.ports.apiserver}`,
      kubeconfigPath: join(dir, 'kubeconfig'),
      pids: {},
      ...(options.detached ? {} : { owner: process.pid }),
    };
    const timeoutMs = options.startTimeoutMs ?? 120_000;
    if (!options.detached) guardDirOnExit(dir);
    await prepareFolder(state);
    const starter = new ProcessStarter(state, logger, !options.detached);
    try {
      progress('etcd');
      await starter.startEtcd(timeoutMs);
      progress('apiserver');
      const caPem = await starter.startApiserver(timeoutMs);
      await writeFile(state.kubeconfigPath, renderKubeconfig([credentialsOf(state, caPem)]), { mode: 0o600 });
      if (state.binaries.controllerManager) {
        progress('controller-manager');
        await starter.startControllerManager();
      } else {
        logger('warn', 'no kube-controller-manager binary: Deployments will create no Pods', { cluster: spec.name });
      }
      let simulator: NodeSimulator | undefined;
      if (options.simulate ?? true) {
        progress('nodes');
        simulator = new NodeSimulator({
          spec,
          clusterIndex: options.index,
          kubeconfig: renderKubeconfig([credentialsOf(state, caPem)]),
          logger,
          podsReady: options.podsReady,
        });
        await simulator.start();
      }
      const cluster = new MemberCluster(state, caPem, { logger, simulator });
      progress('ready');
      logger('info', 'member cluster ready', { cluster: spec.name, server: state.server, elapsedMs: Date.now() - began });
      return cluster;
    } catch (error) {
      await starter.stopAll();
      await rm(dir, { recursive: true, force: true });
      unguardDir(dir);
      throw error;
    }
  }

  /**
   * A cluster started earlier (e.g. by `clusters up` in another process), from its `cluster.json`.
   * Faults and `stop()` work on it; it has no in-process simulator.
   */
  static async load(dir: string, options: { logger?: HarnessLogger } = {}): Promise<MemberCluster> {
    const state = JSON.parse(await readFile(join(dir, 'cluster.json'), 'utf8')) as MemberClusterState;
    // Missing when start-up was interrupted early; stop() still works then.
    const caPem = await readFile(join(state.dir, 'certs', 'apiserver.crt'), 'utf8').catch(() => '');
    return new MemberCluster(state, caPem, options);
  }

  /** Makes the simulated pods Ready (true) or not Ready (false): Endpoints refill or empty out. */
  async setPodsReady(ready: boolean): Promise<void> {
    await this.requireSimulator().setPodsReady(ready);
  }

  /** Sets how many pods the cluster runs; extra pods stay Pending (Unschedulable). */
  setCapacity(pods: number): void {
    this.requireSimulator().setCapacity(pods);
  }

  /** Freezes the API server (SIGSTOP): connections are accepted but never answered. */
  async hang(): Promise<void> {
    const pid = this.requireApiserverPid();
    signalProcess(pid, 'SIGSTOP');
    await waitUntil(() => processState(pid) === 'stopped', { timeoutMs: 5000, intervalMs: 20, description: 'SIGSTOP' });
    this.logger('info', 'api server hung (SIGSTOP)', { cluster: this.name, pid });
  }

  /** Continues a hung API server (SIGCONT). */
  async resume(): Promise<void> {
    const pid = this.requireApiserverPid();
    signalProcess(pid, 'SIGCONT');
    await waitUntil(() => processState(pid) !== 'stopped', { timeoutMs: 5000, intervalMs: 20, description: 'SIGCONT' });
    this.logger('info', 'api server resumed (SIGCONT)', { cluster: this.name, pid });
  }

  /** Kills the API server (SIGKILL): connections are refused until {@link restart}. */
  async kill(): Promise<void> {
    const pid = this.state.pids.apiserver;
    if (pid === undefined) return;
    signalProcess(pid, 'SIGKILL');
    await waitForExit(pid, 10_000);
    unguardProcesses([pid]);
    this.state.pids.apiserver = undefined;
    await this.saveState();
    this.logger('info', 'api server killed (SIGKILL)', { cluster: this.name, pid });
  }

  /**
   * Starts the API server again on the same port, certificates and etcd data (killing a running or
   * hung one first) and waits for `/readyz`.
   */
  async restart(options: { timeoutMs?: number } = {}): Promise<void> {
    await this.kill();
    const starter = new ProcessStarter(this.state, this.logger, this.state.owner !== undefined);
    await starter.startApiserver(options.timeoutMs ?? 120_000);
    this.logger('info', 'api server restarted', { cluster: this.name, pid: this.state.pids.apiserver });
  }

  /** True when `/readyz` answers 200 within `timeoutMs`. */
  async isReady(timeoutMs = 2000): Promise<boolean> {
    try {
      return (await httpGetStatus(`${this.server}/readyz`, { ca: this.caPem, token: this.adminToken, timeoutMs })) === 200;
    } catch {
      return false;
    }
  }

  /** Kernel state of each process (`stopped` = hung by SIGSTOP). */
  processStates(): Record<keyof ClusterPids, ProcessState> {
    const { binaries, pids } = this.state;
    const of = (pid: number | undefined, binary: string | undefined): ProcessState =>
      pid !== undefined && binary && isProcessRunning(pid, binary) ? processState(pid) : 'gone';
    return {
      etcd: of(pids.etcd, binaries.etcd),
      apiserver: of(pids.apiserver, binaries.apiserver),
      controllerManager: of(pids.controllerManager, binaries.controllerManager),
    };
  }

  /**
   * Stops the simulator and every process (SIGCONT, SIGTERM, SIGKILL after 5 s) and removes the
   * cluster's folder. Idempotent.
   */
  async stop(options: { keepDir?: boolean } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.simulator?.stop();
    await new ProcessStarter(this.state, this.logger, false).stopAll();
    if (!options.keepDir) await rm(this.state.dir, { recursive: true, force: true });
    unguardDir(this.state.dir);
    this.logger('info', 'member cluster stopped', { cluster: this.name });
  }

  private requireSimulator(): NodeSimulator {
    if (!this.simulator) throw new Error(`cluster ${this.name} has no in-process node simulator`);
    return this.simulator;
  }

  private requireApiserverPid(): number {
    const pid = this.state.pids.apiserver;
    if (pid === undefined || !isProcessAlive(pid)) throw new Error(`the API server of ${this.name} is not running`);
    return pid;
  }

  private saveState(): Promise<void> {
    return saveState(this.state);
  }
}

function credentialsOf(state: MemberClusterState, caPem: string): ClusterCredentials {
  return { name: state.spec.name, server: state.server, caData: Buffer.from(caPem).toString('base64'), token: state.adminToken };
}

async function saveState(state: MemberClusterState): Promise<void> {
  const file = join(state.dir, 'cluster.json');
  await writeFile(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}

async function prepareFolder(state: MemberClusterState): Promise<void> {
  const { dir } = state;
  await Promise.all([
    mkdir(join(dir, 'data'), { recursive: true, mode: 0o700 }),
    mkdir(join(dir, 'certs'), { recursive: true }),
    mkdir(join(dir, 'logs'), { recursive: true }),
  ]);
  const { publicKey, privateKey } = await generateKeyPairAsync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  await Promise.all([
    writeFile(join(dir, 'sa.key'), privateKey, { mode: 0o600 }),
    writeFile(join(dir, 'sa.pub'), publicKey),
    writeFile(join(dir, 'tokens.csv'), `${state.adminToken},admin,admin,system:masters\n`, { mode: 0o600 }),
  ]);
  await saveState(state);
}

/** Starts and stops the processes of one cluster, recording pids in its state file. */
class ProcessStarter {
  constructor(
    private readonly state: MemberClusterState,
    private readonly logger: HarnessLogger,
    /** Kill the processes when this process exits. */
    private readonly guard: boolean,
  ) {}

  private get dir(): string {
    return this.state.dir;
  }

  private logFile(name: string): string {
    return join(this.dir, 'logs', `${name}.log`);
  }

  async startEtcd(timeoutMs: number): Promise<void> {
    const { etcdClient, etcdPeer } = this.state.ports;
    const client = `http://127.0.0.1:${etcdClient}`;
    const peer = `http://127.0.0.1:${etcdPeer}`;
    const pid = await this.spawn('etcd', this.state.binaries.etcd, [
      `--data-dir=${join(this.dir, 'data', 'etcd')}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=default=${peer}`,
    ]);
    this.state.pids.etcd = pid;
    await saveState(this.state);
    await this.waitHealthy('etcd', pid, `${client}/health`, undefined, timeoutMs);
  }

  /** Starts (or restarts) the API server and resolves its CA bundle once `/readyz` answers 200. */
  async startApiserver(timeoutMs: number): Promise<string> {
    const { dir, ports } = this.state;
    const pid = await this.spawn('kube-apiserver', this.state.binaries.apiserver, [
      `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
      `--secure-port=${ports.apiserver}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--cert-dir=${join(dir, 'certs')}`,
      `--token-auth-file=${join(dir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc',
      `--service-account-key-file=${join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
      '--service-cluster-ip-range=10.0.0.0/24',
    ]);
    this.state.pids.apiserver = pid;
    await saveState(this.state);
    const certFile = join(dir, 'certs', 'apiserver.crt');
    let caPem: string | undefined;
    // Re-read each attempt: the API server writes the file shortly after it starts.
    await this.waitHealthy('kube-apiserver', pid, `${this.state.server}/readyz`, () => (caPem = readIfExists(certFile)), timeoutMs);
    return caPem!;
  }

  async startControllerManager(): Promise<void> {
    const { dir } = this.state;
    const pid = await this.spawn('kube-controller-manager', this.state.binaries.controllerManager!, [
      `--kubeconfig=${this.state.kubeconfigPath}`,
      `--service-account-private-key-file=${join(dir, 'sa.key')}`,
      `--root-ca-file=${join(dir, 'certs', 'apiserver.crt')}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      '--secure-port=0',
      '--port=0',
      '--controllers=*,-nodeipam,-nodelifecycle,-route,-service,-cloud-node-lifecycle,-attachdetach,-persistentvolume-binder,-persistentvolume-expander',
    ]);
    this.state.pids.controllerManager = pid;
    await saveState(this.state);
  }

  /** Stops controller manager, API server and etcd (in that order), whatever state they are in. */
  async stopAll(): Promise<void> {
    const { pids, binaries } = this.state;
    const order: Array<[keyof ClusterPids, string | undefined]> = [
      ['controllerManager', binaries.controllerManager],
      ['apiserver', binaries.apiserver],
      ['etcd', binaries.etcd],
    ];
    for (const [role, binary] of order) {
      const pid = pids[role];
      if (pid === undefined) continue;
      if (binary && isProcessRunning(pid, binary)) await terminateProcess(pid);
      unguardProcesses([pid]);
      pids[role] = undefined;
    }
    await saveState(this.state).catch(() => undefined);
  }

  private async spawn(name: string, binary: string, args: string[]): Promise<number> {
    const pid = await spawnDetached(binary, args, {
      logFile: this.logFile(name),
      cwd: this.dir,
      onExit: (code, signal) =>
        this.logger('debug', 'process exited', { cluster: this.state.spec.name, process: name, code, signal }),
    });
    if (this.guard) guardProcessesOnExit([pid]);
    this.logger('debug', 'process started', { cluster: this.state.spec.name, process: name, pid });
    return pid;
  }

  /**
   * Polls `url` every 100 ms until it answers 200. Fails at once if the process exits, with the tail of
   * its log; `ca` returns the CA bundle once it exists (undefined: not yet, keep waiting).
   */
  private async waitHealthy(
    name: string,
    pid: number,
    url: string,
    ca: (() => string | undefined) | undefined,
    timeoutMs: number,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError = 'no answer yet';
    for (;;) {
      if (!isProcessAlive(pid)) {
        const tail = logTail(this.logFile(name));
        throw new ClusterStartError(
          `${name} of cluster ${this.state.spec.name} exited during start-up; last log lines:\n${tail}`,
          /address already in use/i.test(tail),
        );
      }
      const caPem = ca?.();
      if (!ca || caPem) {
        try {
          const status = await httpGetStatus(url, { ca: caPem, token: this.state.adminToken, timeoutMs: 2000 });
          if (status === 200) return;
          lastError = `HTTP ${status}`;
        } catch (error) {
          lastError = describeError(error);
        }
      }
      if (Date.now() > deadline) {
        throw new ClusterStartError(
          `${name} of cluster ${this.state.spec.name} not ready after ${timeoutMs} ms (${lastError}); last log lines:\n${logTail(this.logFile(name))}`,
          false,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function readIfExists(file: string): string | undefined {
  try {
    const text = readFileSync(file, 'utf8');
    return text.includes('END CERTIFICATE') ? text : undefined;
  } catch {
    return undefined;
  }
}

function logTail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
