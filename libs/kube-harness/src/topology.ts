/**
 * How a simulated cloud load balancer answers a `Service` of type LoadBalancer:
 * - `ip`: `status.loadBalancer.ingress: [{ ip: 127.66.<cluster index + 1>.<n> }]` (loopback, n from 1);
 * - `hostname`: `[{ hostname: <service>.<namespace>.<cluster>.lb.ubernetes.test }]` (an AWS ELB-like name).
 */
export type LoadBalancerMode = 'ip' | 'hostname';

/** One member cluster to start. */
export interface MemberClusterSpec {
  /** Cluster name: DNS-1123 label; also the kubeconfig's cluster, user and context name. */
  name: string;
  /** Region label of every Node (`topology.kubernetes.io/region`). */
  region: string;
  /** Zones the cluster spans: one simulated Node per zone (`topology.kubernetes.io/zone`). At least one. */
  zones: string[];
  /** How many pods the cluster can run; extra pods stay Pending as Unschedulable. Default: unlimited. */
  podCapacity?: number;
  /** Load-balancer address style. Default `ip`. */
  loadBalancer?: LoadBalancerMode;
}

/** Options of {@link defaultTopology}. */
export interface DefaultTopologyOptions {
  /** Cluster name prefix; clusters are `<prefix>-1`, `<prefix>-2`, … Default `member`. */
  prefix?: string;
  podCapacity?: number;
  loadBalancer?: LoadBalancerMode;
}

/** Zones used by {@link defaultTopology}, in order: two zones of us-east-1, then eu-west-1 and ap-southeast-1. */
const layout: Array<{ region: string; zone: string }> = [
  { region: 'us-east-1', zone: 'us-east-1a' },
  { region: 'eu-west-1', zone: 'eu-west-1a' },
  { region: 'us-east-1', zone: 'us-east-1b' },
  { region: 'ap-southeast-1', zone: 'ap-southeast-1a' },
];

/**
 * A topology of `n` single-zone clusters for tests and the demo. The first two clusters share zone
 * `us-east-1a` (so "a whole zone is down" takes out more than one cluster); the rest rotate through
 * `eu-west-1a`, `us-east-1b`, `ap-southeast-1a`, `us-east-1a`, … For n = 3: member-1 and member-2 in
 * us-east-1a (us-east-1), member-3 in eu-west-1a (eu-west-1). n = 1 gives one cluster in us-east-1a.
 */
export function defaultTopology(n: number, options: DefaultTopologyOptions = {}): MemberClusterSpec[] {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`cluster count must be a positive integer, got ${n}`);
  const prefix = options.prefix ?? 'member';
  return Array.from({ length: n }, (_, i) => {
    const place = i < 2 ? layout[0] : layout[(i - 1) % layout.length];
    return {
      name: `${prefix}-${i + 1}`,
      region: place.region,
      zones: [place.zone],
      ...(options.podCapacity !== undefined ? { podCapacity: options.podCapacity } : {}),
      ...(options.loadBalancer ? { loadBalancer: options.loadBalancer } : {}),
    };
  });
}

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Problems with a list of specs, as `{ path, message }` (empty when valid). */
export function validateSpecs(specs: MemberClusterSpec[]): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  const seen = new Set<string>();
  specs.forEach((spec, i) => {
    if (!dnsLabel.test(spec.name) || spec.name.length > 40) {
      problems.push({ path: `[${i}].name`, message: 'must be a DNS-1123 label of at most 40 characters' });
    }
    if (seen.has(spec.name)) problems.push({ path: `[${i}].name`, message: `duplicate cluster name ${spec.name}` });
    seen.add(spec.name);
    if (!spec.region) problems.push({ path: `[${i}].region`, message: 'is required' });
    if (!spec.zones?.length) problems.push({ path: `[${i}].zones`, message: 'needs at least one zone' });
    spec.zones?.forEach((zone, z) => {
      if (!dnsLabel.test(zone)) problems.push({ path: `[${i}].zones[${z}]`, message: 'must be a DNS-1123 label' });
    });
    if (new Set(spec.zones ?? []).size !== (spec.zones ?? []).length) {
      problems.push({ path: `[${i}].zones`, message: 'zones must be distinct' });
    }
    if (spec.podCapacity !== undefined && (!Number.isInteger(spec.podCapacity) || spec.podCapacity < 0)) {
      problems.push({ path: `[${i}].podCapacity`, message: 'must be a non-negative integer' });
    }
    if (spec.loadBalancer !== undefined && spec.loadBalancer !== 'ip' && spec.loadBalancer !== 'hostname') {
      problems.push({ path: `[${i}].loadBalancer`, message: "must be 'ip' or 'hostname'" });
    }
  });
  if (specs.length > 250) problems.push({ path: '', message: 'at most 250 clusters' });
  return problems;
}
