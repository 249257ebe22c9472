import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { MemberClusterSet } from '#libs/kube-harness';
import type { Narrator } from './narrator.js';

export interface DemoContext {
  root: string;
  fedconfig: string;
  /** Merged admin kubeconfig of the member clusters (one context per cluster, named after it). */
  kubeconfigPath: string;
  clusters: MemberClusterSet;
  say: Narrator;
  baseUrl: string;
  token: string;
  dnsPort: number;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The DNS zone the demo's server publishes into (its DNS_ZONE). */
export const DNS_ZONE = 'demo.ubernetes.local';
const GLOBAL_NAME = `web.default.demo.svc.${DNS_ZONE}`;
const DNS_QUERIES: [string, string][] = [
  [GLOBAL_NAME, 'A'],
  [`web.default.demo.svc.us-east-1.${DNS_ZONE}`, 'A'],
  [`web.default.demo.svc.eu-west-1a.eu-west-1.${DNS_ZONE}`, 'A'],
  [`_http._tcp.${GLOBAL_NAME}`, 'SRV'],
  [`_ubernetes-owner.${GLOBAL_NAME}`, 'TXT'],
];

const DEMO_APP = `apiVersion: federation.ubernetes.io/v1
kind: FederatedDeployment
metadata:
  name: web
  namespace: default
spec:
  template:
    apiVersion: apps/v1
    kind: Deployment
    spec:
      replicas: 8
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec: {containers: [{name: web, image: "nginx:1.25", ports: [{name: http, containerPort: 80}]}]}
  replicaScheduling:
    rebalance: true
    clusters:
      demo-1: {weight: 1}
      demo-2: {weight: 1}
      demo-3: {weight: 2}
---
apiVersion: federation.ubernetes.io/v1
kind: FederatedService
metadata:
  name: web
  namespace: default
spec:
  template:
    apiVersion: v1
    kind: Service
    spec:
      type: LoadBalancer
      selector: {app: web}
      ports: [{name: http, port: 80, targetPort: 80, protocol: TCP}]
`;

/**
 * The demo's steps after the federation is up, each done the way a user would: with `fedctl`, the API
 * and `dig`. Each feature adds its step here.
 */
export class DemoSteps {
  constructor(private readonly ctx: DemoContext) {}

  async runAll(): Promise<void> {
    await this.joinMembers();
    await this.deployApp();
    await this.resolveThroughDns();
    await this.failover();
  }

  /** A federated app: a Deployment split 1:1:2 over the members and a LoadBalancer Service. */
  async deployApp(): Promise<void> {
    const { say } = this.ctx;
    say.step('deploying a federated app: FederatedDeployment web (8 replicas, weights demo-1:1 demo-2:1 demo-3:2) + FederatedService web');
    const run = await this.fedctl(['apply', '-f', '-'], DEMO_APP);
    if (run.code !== 0) throw new Error(`fedctl apply failed: ${run.stderr.trim()}`);
    this.show(run.stdout);
    await this.waitUntil('8/8 replicas ready across the members', 120_000, async () => {
      const fd = await this.api<{ status?: { totals?: { readyReplicas?: number } } }>('/api/v1/namespaces/default/federateddeployments/web');
      return fd.status?.totals?.readyReplicas === 8;
    });
    say.ok('web is running: 8/8 ready');
    this.show((await this.fedctl(['get', 'fdeploy', '-o', 'wide'])).stdout);
    this.show((await this.fedctl(['describe', 'fdeploy', 'web'])).stdout.split('\n').filter((l) => /demo-\d/.test(l)).join('\n'));
  }

  /** Real DNS queries against the built-in authoritative server. */
  async resolveThroughDns(): Promise<void> {
    const { say } = this.ctx;
    say.step(`resolving web through the built-in DNS server (127.0.0.1:${this.ctx.dnsPort})`);
    await this.waitUntil('DNS records published', 60_000, async () => (await this.dig(GLOBAL_NAME, 'A')).length > 0);
    for (const [name, type] of DNS_QUERIES) {
      const answer = await this.dig(name, type);
      say.detail(`$ dig @127.0.0.1 -p ${this.ctx.dnsPort} ${name} ${type} +short`);
      for (const line of answer.length ? answer : ['(no answer)']) say.detail(`  ${line}`);
    }
    say.ok('zone, region and global names answer with the healthy load-balancer addresses');
  }

  /** Hangs demo-3's API server (kill -STOP), shows replicas and DNS moving, then resumes it. */
  async failover(): Promise<void> {
    const { say, clusters } = this.ctx;
    const victim = clusters.get(`demo-${clusters.clusters.length}`);
    const victimZoneName = `web.default.demo.svc.${victim.zones[0]}.${victim.region}.${DNS_ZONE}`;
    say.step(`failover: kill -STOP ${victim.name}'s API server (zone ${victim.zones[0]})`);
    const started = Date.now();
    await victim.hang();
    const secs = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
    await this.waitUntil(`${victim.name} NotReady`, 60_000, async () => {
      const c = await this.api<{ status?: { conditions?: { type: string; status: string }[] } }>(`/api/v1/clusters/${victim.name}`);
      return c.status?.conditions?.some((x) => x.type === 'Ready' && x.status !== 'True') ?? false;
    });
    say.ok(`${victim.name} NotReady after ${secs()}`);
    await this.waitUntil('the 8 replicas ready on the survivors', 120_000, async () => {
      const fd = await this.api<{ status?: { clusters?: { cluster: string; readyReplicas?: number }[] } }>('/api/v1/namespaces/default/federateddeployments/web');
      const ready = (fd.status?.clusters ?? []).filter((c) => c.cluster !== victim.name).reduce((n, c) => n + (c.readyReplicas ?? 0), 0);
      return ready >= 8;
    });
    say.ok(`replicas moved to the survivors after ${secs()}`);
    await this.waitUntil(`DNS withdrew ${victim.name}`, 60_000, async () => (await this.dig(victimZoneName, 'A')).some((l) => !/^\d+\./.test(l)));
    say.ok(`DNS withdrew ${victim.name}'s endpoint after ${secs()}`);
    say.detail(`$ dig @127.0.0.1 -p ${this.ctx.dnsPort} ${victimZoneName} A +short`);
    for (const line of await this.dig(victimZoneName, 'A')) say.detail(`  ${line}`);
    this.show((await this.fedctl(['get', 'events'])).stdout.split('\n').slice(0, 8).join('\n'));

    say.step(`recovery: kill -CONT ${victim.name}`);
    await victim.resume();
    await this.waitUntil(`${victim.name} Ready`, 60_000, async () => {
      const c = await this.api<{ status?: { conditions?: { type: string; status: string }[] } }>(`/api/v1/clusters/${victim.name}`);
      return c.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ?? false;
    });
    await this.waitUntil(`DNS serves ${victim.name} again`, 60_000, async () => (await this.dig(victimZoneName, 'A')).some((l) => /^\d+\./.test(l)));
    say.ok(`${victim.name} is back and in DNS again`);
    this.show((await this.fedctl(['get', 'fdeploy', '-o', 'wide'])).stdout);
  }

  /** Runs `dig +short` against the demo's DNS server; returns the answer lines. */
  async dig(name: string, type: string): Promise<string[]> {
    const out = await new Promise<string>((resolve) => {
      const child = spawn('dig', ['@127.0.0.1', '-p', String(this.ctx.dnsPort), name, type, '+short', '+time=1', '+tries=1'], { stdio: ['ignore', 'pipe', 'ignore'] });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.once('error', () => resolve(''));
      child.once('exit', () => resolve(text));
    });
    return out.split('\n').map((l) => l.trim()).filter(Boolean);
  }

  async api<T>(path: string): Promise<T> {
    const res = await fetch(this.ctx.baseUrl + path, { headers: { authorization: `Bearer ${this.ctx.token}` } });
    return (await res.json()) as T;
  }

  async waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        if (await check()) return;
      } catch {
        /* not yet */
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** `fedctl join` for every member with the user's (here: the harness's admin) kubeconfig. */
  async joinMembers(): Promise<void> {
    const { say, clusters, kubeconfigPath } = this.ctx;
    say.step(`joining ${clusters.clusters.length} members with fedctl join (least-privilege ServiceAccount in each)`);
    await Promise.all(
      clusters.clusters.map(async (c) => {
        const run = await this.fedctl(['join', c.name, '--kubeconfig', kubeconfigPath, '--context', c.name, '--timeout', '120']);
        if (run.code !== 0) throw new Error(`fedctl join ${c.name} failed: ${run.stderr.trim().split('\n').pop()}`);
      }),
    );
    const table = await this.fedctl(['get', 'clusters', '-o', 'wide']);
    say.ok('members joined and Ready');
    this.show(table.stdout);
  }

  /** Runs the built fedctl against the demo server (its config file carries the server and token). */
  fedctl(args: string[], input?: string): Promise<CliResult> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [join(this.ctx.root, 'dist', 'apps', 'fedctl', 'src', 'main.js'), ...args], {
        env: { ...process.env, FEDCONFIG: this.ctx.fedconfig },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdin.end(input ?? '');
      child.once('exit', (code) => resolve({ code, stdout, stderr }));
    });
  }

  show(text: string): void {
    for (const line of text.trimEnd().split('\n')) this.ctx.say.detail(line);
  }
}
