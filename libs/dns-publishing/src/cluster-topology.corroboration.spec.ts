import { ConditionStatus, type ClusterView } from '#libs/registry';
import { WriteOffHold, type FailoverGate, type GatedClusters } from '#libs/health';
import { RegistryClusterTopologySource } from './publish-input.adapters.js';
import { buildServiceInputs } from './publish-inputs.js';

const view = (name: string, ready: boolean, failingProbes = 0): ClusterView => ({
  name,
  uid: `u-${name}`,
  labels: {},
  ready,
  readiness: ready ? ConditionStatus.True : ConditionStatus.False,
  readinessSinceMs: 1,
  ...(ready ? {} : { notReadySince: 1 }),
  schedulable: true,
  candidate: ready,
  zones: [`${name}-z`],
  region: 'r1',
  failingProbes,
});

/** A gate that answers one fixed decision (only what the adapter reads). */
function gateWith(clusters: ClusterView[], holds: WriteOffHold[]): FailoverGate {
  const gated = { clusters, gate: { writeOffs: holds.map((reason, i) => ({ cluster: `x${i}`, clockMs: 0, hold: { reason, message: '' } })) } } as unknown as GatedClusters;
  return { current: async () => gated } as unknown as FailoverGate;
}

describe('DNS topology while the failover gate corroborates', () => {
  const clusters = [view('a', false), view('b', true, 1), view('c', true)];

  it('every Ready cluster is a suspect while the gate waits for suspects: a service keeps its last-known answer', async () => {
    const topo = await new RegistryClusterTopologySource(gateWith(clusters, [WriteOffHold.SuspectClusters])).listClusters();
    expect(topo.map((c) => [c.name, c.failingProbes])).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 1],
    ]);
    const svc = { namespace: 'default', name: 'web', ports: [], clusters: clusters.map((c) => ({ cluster: c.name, ingress: [{ ip: `127.66.${c.name.charCodeAt(0) - 96}.1` }], readyEndpoints: 1 })) };
    const endpoints = buildServiceInputs([svc], topo).services[0].endpoints;
    expect(endpoints.filter((e) => e.healthy).every((e) => (e as { suspect?: true }).suspect)).toBe(true);
  });

  it('otherwise (normal, or a disruption where DNS follows health) the views pass through as they are', async () => {
    for (const holds of [[], [WriteOffHold.FederationDisrupted], [WriteOffHold.RateLimited]]) {
      const topo = await new RegistryClusterTopologySource(gateWith(clusters, holds)).listClusters();
      expect(topo.map((c) => c.failingProbes)).toEqual([0, 1, 0]);
    }
  });
});
