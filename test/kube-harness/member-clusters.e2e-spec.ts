import { AppsV1Api, CoreV1Api, KubeConfig, PatchStrategy } from '@kubernetes/client-node';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import {
  defaultTopology,
  kubeRequestOptions,
  startMemberClusters,
  waitUntil,
  type MemberCluster,
  type MemberClusterSet,
} from '#libs/kube-harness';

/*
 * Real member clusters (etcd + kube-apiserver + kube-controller-manager + node simulator), reached only
 * through the kubeconfig the harness hands out. Cluster start takes 5–15 s on two cores.
 */
const TEST_TIMEOUT_MS = 180_000;

interface Clients {
  core: CoreV1Api;
  apps: AppsV1Api;
}

function clientsFor(cluster: MemberCluster): Clients {
  const config = new KubeConfig();
  config.loadFromString(cluster.kubeconfig());
  return { core: config.makeApiClient(CoreV1Api), apps: config.makeApiClient(AppsV1Api) };
}

function deployment(name: string, replicas: number): V1Deployment {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'web', image: 'registry.k8s.io/pause:3.9', ports: [{ containerPort: 8080 }] }] },
      },
    },
  };
}

const namespace = 'default';
/** Waits are generous: two cores are shared with other test runs. */
const WAIT_MS = 60_000;
const fast = () => kubeRequestOptions({ timeoutMs: 5000 });

async function readyReplicas(clients: Clients, name: string): Promise<number> {
  const d = await clients.apps.readNamespacedDeployment({ name, namespace }, fast());
  return d.status?.readyReplicas ?? 0;
}

async function waitForReadyReplicas(clients: Clients, name: string, replicas: number): Promise<void> {
  await waitUntil(async () => (await readyReplicas(clients, name)) === replicas, {
    timeoutMs: WAIT_MS,
    description: `deployment ${name} to have ${replicas} ready replicas`,
  });
}

async function podsOf(clients: Clients, app: string): Promise<V1Pod[]> {
  const list = await clients.core.listNamespacedPod({ namespace, labelSelector: `app=${app}` }, fast());
  return list.items;
}

async function endpointAddresses(clients: Clients, name: string): Promise<{ ready: string[]; notReady: string[] }> {
  const endpoints = await clients.core.readNamespacedEndpoints({ name, namespace }, fast());
  const subsets = endpoints.subsets ?? [];
  return {
    ready: subsets.flatMap((s) => s.addresses ?? []).map((a) => a.ip),
    notReady: subsets.flatMap((s) => s.notReadyAddresses ?? []).map((a) => a.ip),
  };
}

/** Runs `call` and returns how it failed (and how long it took); fails the test if it succeeds. */
async function failureOf(call: () => Promise<unknown>): Promise<{ error: Error & { cause?: { code?: string } }; ms: number }> {
  const started = Date.now();
  try {
    await call();
  } catch (error) {
    return { error: error as Error & { cause?: { code?: string } }, ms: Date.now() - started };
  }
  throw new Error('the request succeeded but was expected to fail');
}

describe('member-cluster harness', () => {
  let clusters: MemberClusterSet;
  let a: MemberCluster;
  let b: MemberCluster;
  let clientsA: Clients;
  let clientsB: Clients;

  beforeAll(async () => {
    const [first, second] = defaultTopology(2, { prefix: 'khtest' });
    clusters = await startMemberClusters([first, { ...second, loadBalancer: 'hostname' }]);
    [a, b] = clusters.clusters;
    clientsA = clientsFor(a);
    clientsB = clientsFor(b);
  }, 300_000);

  afterAll(async () => {
    await clusters?.stopAll();
  }, TEST_TIMEOUT_MS);

  it('runs Deployments to readiness, labels Nodes with zone and region, provisions load balancers and follows pod readiness in Endpoints', async () => {
    expect(a.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(a.kubeconfig()).not.toMatch(/insecure-skip-tls-verify/);

    await Promise.all(
      [clientsA, clientsB].map((c) => c.apps.createNamespacedDeployment({ namespace, body: deployment('web', 3) })),
    );
    await Promise.all([waitForReadyReplicas(clientsA, 'web', 3), waitForReadyReplicas(clientsB, 'web', 3)]);

    for (const [cluster, clients] of [[a, clientsA], [b, clientsB]] as const) {
      const nodes = (await clients.core.listNode()).items;
      expect(nodes).toHaveLength(1);
      expect(nodes[0].metadata?.labels).toMatchObject({
        'topology.kubernetes.io/zone': 'us-east-1a',
        'topology.kubernetes.io/region': 'us-east-1',
        'failure-domain.beta.kubernetes.io/zone': 'us-east-1a',
        'failure-domain.beta.kubernetes.io/region': 'us-east-1',
      });
      expect(nodes[0].status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      const pods = await podsOf(clients, 'web');
      expect(pods.map((p) => p.status?.phase)).toEqual(['Running', 'Running', 'Running']);
      for (const pod of pods) {
        expect(pod.spec?.nodeName).toBe(nodes[0].metadata?.name);
        expect(pod.status?.podIP).toMatch(/^10\.244\.\d+\.\d+$/);
      }
      expect(cluster.region).toBe('us-east-1');
    }

    const ingressOf = async (clients: Clients) => {
      await clients.core.createNamespacedService({
        namespace,
        body: {
          metadata: { name: 'web' },
          spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
        },
      });
      return waitUntil(
        async () => (await clients.core.readNamespacedService({ name: 'web', namespace }, fast())).status?.loadBalancer?.ingress,
        { timeoutMs: WAIT_MS, description: 'load-balancer ingress of service web' },
      );
    };
    expect(await ingressOf(clientsA)).toEqual([{ ip: '127.66.1.1' }]);
    expect(await ingressOf(clientsB)).toEqual([{ hostname: 'web.default.khtest-2.lb.ubernetes.test' }]);

    const podIps = (await podsOf(clientsA, 'web')).map((p) => p.status?.podIP).sort();
    await waitUntil(async () => (await endpointAddresses(clientsA, 'web')).ready.length === 3, {
      timeoutMs: WAIT_MS,
      description: 'three ready endpoint addresses',
    });
    expect((await endpointAddresses(clientsA, 'web')).ready.sort()).toEqual(podIps);

    await a.setPodsReady(false);
    await waitUntil(async () => (await endpointAddresses(clientsA, 'web')).ready.length === 0, {
      timeoutMs: WAIT_MS,
      description: 'endpoints to empty out',
    });
    expect((await endpointAddresses(clientsA, 'web')).notReady.sort()).toEqual(podIps);
    await waitForReadyReplicas(clientsA, 'web', 0);

    await a.setPodsReady(true);
    await waitUntil(async () => (await endpointAddresses(clientsA, 'web')).ready.length === 3, {
      timeoutMs: WAIT_MS,
      description: 'endpoints to refill',
    });
    await waitForReadyReplicas(clientsA, 'web', 3);
  }, TEST_TIMEOUT_MS);

  it('keeps pods beyond the capacity Pending as Unschedulable until capacity frees, and completes scale-down', async () => {
    a.setCapacity(3);
    await clientsA.apps.patchNamespacedDeployment(
      { name: 'web', namespace, body: { spec: { replicas: 4 } } },
      kubeRequestOptions({ patch: PatchStrategy.MergePatch }),
    );
    const waiting = await waitUntil(
      async () =>
        (await podsOf(clientsA, 'web')).find((p) =>
          p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable'),
        ),
      { timeoutMs: WAIT_MS, description: 'an Unschedulable pod' },
    );
    expect(waiting.spec?.nodeName).toBeUndefined();
    expect(waiting.status?.phase).toBe('Pending');
    expect(await readyReplicas(clientsA, 'web')).toBe(3);

    a.setCapacity(4);
    await waitForReadyReplicas(clientsA, 'web', 4);

    await clientsA.apps.patchNamespacedDeployment(
      { name: 'web', namespace, body: { spec: { replicas: 3 } } },
      kubeRequestOptions({ patch: PatchStrategy.MergePatch }),
    );
    // Without a kubelet, deleted pods would stay Terminating; the simulator finishes their deletion.
    await waitUntil(async () => (await podsOf(clientsA, 'web')).length === 3, { timeoutMs: WAIT_MS, description: 'scale-down to 3 pods' });
    a.setCapacity(Number.MAX_SAFE_INTEGER);
  }, TEST_TIMEOUT_MS);

  it('kill() makes one cluster refuse connections while the other answers; restart() brings it back with its data', async () => {
    await b.kill();

    // A pooled keep-alive connection may be reset first; new connections are refused.
    const first = await failureOf(() => clientsB.apps.readNamespacedDeployment({ name: 'web', namespace }, fast()));
    expect(['ECONNRESET', 'ECONNREFUSED']).toContain(first.error.cause?.code);
    const { error } = await failureOf(() => clientsB.apps.readNamespacedDeployment({ name: 'web', namespace }, fast()));
    expect(error.cause?.code).toBe('ECONNREFUSED');
    expect(await readyReplicas(clientsA, 'web')).toBe(3);

    await b.restart();
    expect(await readyReplicas(clientsB, 'web')).toBe(3);

    // The node simulator reconnected by itself: new work runs on the restarted cluster.
    await clientsB.apps.createNamespacedDeployment({ namespace, body: deployment('after-restart', 2) });
    await waitForReadyReplicas(clientsB, 'after-restart', 2);
  }, TEST_TIMEOUT_MS);

  it('hang() makes requests time out while the other cluster answers; resume() recovers', async () => {
    await a.hang();

    const { error, ms } = await failureOf(() =>
      clientsA.core.readNamespace({ name: namespace }, kubeRequestOptions({ timeoutMs: 1000 })),
    );
    expect(error.name).toMatch(/TimeoutError|AbortError/);
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(await readyReplicas(clientsB, 'web')).toBe(3);

    await a.resume();
    const ns = await clientsA.core.readNamespace({ name: namespace }, kubeRequestOptions({ timeoutMs: 5000 }));
    expect(ns.metadata?.name).toBe(namespace);

    await clientsA.apps.patchNamespacedDeployment(
      { name: 'web', namespace, body: { spec: { replicas: 2 } } },
      kubeRequestOptions({ patch: PatchStrategy.MergePatch }),
    );
    await waitUntil(async () => (await podsOf(clientsA, 'web')).length === 2, { timeoutMs: WAIT_MS, description: 'scale-down after resume' });
    await waitForReadyReplicas(clientsA, 'web', 2);
  }, TEST_TIMEOUT_MS);
});
