import { CoreV1Api, PatchStrategy, Watch } from '@kubernetes/client-node';
import type { KubernetesObject, V1Pod, V1Service } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { httpStatusOf, kubeConfigFromString, kubeRequestOptions } from './kube-client.js';
import { defaultLogger, describeError, type HarnessLogger } from './logger.js';
import {
  AddressPool,
  hasIngress,
  isMarkedUnschedulable,
  loadBalancerHostname,
  needsRunningStatus,
  nodeName,
  occupiesCapacity,
  runningStatusPatch,
  simulatedNode,
  unschedulableStatusPatch,
} from './simulated-objects.js';
import type { LoadBalancerMode, MemberClusterSpec } from './topology.js';

/** Options of {@link NodeSimulator}. */
export interface NodeSimulatorOptions {
  spec: MemberClusterSpec;
  /** Position of the cluster in its set; picks the load-balancer block 127.66.<index + 1>.0/24. */
  clusterIndex: number;
  /** Admin kubeconfig (YAML) of the cluster. */
  kubeconfig: string;
  logger?: HarnessLogger;
  /** Whether pods start Ready. Default true. */
  podsReady?: boolean;
  /** Timeout of each API request. Default 10 s. */
  requestTimeoutMs?: number;
  /** Pods and services reconciled at the same time. Default 8. */
  concurrency?: number;
}

const MIN_BACKOFF_MS = 200;
const MAX_BACKOFF_MS = 2000;
/** The API server ends a watch after this long; the simulator then watches again from where it was. */
const WATCH_TIMEOUT_SECONDS = 300;

/**
 * Plays kubelet, scheduler and cloud load balancer for one member cluster (what KWOK does):
 * - creates one Ready Node per zone, labelled with the zone and region;
 * - binds each unbound Pod to the least-loaded Node and reports it Running with a 10.244.X.Y IP and
 *   Ready/ContainersReady = {@link setPodsReady}; beyond the pod capacity, pods stay Pending with
 *   `PodScheduled=False, reason=Unschedulable` until capacity frees up;
 * - finishes graceful deletion of bound pods (a kubelet's job), so scale-down and rollouts complete;
 * - gives every Service of type LoadBalancer an ingress IP (127.66.N.M) or hostname.
 *
 * It list-watches Pods and Services; on any watch or request error it logs at debug, backs off
 * (200 ms doubling to 2 s) and re-lists, so it rides out a hung, killed or restarted API server.
 */
export class NodeSimulator {
  /** Cluster name. */
  readonly name: string;
  private readonly spec: MemberClusterSpec;
  private readonly clusterIndex: number;
  private readonly api: CoreV1Api;
  private readonly watch: Watch;
  private readonly logger: HarnessLogger;
  private readonly requestTimeoutMs: number;
  private readonly concurrency: number;
  private readonly lbMode: LoadBalancerMode;
  private capacity: number;
  private podsReady: boolean;

  private readonly pods = new Map<string, V1Pod>();
  private readonly services = new Map<string, V1Service>();
  /** Pods being bound right now, by key, with their target node. */
  private readonly bindings = new Map<string, string>();
  private readonly podIps = AddressPool.podIps();
  private readonly lbIps: AddressPool;
  /** Addresses handed out but maybe not yet visible on the object, by object uid. */
  private readonly addressByUid = new Map<string, string>();

  private readonly dirty = new Set<string>();
  private readonly inFlight = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  private idleWaiters: Array<() => void> = [];

  private readonly stopping = new AbortController();
  private readonly watches = new Set<AbortController>();
  private loops: Array<Promise<void>> = [];
  private started: Promise<void> | undefined;

  constructor(options: NodeSimulatorOptions) {
    this.spec = options.spec;
    this.name = options.spec.name;
    const config = kubeConfigFromString(options.kubeconfig);
    this.api = config.makeApiClient(CoreV1Api);
    this.watch = new Watch(config);
    this.logger = options.logger ?? defaultLogger();
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.concurrency = options.concurrency ?? 8;
    this.lbMode = options.spec.loadBalancer ?? 'ip';
    this.capacity = options.spec.podCapacity ?? Number.POSITIVE_INFINITY;
    this.podsReady = options.podsReady ?? true;
    this.clusterIndex = options.clusterIndex;
    this.lbIps = AddressPool.loadBalancerIps(options.clusterIndex);
  }

  /**
   * Starts the Nodes and the list-watch loops. Resolves once the Nodes exist and Pods and Services were
   * listed once (so a cluster handed to a test already has its Nodes); keeps retrying while the API
   * server is unreachable. Calling it twice returns the same promise.
   */
  start(): Promise<void> {
    this.started ??= this.run();
    return this.started;
  }

  private async run(): Promise<void> {
    let podsListed!: () => void;
    let servicesListed!: () => void;
    const podsReady = new Promise<void>((resolve) => (podsListed = resolve));
    const servicesReady = new Promise<void>((resolve) => (servicesListed = resolve));
    this.loops = [
      this.listWatch('pods', '/api/v1/pods', () => this.syncPods(), (type, pod) => this.onPodEvent(type, pod as V1Pod), podsListed),
      this.listWatch(
        'services',
        '/api/v1/services',
        () => this.syncServices(),
        (type, service) => this.onServiceEvent(type, service as V1Service),
        servicesListed,
      ),
    ];
    const stopped = new Promise<void>((resolve) => this.stopping.signal.addEventListener('abort', () => resolve()));
    await Promise.race([Promise.all([podsReady, servicesReady]), stopped]);
  }

  /** Stops watching and reconciling; in-flight requests are aborted. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    this.stopping.abort();
    for (const controller of this.watches) controller.abort();
    this.watches.clear();
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    this.retryTimers.clear();
    this.dirty.clear();
    await Promise.allSettled(this.loops);
    await this.whenIdle();
  }

  /**
   * Flips Ready/ContainersReady of every running pod (Endpoints empty out or refill) and of pods
   * created from now on. Resolves once every pod was attempted (a failed patch is retried later).
   */
  setPodsReady(ready: boolean): Promise<void> {
    this.podsReady = ready;
    for (const [key, pod] of this.pods) if (occupiesCapacity(pod)) this.enqueue(`pod:${key}`);
    return this.whenIdle();
  }

  /**
   * Sets how many pods the cluster runs. Raising it schedules waiting pods at once; lowering it leaves
   * running pods alone (as a real cluster would) and only keeps new pods Pending.
   */
  setCapacity(pods: number): void {
    if (!Number.isInteger(pods) || pods < 0) throw new RangeError(`capacity must be a non-negative integer, got ${pods}`);
    this.capacity = pods;
    this.enqueuePending();
  }

  /** Resolves when no reconcile is queued or running (retries waiting on a backoff do not count). */
  whenIdle(): Promise<void> {
    if (this.dirty.size === 0 && this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  // ---- list-watch ----

  /**
   * List, then watch from the listed resource version; a watch that ends normally (server timeout, or
   * the client's 30 s inactivity limit) resumes from the last seen version. Re-lists after an expired
   * version (410) or a connection error, backing off while the API server is unreachable.
   */
  private async listWatch(
    what: string,
    path: string,
    list: () => Promise<string | undefined>,
    onEvent: (type: string, object: KubernetesObject) => void,
    onFirstSync: () => void,
  ): Promise<void> {
    let backoff = MIN_BACKOFF_MS;
    let healthy = true;
    while (!this.stopping.signal.aborted) {
      try {
        let resourceVersion = await list();
        if (!healthy) this.logger('info', 'member cluster reachable again', { cluster: this.name, resource: what });
        healthy = true;
        backoff = MIN_BACKOFF_MS;
        onFirstSync();
        for (;;) {
          const began = Date.now();
          const outcome = await this.watchUntilClosed(path, resourceVersion, (type, object) => {
            resourceVersion = object.metadata?.resourceVersion ?? resourceVersion;
            if (type !== 'BOOKMARK') onEvent(type, object);
          });
          if (this.stopping.signal.aborted) return;
          // A watch that closes at once repeatedly is no watch: re-list (with back-off below) instead.
          if (outcome === 'expired' || Date.now() - began < 1000) break;
        }
        await sleep(backoff, undefined, { signal: this.stopping.signal }).catch(() => undefined);
      } catch (error) {
        if (this.stopping.signal.aborted) break;
        if (healthy) this.logger('debug', 'list-watch failed; retrying', { cluster: this.name, resource: what, error: describeError(error) });
        healthy = false;
        await sleep(backoff, undefined, { signal: this.stopping.signal }).catch(() => undefined);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  /**
   * One watch request. Resolves `closed` when it ends normally or idles out, `expired` when the API
   * server reports an error event (e.g. 410 Gone: re-list); rejects on connection errors.
   */
  private watchUntilClosed(
    path: string,
    resourceVersion: string | undefined,
    onEvent: (type: string, object: KubernetesObject) => void,
  ): Promise<'closed' | 'expired'> {
    return new Promise((resolve, reject) => {
      let settled = false;
      let controller: AbortController | undefined;
      const finish = (outcome: 'closed' | 'expired' | Error) => {
        if (settled) return;
        settled = true;
        if (controller) this.watches.delete(controller);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      this.watch
        .watch(
          path,
          { resourceVersion, allowWatchBookmarks: true, timeoutSeconds: WATCH_TIMEOUT_SECONDS },
          (type, object) => {
            if (settled) return;
            if (type === 'ERROR') {
              this.logger('debug', 'watch error event; re-listing', { cluster: this.name, path, status: object });
              controller?.abort();
              finish('expired');
            } else {
              onEvent(type, object as KubernetesObject);
            }
          },
          (error) => {
            if (!error || (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError') finish('closed');
            else finish(error instanceof Error ? error : new Error(String(error)));
          },
        )
        .then((c) => {
          controller = c;
          if (settled || this.stopping.signal.aborted) c.abort();
          else this.watches.add(c);
        }, (error) => finish(error instanceof Error ? error : new Error(String(error))));
    });
  }

  private requestOptions(patch?: PatchStrategy) {
    return kubeRequestOptions({ timeoutMs: this.requestTimeoutMs, signal: this.stopping.signal, patch });
  }

  // ---- nodes ----

  private async ensureNodes(): Promise<void> {
    await Promise.all(
      this.spec.zones.map(async (_zone, zoneIndex) => {
        const node = simulatedNode(this.spec, this.clusterIndex, zoneIndex, new Date());
        try {
          await this.api.createNode({ body: node }, this.requestOptions());
          this.logger('debug', 'created node', { cluster: this.name, node: node.metadata?.name });
        } catch (error) {
          if (httpStatusOf(error) !== 409) throw error;
        }
        // Creation may drop status fields; the status subresource takes them.
        await this.api.patchNodeStatus(
          { name: node.metadata!.name!, body: { status: node.status } },
          this.requestOptions(PatchStrategy.MergePatch),
        );
      }),
    );
  }

  // ---- pods ----

  private async syncPods(): Promise<string | undefined> {
    await this.ensureNodes();
    const list = await this.api.listPodForAllNamespaces({}, this.requestOptions());
    this.pods.clear();
    const inUse: string[] = [];
    const listedUids = new Set<string>();
    for (const pod of list.items) {
      this.pods.set(keyOf(pod), pod);
      const uid = pod.metadata?.uid ?? '';
      listedUids.add(uid);
      const ip = pod.status?.podIP ?? this.addressByUid.get(uid);
      if (ip) inUse.push(ip);
    }
    for (const uid of this.addressByUid.keys()) {
      if (!listedUids.has(uid) && !this.isServiceUid(uid)) this.addressByUid.delete(uid);
    }
    this.podIps.reset(inUse);
    for (const pod of sortByCreation(list.items)) this.enqueue(`pod:${keyOf(pod)}`);
    return list.metadata?.resourceVersion;
  }

  private onPodEvent(type: string, pod: V1Pod): void {
    const key = keyOf(pod);
    const previous = this.pods.get(key);
    if (type === 'DELETED') {
      this.pods.delete(key);
      this.releaseAddress(pod.metadata?.uid, pod.status?.podIP, this.podIps);
      if (occupiesCapacity(pod) || (previous && occupiesCapacity(previous))) this.enqueuePending();
      return;
    }
    this.pods.set(key, pod);
    this.enqueue(`pod:${key}`);
    if (previous && occupiesCapacity(previous) && !occupiesCapacity(pod)) this.enqueuePending();
  }

  private enqueuePending(): void {
    const pending = [...this.pods.values()].filter((p) => !p.spec?.nodeName && !p.metadata?.deletionTimestamp);
    for (const pod of sortByCreation(pending)) this.enqueue(`pod:${keyOf(pod)}`);
  }

  private occupied(): number {
    let count = this.bindings.size;
    for (const pod of this.pods.values()) if (occupiesCapacity(pod)) count++;
    return count;
  }

  /** The zone node with the fewest pods (bound or being bound), so pods spread over zones. */
  private pickNode(): string {
    const load = new Map(this.spec.zones.map((zone) => [nodeName(this.name, zone), 0]));
    for (const pod of this.pods.values()) {
      const node = pod.spec?.nodeName;
      if (node && load.has(node) && occupiesCapacity(pod)) load.set(node, load.get(node)! + 1);
    }
    for (const node of this.bindings.values()) load.set(node, (load.get(node) ?? 0) + 1);
    return [...load.entries()].sort((a, b) => a[1] - b[1])[0][0];
  }

  private hostIp(node: string): string {
    const zoneIndex = this.spec.zones.findIndex((zone) => nodeName(this.name, zone) === node);
    return `10.243.${this.clusterIndex % 256}.${zoneIndex >= 0 ? zoneIndex + 1 : 250}`;
  }

  private async reconcilePod(key: string): Promise<void> {
    const pod = this.pods.get(key);
    if (!pod?.metadata?.name || !pod.metadata.namespace) return;
    const { name, namespace, uid } = pod.metadata;

    if (pod.metadata.deletionTimestamp) {
      // No kubelet confirms the graceful deletion of a bound pod: finish it, as a kubelet would.
      if (pod.spec?.nodeName) {
        await ignoreStatus([404, 409], () =>
          this.api.deleteNamespacedPod(
            { name, namespace, gracePeriodSeconds: 0, body: { gracePeriodSeconds: 0, preconditions: { uid } } },
            this.requestOptions(),
          ),
        );
      }
      return;
    }
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;

    let node = pod.spec?.nodeName;
    if (!node) {
      // Decide and reserve before the first await: reconciles run concurrently.
      if (this.occupied() >= this.capacity) {
        if (!isMarkedUnschedulable(pod)) {
          await ignoreStatus([404], () =>
            this.api.patchNamespacedPodStatus(
              { name, namespace, body: unschedulableStatusPatch(this.capacity, new Date()) },
              this.requestOptions(PatchStrategy.MergePatch),
            ),
          );
          this.logger('debug', 'pod unschedulable: capacity reached', { cluster: this.name, pod: key, capacity: this.capacity });
        }
        return;
      }
      node = this.pickNode();
      this.bindings.set(key, node);
      try {
        const bound = await ignoreStatus([404, 409], () =>
          this.api.createNamespacedPodBinding(
            {
              name,
              namespace,
              body: {
                apiVersion: 'v1',
                kind: 'Binding',
                metadata: { name, namespace, uid },
                target: { apiVersion: 'v1', kind: 'Node', name: node },
              },
            },
            this.requestOptions(),
          ),
        );
        // 404: gone. 409: bound meanwhile (e.g. a retried request); the watch brings its node.
        if (!bound) return;
      } finally {
        this.bindings.delete(key);
      }
      const current = this.pods.get(key);
      if (current && current.metadata?.uid === uid && !current.spec?.nodeName) {
        this.pods.set(key, { ...current, spec: { ...current.spec!, nodeName: node } });
      }
    }

    const latest = this.pods.get(key);
    if (!latest || latest.metadata?.uid !== uid || !needsRunningStatus(latest, this.podsReady)) return;
    const podIP = latest.status?.podIP ?? this.addressFor(uid!, this.podIps);
    const body = runningStatusPatch(latest, { podIP, hostIP: this.hostIp(node), ready: this.podsReady, now: new Date() });
    await ignoreStatus([404], () =>
      this.api.patchNamespacedPodStatus({ name, namespace, body }, this.requestOptions(PatchStrategy.MergePatch)),
    );
  }

  // ---- services ----

  private async syncServices(): Promise<string | undefined> {
    const list = await this.api.listServiceForAllNamespaces({}, this.requestOptions());
    this.services.clear();
    const inUse: string[] = [];
    for (const service of list.items) {
      this.services.set(keyOf(service), service);
      for (const ingress of service.status?.loadBalancer?.ingress ?? []) if (ingress.ip) inUse.push(ingress.ip);
      const pending = this.addressByUid.get(service.metadata?.uid ?? '');
      if (pending) inUse.push(pending);
    }
    this.lbIps.reset(inUse);
    for (const service of list.items) this.enqueue(`svc:${keyOf(service)}`);
    return list.metadata?.resourceVersion;
  }

  private onServiceEvent(type: string, service: V1Service): void {
    const key = keyOf(service);
    if (type === 'DELETED' || service.spec?.type !== 'LoadBalancer') {
      const ip = service.status?.loadBalancer?.ingress?.[0]?.ip;
      this.releaseAddress(service.metadata?.uid, ip, this.lbIps);
    }
    if (type === 'DELETED') {
      this.services.delete(key);
      return;
    }
    this.services.set(key, service);
    this.enqueue(`svc:${key}`);
  }

  private isServiceUid(uid: string): boolean {
    for (const service of this.services.values()) if (service.metadata?.uid === uid) return true;
    return false;
  }

  private async reconcileService(key: string): Promise<void> {
    const service = this.services.get(key);
    if (!service?.metadata?.name || !service.metadata.namespace) return;
    if (service.spec?.type !== 'LoadBalancer' || service.metadata.deletionTimestamp) return;
    if (hasIngress(service, this.lbMode)) return;
    const ingress =
      this.lbMode === 'ip'
        ? [{ ip: this.addressFor(service.metadata.uid!, this.lbIps) }]
        : [{ hostname: loadBalancerHostname(this.name, service) }];
    await ignoreStatus([404], () =>
      this.api.patchNamespacedServiceStatus(
        { name: service.metadata!.name!, namespace: service.metadata!.namespace!, body: { status: { loadBalancer: { ingress } } } },
        this.requestOptions(PatchStrategy.MergePatch),
      ),
    );
    this.logger('debug', 'load balancer provisioned', { cluster: this.name, service: key, ingress });
  }

  // ---- addresses ----

  private addressFor(uid: string, pool: AddressPool): string {
    let address = this.addressByUid.get(uid);
    if (!address) {
      address = pool.allocate();
      this.addressByUid.set(uid, address);
    }
    return address;
  }

  private releaseAddress(uid: string | undefined, visible: string | undefined, pool: AddressPool): void {
    const held = uid ? this.addressByUid.get(uid) : undefined;
    if (uid) this.addressByUid.delete(uid);
    for (const address of new Set([held, visible])) if (address) pool.release(address);
  }

  // ---- work queue ----

  private enqueue(key: string): void {
    if (this.stopping.signal.aborted) return;
    this.dirty.add(key);
    this.pump();
  }

  private pump(): void {
    for (const key of this.dirty) {
      if (this.inFlight.size >= this.concurrency) break;
      if (this.inFlight.has(key)) continue;
      this.dirty.delete(key);
      this.inFlight.add(key);
      this.process(key).finally(() => {
        this.inFlight.delete(key);
        this.pump();
        if (this.dirty.size === 0 && this.inFlight.size === 0) {
          const waiters = this.idleWaiters;
          this.idleWaiters = [];
          for (const resolve of waiters) resolve();
        }
      });
    }
  }

  private async process(key: string): Promise<void> {
    try {
      if (key.startsWith('pod:')) await this.reconcilePod(key.slice(4));
      else await this.reconcileService(key.slice(4));
      this.failures.delete(key);
    } catch (error) {
      if (this.stopping.signal.aborted) return;
      const attempt = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, attempt);
      const delay = Math.min(MIN_BACKOFF_MS * 2 ** (attempt - 1), MAX_BACKOFF_MS * 2);
      this.logger('debug', 'reconcile failed; retrying', { cluster: this.name, key, attempt, delayMs: delay, error: describeError(error) });
      clearTimeout(this.retryTimers.get(key));
      const timer = setTimeout(() => {
        this.retryTimers.delete(key);
        this.enqueue(key);
      }, delay);
      timer.unref();
      this.retryTimers.set(key, timer);
    }
  }
}

function keyOf(object: KubernetesObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

function sortByCreation<T extends KubernetesObject>(objects: T[]): T[] {
  const time = (o: T) => new Date(o.metadata?.creationTimestamp ?? 0).getTime();
  return [...objects].sort((a, b) => time(a) - time(b) || keyOf(a).localeCompare(keyOf(b)));
}

/** Runs `call`: true when it succeeded, false when the API answered one of `statuses`; throws otherwise. */
async function ignoreStatus(statuses: number[], call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (error) {
    const status = httpStatusOf(error);
    if (status !== undefined && statuses.includes(status)) return false;
    throw error;
  }
}
