import { request, waitFor, type ApiResponse } from '../support/http.js';
import { MemberObjects, type MemberObject } from '#libs/kube';
import type { MemberCluster, MemberClusterSet } from '#libs/kube-harness';
import type { TestServer } from '../support/server.js';

export type { ApiResponse } from '../support/http.js';

/** Server settings for propagation tests: fast health probes and resync, no rate limit. */
export const PROPAGATION_TEST_ENV: Record<string, string> = {
  UBERNETES_HEALTH_PERIOD_SECONDS: '1',
  UBERNETES_HEALTH_TIMEOUT_SECONDS: '4',
  UBERNETES_HEALTH_SUCCESS_THRESHOLD: '1',
  UBERNETES_HEALTH_FAILURE_THRESHOLD: '4',
  UBERNETES_RESYNC_SECONDS: '1',
  UBERNETES_RATE_LIMIT_RPS: '0',
  UBERNETES_MEMBER_TIMEOUT_MS: '3000',
};

/** One API call as a user makes it (bearer token of the test admin). */
export function call<T = any>(server: TestServer, method: string, path: string, body?: unknown, raw?: string): Promise<ApiResponse<T>> {
  return request<T>(server, method, path, { auth: server.auth, body, rawBody: raw });
}

export { waitFor };

/** Registers every harness cluster with the federation (admin token as credentials) and waits until Ready. */
export async function registerClusters(server: TestServer, members: MemberClusterSet, labels: Record<string, Record<string, string>> = {}): Promise<void> {
  for (const m of members) {
    const res = await call(server, 'POST', '/api/v1/clusters', {
      metadata: { name: m.name, labels: labels[m.name] ?? {} },
      spec: { server: m.server, caData: m.caData, credentials: { token: m.adminToken } },
    });
    if (res.status !== 201 && res.status !== 200) throw new Error(`registering ${m.name}: ${res.status} ${res.text}`);
  }
  for (const m of members) {
    await waitFor(`${m.name} Ready`, async () => {
      const res = await call(server, 'GET', `/api/v1/clusters/${m.name}`);
      return res.body?.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');
    });
  }
}

/** Admin access to a member (the harness kubeconfig's token), for assertions and "by hand" edits. */
export function adminObjects(m: MemberCluster): MemberObjects {
  return new MemberObjects({ name: m.name, server: m.server, caData: m.caData, token: m.adminToken }, 5_000);
}

export function deploymentRef(namespace: string, name: string) {
  return { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name };
}

export async function memberDeployment(m: MemberCluster, namespace: string, name: string): Promise<MemberObject | undefined> {
  const client = adminObjects(m);
  try {
    return await client.get(deploymentRef(namespace, name));
  } finally {
    client.close();
  }
}

/** A FederatedDeployment with one nginx container. */
export function federatedDeployment(name: string, options: { namespace?: string; replicas?: number; spec?: Record<string, unknown>; image?: string } = {}) {
  const namespace = options.namespace ?? 'default';
  return {
    apiVersion: 'federation.ubernetes.io/v1',
    kind: 'FederatedDeployment',
    metadata: { name, namespace },
    spec: {
      template: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace },
        spec: {
          replicas: options.replicas ?? 3,
          selector: { matchLabels: { app: name } },
          template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: options.image ?? 'nginx:1.25' }] } },
        },
      },
      ...(options.spec ?? {}),
    },
  };
}

export function condition(obj: any, type: string): { status: string; reason?: string; message?: string } | undefined {
  return obj?.status?.conditions?.find((c: { type: string }) => c.type === type);
}
