/**
 * Shared pieces of the failover chaos suite: a federation of real member clusters running one
 * FederatedDeployment + FederatedService, and the user-visible truth every case ends with — ready
 * replicas on healthy clusters equal the desired total, nothing lost or doubled, and the built-in DNS
 * server (queried with `dig`) answering only with healthy clusters' load balancers.
 *
 * Health probes run with the defaults (period 2 s, timeout 2 s, failure threshold 3, success threshold 2);
 * only the API rate limit is off. Nothing here shortens detection to make a case pass.
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { MemberObjects } from '#libs/kube';
import type { MemberCluster } from '#libs/kube-harness';
import { request, waitFor as pollUntil, type ApiResponse } from '../support/http.js';

const run = promisify(execFile);

export const ZONE = 'failover.test';
export const FEDERATION = 'demo';
export const APP = 'web';
export const NAMESPACE = 'default';
/** DNS names of the app (the Federation v1 scheme: zone, region and global level). */
export const GLOBAL_NAME = `${APP}.${NAMESPACE}.${FEDERATION}.svc.${ZONE}`;
export const zoneName = (zone: string, region: string) => `${APP}.${NAMESPACE}.${FEDERATION}.svc.${zone}.${region}.${ZONE}`;
export const regionName = (region: string) => `${APP}.${NAMESPACE}.${FEDERATION}.svc.${region}.${ZONE}`;

/** Server environment of the suite: default health settings, DNS on, no API rate limit. */
export const FAILOVER_ENV: Record<string, string> = {
  UBERNETES_RATE_LIMIT_RPS: '0',
  FEDERATION_NAME: FEDERATION,
  DNS_ZONE: ZONE,
  DNS_TTL: '5',
  DNS_PROVIDERS: 'builtin',
  DNS_PORT: '0',
};

/** Load-balancer address the harness gives the cluster of `index` (0-based). */
export const lbOf = (m: MemberCluster) => `127.66.${m.index + 1}.1`;

export interface Api {
  url: string;
  auth: string;
}

export async function call<T = any>(api: Api, method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
  return request<T>(api, method, path, { auth: api.auth, body, timeoutMs: 15_000 });
}

/** {@link pollUntil} with the chaos suite's defaults (60 s, every 200 ms). */
export function waitFor<T>(what: string, fn: () => Promise<T | undefined | false | null>, timeoutMs = 60_000, intervalMs = 200): Promise<T> {
  return pollUntil(what, fn, timeoutMs, intervalMs);
}

/** Registers the clusters (admin token as credentials) and waits until each is Ready. */
export async function registerClusters(api: Api, members: Iterable<MemberCluster>): Promise<void> {
  const list = [...members];
  for (const m of list) {
    const res = await call(api, 'POST', '/api/v1/clusters', { metadata: { name: m.name }, spec: { server: m.server, caData: m.caData, credentials: { token: m.adminToken } } });
    if (res.status !== 201 && res.status !== 200) throw new Error(`registering ${m.name}: ${res.status} ${res.text}`);
  }
  for (const m of list) await waitFor(`${m.name} Ready`, async () => (await clusterReady(api, m.name)) === true, 60_000);
}

export async function clusterReady(api: Api, name: string): Promise<boolean> {
  const res = await call(api, 'GET', `/api/v1/clusters/${name}`);
  return res.body?.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/**
 * Creates (or replaces) the app: FederatedDeployment `web` with `replicas` (and `annotations` on the
 * federated object) and a LoadBalancer FederatedService.
 */
export async function applyApp(api: Api, replicas: number, replicaScheduling?: Record<string, unknown>, annotations?: Record<string, string>): Promise<void> {
  const deployment = await call(api, 'PUT', `/api/v1/namespaces/${NAMESPACE}/federateddeployments/${APP}`, {
    apiVersion: 'federation.ubernetes.io/v1',
    kind: 'FederatedDeployment',
    metadata: { name: APP, namespace: NAMESPACE, ...(annotations ? { annotations } : {}) },
    spec: {
      template: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: APP, namespace: NAMESPACE },
        spec: {
          replicas,
          selector: { matchLabels: { app: APP } },
          template: { metadata: { labels: { app: APP } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } },
        },
      },
      ...(replicaScheduling ? { replicaScheduling } : {}),
    },
  });
  if (deployment.status >= 300) throw new Error(`apply deployment: ${deployment.status} ${deployment.text}`);
  const service = await call(api, 'PUT', `/api/v1/namespaces/${NAMESPACE}/federatedservices/${APP}`, {
    apiVersion: 'federation.ubernetes.io/v1',
    kind: 'FederatedService',
    metadata: { name: APP, namespace: NAMESPACE },
    spec: {
      template: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: APP, namespace: NAMESPACE },
        spec: { type: 'LoadBalancer', selector: { app: APP }, ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 80 }] },
      },
    },
  });
  if (service.status >= 300) throw new Error(`apply service: ${service.status} ${service.text}`);
}

/** The app's Deployment in a member as its admin sees it (undefined when absent or unreachable). */
export async function memberReplicas(m: MemberCluster, timeoutMs = 1_500): Promise<{ spec: number; ready: number } | undefined> {
  const client = new MemberObjects({ name: m.name, server: m.server, caData: m.caData, token: m.adminToken }, timeoutMs);
  try {
    const d = await client.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: NAMESPACE, name: APP }, timeoutMs);
    if (!d) return undefined;
    const spec = (d.spec as { replicas?: number })?.replicas ?? 1;
    const ready = (d.status as { readyReplicas?: number })?.readyReplicas ?? 0;
    return { spec, ready };
  } catch {
    return undefined;
  } finally {
    client.close();
  }
}

/** `dig +short` against the built-in DNS server. */
export async function dig(port: number, name: string, type = 'A'): Promise<string[]> {
  const { stdout } = await run('dig', ['@127.0.0.1', '-p', String(port), '+time=2', '+tries=1', '+short', name, type], { timeout: 10_000 });
  return stdout.split('\n').filter(Boolean);
}

export interface Truth {
  /** Spec replicas per healthy cluster. */
  spec: Record<string, number>;
  ready: Record<string, number>;
  dns: string[];
}

/**
 * Waits for the user-visible truth: on the healthy clusters, spec and ready replicas both sum to
 * `total` (nothing lost, nothing doubled) and, when `expected` is given, match it per cluster; the global
 * DNS name answers exactly the load balancers of healthy clusters that run replicas.
 */
export async function expectTruth(
  healthy: MemberCluster[],
  total: number,
  dnsPort: number,
  options: { expected?: Record<string, number>; timeoutMs?: number; api?: Api } = {},
): Promise<Truth> {
  let last: Truth | undefined;
  try {
    return await waitFor(
      'ready replicas on healthy clusters = desired, and DNS = healthy endpoints',
      async () => {
        const spec: Record<string, number> = {};
        const ready: Record<string, number> = {};
        for (const m of healthy) {
          const r = await memberReplicas(m);
          spec[m.name] = r?.spec ?? 0;
          ready[m.name] = r?.ready ?? 0;
        }
        const dns = (await dig(dnsPort, GLOBAL_NAME)).sort();
        last = { spec, ready, dns };
        const sum = (o: Record<string, number>) => Object.values(o).reduce((s, n) => s + n, 0);
        const wantDns = healthy.filter((m) => ready[m.name] > 0).map(lbOf).sort();
        const perCluster = !options.expected || Object.entries(options.expected).every(([c, n]) => spec[c] === n && ready[c] === n);
        return sum(spec) === total && sum(ready) === total && perCluster && JSON.stringify(dns) === JSON.stringify(wantDns) ? last : undefined;
      },
      options.timeoutMs ?? 90_000,
      250,
    );
  } catch (error) {
    const published = options.api ? await call(options.api, 'GET', '/api/v1/dns/records').then((r) => r.text, (e: Error) => e.message) : '';
    throw new Error(`${(error as Error).message}\nlast seen: ${JSON.stringify(last)}${published ? `\nDNS records API: ${published}` : ''}`, { cause: error });
  }
}

/**
 * Records every distinct `spec.replicas` of the app's Deployment in `m` (nothing while unreachable)
 * until stopped: proves what a returning cluster served, and for how long. With `withReady`, also every
 * change of its ready replicas.
 */
export function watchReplicas(m: MemberCluster, options: { intervalMs?: number; withReady?: boolean } = {}): { stop: () => Promise<{ at: number; spec: number; ready?: number }[]> } {
  const seen: { at: number; spec: number; ready?: number }[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const r = await memberReplicas(m, 1_000);
      const last = seen.at(-1);
      if (r && (last?.spec !== r.spec || (options.withReady && last?.ready !== r.ready))) seen.push({ at: Date.now(), spec: r.spec, ...(options.withReady ? { ready: r.ready } : {}) });
      await sleep(options.intervalMs ?? 100);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return seen;
    },
  };
}

/** Events of the federation (oldest first). */
export async function events(api: Api, query = ''): Promise<{ time: string; type: string; reason: string; object: string; message: string; details: any }[]> {
  return (await call(api, 'GET', `/api/v1/events${query}`)).body.items;
}

/** The built CLI (`npm test` builds it); UBERNETES_FEDCTL_MAIN points elsewhere (e.g. a private build). */
const FEDCTL_MAIN = process.env.UBERNETES_FEDCTL_MAIN || join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'apps', 'fedctl', 'src', 'main.js');

/** Runs `fedctl ARGS` against the server as its admin; returns stdout (throws with stderr on failure). */
export async function fedctl(api: Api, args: string[]): Promise<string> {
  return (await fedctlOutput(api, args)).stdout;
}

/** Runs `fedctl ARGS` against the server as its admin; returns stdout and stderr (throws on failure). */
export async function fedctlOutput(api: Api, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const { stdout, stderr } = await run(process.execPath, [FEDCTL_MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', UBERNETES_SERVER: api.url, UBERNETES_TOKEN: api.auth.replace(/^Bearer /, '') },
    timeout: 60_000,
  });
  return { stdout, stderr };
}
