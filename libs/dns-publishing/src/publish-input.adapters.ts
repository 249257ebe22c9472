import { Injectable } from '@nestjs/common';
import { isValidPortName, type PortInput } from '#libs/dns';
import { FailoverGate, WriteOffHold } from '#libs/health';
import { findFederatedKind } from '#libs/federation';
import { FederatedObjectsService, ReconcileService } from '#libs/propagation';
import { ClusterTopologySource, ServiceEndpointSource, type ClusterTopologyView, type ServiceEndpointsView } from './publish-inputs.js';

const PROTOCOLS = new Set(['TCP', 'UDP', 'SCTP']);

/**
 * Service endpoints from propagation: `ReconcileService.listServiceEndpoints()` (ingress and ready
 * endpoints last observed per member) joined with the ports of each FederatedService template.
 */
@Injectable()
export class PropagationServiceEndpointSource extends ServiceEndpointSource {
  constructor(
    private readonly reconciler: ReconcileService,
    private readonly objects: FederatedObjectsService,
  ) {
    super();
  }

  async listServiceEndpoints(): Promise<ServiceEndpointsView[]> {
    const kind = findFederatedKind('FederatedService')!;
    const [endpoints, services] = await Promise.all([this.reconciler.listServiceEndpoints(), this.objects.list(kind, undefined)]);
    const ports = new Map(services.items.map((s) => [`${s.metadata.namespace}/${s.metadata.name}`, portsOf(s.spec.template as unknown as Record<string, unknown>)]));
    return endpoints.map((e) => ({
      namespace: e.namespace,
      name: e.name,
      ports: ports.get(`${e.namespace}/${e.name}`) ?? [],
      clusters: e.clusters.map((c) => ({ cluster: c.cluster, ingress: c.ingress, readyEndpoints: c.readyEndpoints })),
    }));
  }
}

/** Only well-formed ports (a bad one would make the planner refuse the whole zone). */
function portsOf(template: Record<string, unknown>): PortInput[] {
  const spec = (template.spec ?? {}) as { ports?: { name?: unknown; protocol?: unknown; port?: unknown }[] };
  return (Array.isArray(spec.ports) ? spec.ports : []).flatMap((p) => {
    const protocol = typeof p.protocol === 'string' ? p.protocol.toUpperCase() : 'TCP';
    const port = typeof p.port === 'number' ? p.port : Number.NaN;
    if (!PROTOCOLS.has(protocol) || !Number.isInteger(port) || port < 1 || port > 65_535) return [];
    const name = typeof p.name === 'string' && isValidPortName(p.name) ? p.name : undefined;
    return [{ ...(name ? { name } : {}), protocol, port }];
  });
}

/**
 * Cluster health and topology from the registry: Ready condition, failing probes, discovered (else
 * declared) region and zones — read through the failover gate, one snapshot. While the gate waits for
 * suspect clusters to decide (members failing together turn NotReady a probe period apart), every Ready
 * cluster counts as a suspect for DNS too: the answers a withdrawal would shrink keep their last-known
 * record sets for those few seconds, so a control-plane partition never empties names one cluster at a
 * time before the last one is seen to fail.
 */
@Injectable()
export class RegistryClusterTopologySource extends ClusterTopologySource {
  constructor(private readonly gate: FailoverGate) {
    super();
  }

  async listClusters(): Promise<ClusterTopologyView[]> {
    const { clusters, gate } = await this.gate.current();
    const corroborating = gate.writeOffs.some((w) => w.hold?.reason === WriteOffHold.SuspectClusters);
    return clusters.map((c) => ({
      name: c.name,
      ready: c.ready,
      region: c.region,
      zones: c.zones,
      failingProbes: corroborating && c.ready ? Math.max(1, c.failingProbes) : c.failingProbes,
    }));
  }
}
