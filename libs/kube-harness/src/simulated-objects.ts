import type { V1Node, V1Pod, V1PodCondition, V1PodStatus, V1Service } from '@kubernetes/client-node';
import type { LoadBalancerMode, MemberClusterSpec } from './topology.js';

/*
 * Pure builders for what the node simulator writes: Nodes, pod statuses, load-balancer ingress, and the
 * address pools behind them. No I/O and no clock (callers pass `now`).
 */

/** Kubelet version the simulated Nodes report (matches the API server's version). */
export const SIMULATED_KUBELET_VERSION = 'v1.20.2';

/** Pods a simulated Node advertises when the cluster has no capacity limit. */
const DEFAULT_NODE_PODS = 110;

/** Name of the simulated Node of `zone` in `cluster`. */
export function nodeName(cluster: string, zone: string): string {
  return `${cluster}-${zone}`;
}

/**
 * The simulated Node of one zone: zone/region labels in both the GA (`topology.kubernetes.io/*`) and
 * the deprecated (`failure-domain.beta.kubernetes.io/*`) form, a Ready condition and an InternalIP
 * `10.243.<clusterIndex mod 256>.<zoneIndex + 1>`. Pod capacity is the cluster's capacity spread over its
 * zones (rounded up), 110 when unlimited.
 */
export function simulatedNode(spec: MemberClusterSpec, clusterIndex: number, zoneIndex: number, now: Date): V1Node {
  const zone = spec.zones[zoneIndex];
  const name = nodeName(spec.name, zone);
  const pods =
    spec.podCapacity === undefined ? DEFAULT_NODE_PODS : Math.ceil(spec.podCapacity / spec.zones.length);
  const resources = { cpu: '8', memory: '32Gi', pods: String(pods), 'ephemeral-storage': '100Gi' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node.kubernetes.io/instance-type': 'simulated',
        'topology.kubernetes.io/region': spec.region,
        'topology.kubernetes.io/zone': zone,
        'failure-domain.beta.kubernetes.io/region': spec.region,
        'failure-domain.beta.kubernetes.io/zone': zone,
        'ubernetes.io/simulated-node': 'true',
      },
    },
    spec: {},
    status: {
      capacity: resources,
      allocatable: resources,
      addresses: [
        { type: 'InternalIP', address: `10.243.${clusterIndex % 256}.${zoneIndex + 1}` },
        { type: 'Hostname', address: name },
      ],
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'simulated by the ubernetes member-cluster harness',
          lastHeartbeatTime: now,
          lastTransitionTime: now,
        },
      ],
      nodeInfo: {
        architecture: 'amd64',
        bootID: '',
        containerRuntimeVersion: 'simulated://1.0',
        kernelVersion: '',
        kubeProxyVersion: SIMULATED_KUBELET_VERSION,
        kubeletVersion: SIMULATED_KUBELET_VERSION,
        machineID: '',
        operatingSystem: 'linux',
        osImage: 'simulated',
        systemUUID: '',
      },
    },
  };
}

/** The value of condition `type` on a pod (`True`/`False`/`Unknown`), undefined when absent. */
export function podCondition(pod: V1Pod, type: string): string | undefined {
  return pod.status?.conditions?.find((c) => c.type === type)?.status;
}

/** True for a pod that is bound to a node and still occupies capacity (not finished, not deleting). */
export function occupiesCapacity(pod: V1Pod): boolean {
  const phase = pod.status?.phase;
  return Boolean(pod.spec?.nodeName) && !pod.metadata?.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
}

/** True when a bound pod's status differs from "Running, with an IP, Ready = `ready`". */
export function needsRunningStatus(pod: V1Pod, ready: boolean): boolean {
  const want = ready ? 'True' : 'False';
  return (
    pod.status?.phase !== 'Running' ||
    !pod.status?.podIP ||
    podCondition(pod, 'PodScheduled') !== 'True' ||
    podCondition(pod, 'Ready') !== want ||
    podCondition(pod, 'ContainersReady') !== want
  );
}

/** True when an unbound pod already says it is Unschedulable. */
export function isMarkedUnschedulable(pod: V1Pod): boolean {
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  return scheduled?.status === 'False' && scheduled.reason === 'Unschedulable';
}

/**
 * Merge-patch body making a bound pod Running with `podIP` on the node with `hostIP`: conditions
 * Initialized/PodScheduled True, Ready/ContainersReady = `ready`, and one running container status per
 * container (so `kubectl get pods` shows `1/1 Running`). A condition keeps its `lastTransitionTime` when
 * its status does not change.
 */
export function runningStatusPatch(
  pod: V1Pod,
  input: { podIP: string; hostIP: string; ready: boolean; now: Date },
): { status: V1PodStatus } {
  const now = input.now;
  const readiness = input.ready ? 'True' : 'False';
  const condition = (type: string, status: string): V1PodCondition => {
    const previous = pod.status?.conditions?.find((c) => c.type === type);
    const since = previous?.status === status && previous.lastTransitionTime ? previous.lastTransitionTime : now;
    return { type, status, lastTransitionTime: since };
  };
  const startedAt = pod.status?.startTime ?? now;
  return {
    status: {
      phase: 'Running',
      hostIP: input.hostIP,
      podIP: input.podIP,
      podIPs: [{ ip: input.podIP }],
      startTime: startedAt,
      conditions: [
        condition('Initialized', 'True'),
        condition('Ready', readiness),
        condition('ContainersReady', readiness),
        condition('PodScheduled', 'True'),
      ],
      containerStatuses: (pod.spec?.containers ?? []).map((container) => ({
        name: container.name,
        image: container.image ?? '',
        imageID: '',
        containerID: `simulated://${pod.metadata?.uid ?? ''}/${container.name}`,
        ready: input.ready,
        started: true,
        restartCount: 0,
        state: { running: { startedAt } },
      })),
    },
  };
}

/** Merge-patch body leaving a pod Pending with `PodScheduled=False, reason=Unschedulable`. */
export function unschedulableStatusPatch(capacity: number, now: Date): { status: V1PodStatus } {
  return {
    status: {
      phase: 'Pending',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: `0/1 nodes are available: the simulated cluster runs at most ${capacity} pods.`,
          lastTransitionTime: now,
        },
      ],
    },
  };
}

/**
 * A pool of made-up addresses `prefix.X.Y` handed out in order and reused after release. Pod IPs use
 * `10.244` (X 0–255, Y 1–254: 65,024 addresses; never loopback, which Endpoints reject); load balancers
 * use `127.66.<cluster index + 1>` (Y only, X fixed).
 */
export class AddressPool {
  private readonly used = new Set<string>();
  private next = 0;

  constructor(
    private readonly prefix: string,
    private readonly size: number,
    private readonly format: (ordinal: number) => string,
  ) {}

  /** Pod IPs 10.244.X.Y. */
  static podIps(): AddressPool {
    return new AddressPool('10.244', 256 * 254, (n) => `10.244.${Math.floor(n / 254)}.${(n % 254) + 1}`);
  }

  /** Load-balancer IPs 127.66.<clusterIndex + 1>.Y (clusterIndex 0–254). */
  static loadBalancerIps(clusterIndex: number): AddressPool {
    const block = (clusterIndex % 255) + 1;
    return new AddressPool(`127.66.${block}`, 254, (n) => `127.66.${block}.${n + 1}`);
  }

  /** Hands out the next free address; throws when all are taken. */
  allocate(): string {
    for (let tried = 0; tried < this.size; tried++) {
      const address = this.format(this.next);
      this.next = (this.next + 1) % this.size;
      if (!this.used.has(address)) {
        this.used.add(address);
        return address;
      }
    }
    throw new RangeError(`address pool ${this.prefix} is exhausted (${this.size} addresses)`);
  }

  /** Records an address already in use (seen on an existing object). */
  markUsed(address: string): void {
    this.used.add(address);
  }

  release(address: string): void {
    this.used.delete(address);
  }

  /** Forgets every allocation, restarts from the first address and records `addresses` as in use (after a re-list). */
  reset(addresses: Iterable<string>): void {
    this.used.clear();
    this.next = 0;
    for (const address of addresses) this.used.add(address);
  }
}

/** True when a LoadBalancer service already has an ingress of the expected style. */
export function hasIngress(service: V1Service, mode: LoadBalancerMode): boolean {
  const ingress = service.status?.loadBalancer?.ingress ?? [];
  return ingress.length > 0 && ingress.every((i) => (mode === 'ip' ? Boolean(i.ip) : Boolean(i.hostname)));
}

/** The hostname a `hostname`-mode load balancer gives a service (an ELB-like name under `.test`). */
export function loadBalancerHostname(cluster: string, service: V1Service): string {
  return `${service.metadata?.name}.${service.metadata?.namespace}.${cluster}.lb.ubernetes.test`;
}
