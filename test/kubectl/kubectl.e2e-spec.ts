import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestServer, TEST_ADMIN_TOKEN, type TestServer } from '../support/server.js';

/**
 * Stock kubectl (/usr/bin/kubectl) against an in-process server over HTTPS (kubectl sends bearer tokens
 * only over TLS), with the kubeconfig `fedctl config kubeconfig` prints (the built CLI: run `npm run
 * build` first). What a kubectl user sees: discovery, tables, create/replace/delete, Conflict,
 * Forbidden and Invalid as kubectl prints them, explain from the OpenAPI v3 document.
 */
const NAMESPACE = 'e2e_kubectl';
const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl';
const FEDCTL = join(process.cwd(), 'dist/apps/fedctl/src/main.js');
const run = promisify(execFile);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

describe('kubectl against the federation', () => {
  let server: TestServer;
  let dir: string;
  let kubeconfig: string;

  async function sh(file: string, args: string[], env: Record<string, string> = {}, timeout = 60_000): Promise<Result> {
    try {
      const { stdout, stderr } = await run(file, args, { env: { PATH: process.env.PATH ?? '', HOME: dir, ...env }, timeout });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  }

  const kubectl = (args: string[], token?: string, timeout?: number) =>
    sh(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...(token ? ['--token', token] : []), ...args], {}, timeout);
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const fdeploy = (name: string, replicas: number, extra = '') => `apiVersion: federation.ubernetes.io/v1
kind: FederatedDeployment
metadata: {name: ${name}, namespace: default${extra}}
spec:
  template:
    apiVersion: apps/v1
    kind: Deployment
    spec:
      replicas: ${replicas}
      selector: {matchLabels: {app: ${name}}}
      template:
        metadata: {labels: {app: ${name}}}
        spec: {containers: [{name: web, image: nginx:1.25}]}
`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ubernetes-kubectl-'));
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
    server = await startTestServer(NAMESPACE, { env: { FEDERATION_NAME: 'kubefed', HTTP_TLS_CERT_FILE: cert, HTTP_TLS_KEY_FILE: key, UBERNETES_RATE_LIMIT_RPS: '0' } });
    expect(server.url).toMatch(/^https:\/\//);
    const printed = await sh(process.execPath, [FEDCTL, 'config', 'kubeconfig', '--certificate-authority', cert], {
      UBERNETES_SERVER: server.url,
      UBERNETES_TOKEN: TEST_ADMIN_TOKEN,
      NODE_EXTRA_CA_CERTS: cert,
    });
    expect(printed.stderr).toBe('');
    expect(printed.stdout).toContain('current-context: kubefed');
    kubeconfig = file('kubeconfig', printed.stdout);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('kubectl api-resources lists clusters and every federated kind with short names', async () => {
    const r = await kubectl(['api-resources']);
    expect(r.stderr).toBe('');
    const rows = r.stdout.split('\n').map((l) => l.trim().split(/\s+/));
    const row = (name: string) => rows.find((cells) => cells[0] === name);
    expect(row('federateddeployments')).toEqual(['federateddeployments', 'fdeploy,fdeployment', 'federation.ubernetes.io/v1', 'true', 'FederatedDeployment']);
    expect(row('clusters')).toEqual(['clusters', 'cl', 'federation.ubernetes.io/v1', 'false', 'Cluster']);
    expect(row('federatednamespaces')).toEqual(['federatednamespaces', 'fns', 'federation.ubernetes.io/v1', 'false', 'FederatedNamespace']);
    expect(row('replicaschedulingpreferences')?.[2]).toBe('scheduling.kubefed.io/v1alpha1');
    expect(row('tokens')).toBeDefined();
  }, 60_000);

  it('kubectl create -f registers a cluster and kubectl get clusters prints READY, ZONES, REGION, VERSION, AGE', async () => {
    const created = await kubectl(['create', '-f', file('cluster.yaml', `apiVersion: federation.ubernetes.io/v1
kind: Cluster
metadata: {name: east, labels: {env: prod}}
spec: {server: "https://127.0.0.1:1", insecureSkipTLSVerify: true, region: us-east, zones: [us-east-1a], credentials: {token: abc}}
`)]);
    expect(created).toMatchObject({ code: 0, stdout: 'cluster.federation.ubernetes.io/east created\n' });
    const table = await kubectl(['get', 'clusters']);
    const [header, line] = table.stdout.trim().split('\n');
    expect(header.split(/\s+/)).toEqual(['NAME', 'READY', 'ZONES', 'REGION', 'VERSION', 'AGE']);
    expect(line).toMatch(/^east\s+(False|Unknown)\s+us-east-1a\s+us-east\s+<none>\s+\d+s$/);
    const wide = await kubectl(['get', 'cl', '-o', 'wide']);
    expect(wide.stdout.split('\n')[0].split(/\s+/)).toEqual(['NAME', 'READY', 'ZONES', 'REGION', 'VERSION', 'AGE', 'SERVER', 'LATENCY', 'LAST-PROBE']);
    expect(wide.stdout).toContain('https://127.0.0.1:1');
  }, 60_000);

  it('kubectl create -f and replace -f of a FederatedDeployment; a stale resourceVersion gets the 409 kubectl prints', async () => {
    expect(await kubectl(['create', '-f', file('web.yaml', fdeploy('web', 3))])).toMatchObject({ code: 0, stdout: 'federateddeployment.federation.ubernetes.io/web created\n' });
    const again = await kubectl(['create', '-f', join(dir, 'web.yaml')]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('Error from server (AlreadyExists): error when creating');
    expect(again.stderr).toContain('federateddeployments.federation.ubernetes.io "web" already exists');

    expect(await kubectl(['replace', '-f', file('web4.yaml', fdeploy('web', 4))])).toMatchObject({ code: 0, stdout: 'federateddeployment.federation.ubernetes.io/web replaced\n' });
    const stored = await kubectl(['get', 'fdeploy', 'web', '-o', 'jsonpath={.metadata.resourceVersion} {.spec.template.spec.replicas}']);
    expect(stored.stdout).toBe('2 4');

    const stale = await kubectl(['replace', '-f', file('stale.yaml', fdeploy('web', 5, ', resourceVersion: "1"'))]);
    expect(stale.code).not.toBe(0);
    expect(stale.stderr).toContain(
      'Error from server (Conflict): error when replacing "' + join(dir, 'stale.yaml') + '": Operation cannot be fulfilled on federateddeployments.federation.ubernetes.io "web": the object has been modified; please apply your changes to the latest version and try again',
    );
    expect((await kubectl(['get', 'fdeploy', 'web', '-o', 'jsonpath={.spec.template.spec.replicas}'])).stdout).toBe('4');

    const missing = await kubectl(['replace', '-f', file('ghost.yaml', fdeploy('ghost', 1))]);
    expect(missing.stderr).toContain('federateddeployments.federation.ubernetes.io "ghost" not found');
  }, 60_000);

  it('kubectl get fdeploy -A prints a table (NAMESPACE from kubectl), -o wide adds the priority-1 columns', async () => {
    const all = await kubectl(['get', 'fdeploy', '-A']);
    const [header, line] = all.stdout.trim().split('\n');
    expect(header.split(/\s+/)).toEqual(['NAMESPACE', 'NAME', 'READY', 'CLUSTERS', 'STATUS', 'AGE']);
    expect(line).toMatch(/^default\s+web\s+\d+\/4\s+\S+\s+(Pending|Ready)\s+\d+s$/);
    const wide = await kubectl(['get', 'federateddeployments', '-o', 'wide']);
    expect(wide.stdout.split('\n')[0].split(/\s+/)).toEqual(['NAME', 'READY', 'CLUSTERS', 'STATUS', 'AGE', 'PLACEMENT', 'CONDITIONS', 'ALGORITHM']);
    const selected = await kubectl(['get', 'fdeploy', '-l', 'app=nothing']);
    expect(selected.stderr).toContain('No resources found in default namespace.');
  }, 60_000);

  it('invalid input prints the field paths and stores nothing', async () => {
    const r = await kubectl(['create', '-f', file('bad.yaml', `apiVersion: federation.ubernetes.io/v1
kind: FederatedDeployment
metadata: {name: bad}
spec:
  template: {apiVersion: apps/v1, kind: Deployment, spec: {replicas: 1}}
  replicaScheduling: {clusters: {a: {weight: -1}}}
  placement: {clusterz: [a]}
`)]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('The FederatedDeployment "bad" is invalid');
    expect(r.stderr).toContain('spec.placement.clusterz: unknown field');
    expect(r.stderr).toContain('spec.replicaScheduling.clusters.a.weight: must not be negative');
    expect((await kubectl(['get', 'fdeploy', 'bad'])).stderr).toContain('Error from server (NotFound): federateddeployments.federation.ubernetes.io "bad" not found');
  }, 60_000);

  it("a viewer token's kubectl create prints Forbidden with the reason; it may still read", async () => {
    const token = await kubectl(['create', '-f', file('token.yaml', 'apiVersion: federation.ubernetes.io/v1\nkind: Token\nmetadata: {name: reader}\nspec: {role: viewer}\n'), '-o', 'jsonpath={.status.token}']);
    expect(token.stdout).toMatch(/^ubt_/);
    const denied = await kubectl(['create', '-f', file('other.yaml', fdeploy('other', 1))], token.stdout);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('Error from server (Forbidden): error when creating');
    expect(denied.stderr).toContain('federateddeployments.federation.ubernetes.io "other" is forbidden: token:reader (role viewer) may not POST');
    expect(denied.stderr).toContain('requires operator');
    expect((await kubectl(['get', 'fdeploy', 'other'])).stderr).toContain('not found');
    expect((await kubectl(['get', 'fdeploy', 'web', '-o', 'name'], token.stdout)).stdout).toBe('federateddeployment.federation.ubernetes.io/web\n');
    expect((await kubectl(['get', 'tokens'], token.stdout)).stderr).toContain('Forbidden');

    // Secret data stays hidden from viewers on the Kubernetes paths, in gets and in watch streams.
    const secret = `apiVersion: federation.ubernetes.io/v1
kind: FederatedSecret
metadata: {name: db, namespace: default}
spec: {template: {apiVersion: v1, kind: Secret, data: {password: c2VjcmV0}}}
`;
    expect((await kubectl(['create', '-f', file('secret.yaml', secret)])).code).toBe(0);
    expect((await kubectl(['get', 'fsecret', 'db', '-o', 'jsonpath={.spec.template.data.password}'])).stdout).toBe('c2VjcmV0');
    expect((await kubectl(['get', 'fsecret', 'db', '-o', 'jsonpath={.spec.template.data.password}'], token.stdout)).stdout).toBe('<redacted>');
    const watched = await kubectl(['get', '--raw', '/apis/federation.ubernetes.io/v1/namespaces/default/federatedsecrets?watch=true&timeoutSeconds=1'], token.stdout);
    expect(watched.stdout).toContain('{"type":"ADDED","object":{"apiVersion":"federation.ubernetes.io/v1","kind":"FederatedSecret"');
    expect(watched.stdout).toContain('"data":{"password":"<redacted>"}');
    expect(watched.stdout).not.toContain('c2VjcmV0');
  }, 60_000);

  it('kubectl explain prints the descriptions of the write schema', async () => {
    const r = await kubectl(['explain', 'federateddeployment.spec.placement']);
    expect(r.stdout).toContain('KIND:       FederatedDeployment');
    expect(r.stdout).toContain('Which member clusters get the object');
    expect(r.stdout).toMatch(/clusterSelector\s+<Object>/);
  }, 60_000);

  it('kubectl delete removes the object (and waits for it to be gone)', async () => {
    const r = await kubectl(['delete', 'fdeploy', 'web', '--timeout=30s']);
    expect(r).toMatchObject({ code: 0, stdout: 'federateddeployment.federation.ubernetes.io "web" deleted\n' });
    expect((await kubectl(['get', 'fdeploy', 'web'])).stderr).toContain('not found');
    expect(await kubectl(['delete', 'cluster', 'east'])).toMatchObject({ code: 0, stdout: 'cluster.federation.ubernetes.io "east" deleted\n' });
  }, 60_000);
});
