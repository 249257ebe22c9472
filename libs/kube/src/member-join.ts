import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api, type V1ClusterRole, type V1PolicyRule } from '@kubernetes/client-node';
import { DomainError, ErrorCode } from '#libs/common';
import { MemberClient } from './member-client.js';
import { describeKubeError, httpStatusOf, requestOptions } from './request-options.js';

/** Names of the objects `fedctl join` creates in a member cluster. */
export const MEMBER_NAMESPACE = 'ubernetes-system';
export const MEMBER_SERVICE_ACCOUNT = 'ubernetes-member';
export const MEMBER_CLUSTER_ROLE = 'ubernetes-member';
export const MEMBER_CLUSTER_ROLE_BINDING = 'ubernetes-member';
export const MEMBER_TOKEN_SECRET = 'ubernetes-member-token';
const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'ubernetes' };

const WRITE = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const READ = ['get', 'list', 'watch'];

/**
 * The only permissions Ubernetes needs in a member: the propagated kinds (Deployments, ReplicaSets,
 * Services, ConfigMaps, Secrets, Namespaces), Nodes for zone discovery, Pods/Endpoints/EndpointSlices
 * for status and DNS, and the health endpoints. No wildcard verb, resource or group.
 */
export function memberClusterRoleRules(): V1PolicyRule[] {
  return [
    { apiGroups: ['apps'], resources: ['deployments', 'replicasets'], verbs: WRITE },
    { apiGroups: [''], resources: ['services', 'configmaps', 'secrets', 'namespaces'], verbs: WRITE },
    { apiGroups: [''], resources: ['nodes', 'pods', 'endpoints'], verbs: READ },
    { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
    { nonResourceURLs: ['/readyz', '/healthz', '/version'], verbs: ['get'] },
  ];
}

export function memberClusterRole(): V1ClusterRole {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: MEMBER_CLUSTER_ROLE, labels: MANAGED_BY },
    rules: memberClusterRoleRules(),
  };
}

/** The cluster entry a user's kubeconfig context points at. */
export interface UserKubeconfigTarget {
  kubeConfig: KubeConfig;
  context: string;
  server: string;
  /** Base64 PEM CA from `certificate-authority-data` (or the file `certificate-authority` names). */
  caData?: string;
  insecureSkipTLSVerify: boolean;
}

/**
 * Loads the user's kubeconfig file (client side only: its credentials never leave the CLI process) and
 * resolves the context to use.
 */
export function loadUserKubeconfig(path: string, context?: string): UserKubeconfigTarget {
  const kc = new KubeConfig();
  try {
    kc.loadFromString(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new DomainError(ErrorCode.Invalid, `cannot read kubeconfig ${path}: ${(error as Error).message}`, [{ path: 'kubeconfig', message: (error as Error).message }]);
  }
  if (context) {
    if (!kc.getContextObject(context)) throw new DomainError(ErrorCode.NotFound, `context "${context}" not found in ${path}`, [{ path: 'context', message: 'not found' }]);
    kc.setCurrentContext(context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw DomainError.invalid([{ path: 'kubeconfig', message: `context "${kc.getCurrentContext()}" names no cluster` }]);
  let caData = cluster.caData;
  if (!caData && cluster.caFile) caData = readFileSync(cluster.caFile).toString('base64');
  return { kubeConfig: kc, context: kc.getCurrentContext(), server: cluster.server, caData, insecureSkipTLSVerify: cluster.skipTLSVerify };
}

/** Progress sink of join/unjoin (the CLI passes its spinner). */
export interface StepReporter {
  start(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  warn(text: string): void;
}

const silent: StepReporter = { start: () => undefined, succeed: () => undefined, fail: () => undefined, warn: () => undefined };

export interface JoinResult {
  server: string;
  caData?: string;
  /** Long-lived token of the member's Ubernetes ServiceAccount. */
  token: string;
}

/**
 * Creates (or updates) the member-side objects with the user's credentials and returns the
 * ServiceAccount token to register. Works on Kubernetes ≥ 1.24 where token Secrets are no longer created
 * automatically: the `kubernetes.io/service-account-token` Secret is created explicitly and the token
 * controller fills it. Idempotent.
 */
export async function joinMember(target: UserKubeconfigTarget, options: { reporter?: StepReporter; timeoutMs?: number } = {}): Promise<JoinResult> {
  const r = options.reporter ?? silent;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const kc = target.kubeConfig;
  const core = kc.makeApiClient(CoreV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const opts = () => requestOptions({ timeoutMs: Math.max(1_000, Math.min(15_000, deadline - Date.now())) });

  await step(r, `namespace ${MEMBER_NAMESPACE}`, () =>
    createOrKeep(() => core.createNamespace({ body: { metadata: { name: MEMBER_NAMESPACE, labels: MANAGED_BY } } }, opts())),
  );
  await step(r, `service account ${MEMBER_NAMESPACE}/${MEMBER_SERVICE_ACCOUNT}`, () =>
    createOrKeep(() =>
      core.createNamespacedServiceAccount({ namespace: MEMBER_NAMESPACE, body: { metadata: { name: MEMBER_SERVICE_ACCOUNT, labels: MANAGED_BY } } }, opts()),
    ),
  );
  await step(r, `cluster role ${MEMBER_CLUSTER_ROLE} (least privilege)`, () =>
    createOrReplace(
      () => rbac.createClusterRole({ body: memberClusterRole() }, opts()),
      async () => {
        const current = await rbac.readClusterRole({ name: MEMBER_CLUSTER_ROLE }, opts());
        await rbac.replaceClusterRole({ name: MEMBER_CLUSTER_ROLE, body: { ...memberClusterRole(), metadata: { ...memberClusterRole().metadata, resourceVersion: current.metadata?.resourceVersion } } }, opts());
      },
    ),
  );
  const binding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: MEMBER_CLUSTER_ROLE_BINDING, labels: MANAGED_BY },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: MEMBER_CLUSTER_ROLE },
    subjects: [{ kind: 'ServiceAccount', name: MEMBER_SERVICE_ACCOUNT, namespace: MEMBER_NAMESPACE }],
  };
  await step(r, `cluster role binding ${MEMBER_CLUSTER_ROLE_BINDING}`, () =>
    createOrReplace(
      () => rbac.createClusterRoleBinding({ body: binding }, opts()),
      async () => {
        const current = await rbac.readClusterRoleBinding({ name: MEMBER_CLUSTER_ROLE_BINDING }, opts());
        await rbac.replaceClusterRoleBinding({ name: MEMBER_CLUSTER_ROLE_BINDING, body: { ...binding, metadata: { ...binding.metadata, resourceVersion: current.metadata?.resourceVersion } } }, opts());
      },
    ),
  );
  const token = await step(r, `service account token (secret ${MEMBER_TOKEN_SECRET})`, async () => {
    await createOrKeep(() =>
      core.createNamespacedSecret(
        {
          namespace: MEMBER_NAMESPACE,
          body: {
            metadata: { name: MEMBER_TOKEN_SECRET, labels: MANAGED_BY, annotations: { 'kubernetes.io/service-account.name': MEMBER_SERVICE_ACCOUNT } },
            type: 'kubernetes.io/service-account-token',
          },
        },
        opts(),
      ),
    );
    for (;;) {
      const secret = await core.readNamespacedSecret({ namespace: MEMBER_NAMESPACE, name: MEMBER_TOKEN_SECRET }, opts());
      const data = secret.data?.token;
      if (data) return Buffer.from(data, 'base64').toString('utf8');
      if (Date.now() > deadline) {
        throw new DomainError(ErrorCode.Unavailable, `the member's token controller did not fill secret ${MEMBER_NAMESPACE}/${MEMBER_TOKEN_SECRET} in time (is kube-controller-manager running?)`);
      }
      await sleep(250);
    }
  });
  return { server: target.server, caData: target.caData, token };
}

/**
 * Removes what {@link joinMember} created. Objects already gone (or an unreachable member) give warnings,
 * never a failure: the list of warnings is returned.
 */
export async function unjoinMember(target: UserKubeconfigTarget, options: { reporter?: StepReporter; timeoutMs?: number } = {}): Promise<string[]> {
  const r = options.reporter ?? silent;
  const kc = target.kubeConfig;
  const core = kc.makeApiClient(CoreV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const opts = () => requestOptions({ timeoutMs: options.timeoutMs ?? 15_000 });
  const warnings: string[] = [];
  const remove = async (what: string, fn: () => Promise<unknown>) => {
    r.start(`delete ${what}`);
    try {
      await fn();
      r.succeed(`deleted ${what}`);
    } catch (error) {
      const text = httpStatusOf(error) === 404 ? `${what} was already gone` : `could not delete ${what}: ${describeKubeError(error)}`;
      warnings.push(text);
      r.warn(text);
    }
  };
  await remove(`cluster role binding ${MEMBER_CLUSTER_ROLE_BINDING}`, () => rbac.deleteClusterRoleBinding({ name: MEMBER_CLUSTER_ROLE_BINDING }, opts()));
  await remove(`cluster role ${MEMBER_CLUSTER_ROLE}`, () => rbac.deleteClusterRole({ name: MEMBER_CLUSTER_ROLE }, opts()));
  await remove(`secret ${MEMBER_NAMESPACE}/${MEMBER_TOKEN_SECRET}`, () => core.deleteNamespacedSecret({ namespace: MEMBER_NAMESPACE, name: MEMBER_TOKEN_SECRET }, opts()));
  await remove(`service account ${MEMBER_NAMESPACE}/${MEMBER_SERVICE_ACCOUNT}`, () =>
    core.deleteNamespacedServiceAccount({ namespace: MEMBER_NAMESPACE, name: MEMBER_SERVICE_ACCOUNT }, opts()),
  );
  await remove(`namespace ${MEMBER_NAMESPACE}`, () => core.deleteNamespace({ name: MEMBER_NAMESPACE }, opts()));
  return warnings;
}

/** A member client from a user's kubeconfig target (tests and `fedctl` checks). */
export function userMemberClient(target: UserKubeconfigTarget, name = target.context): MemberClient {
  const user = target.kubeConfig.getCurrentUser();
  return new MemberClient({ name, server: target.server, caData: target.caData, token: user?.token, insecureSkipTLSVerify: target.insecureSkipTLSVerify });
}

async function step<T>(r: StepReporter, what: string, fn: () => Promise<T>): Promise<T> {
  r.start(what);
  try {
    const value = await fn();
    r.succeed(what);
    return value;
  } catch (error) {
    r.fail(what);
    if (error instanceof DomainError) throw error;
    const status = httpStatusOf(error);
    const code = status === 401 ? ErrorCode.Unauthorized : status === 403 ? ErrorCode.Forbidden : status ? ErrorCode.Internal : ErrorCode.Unavailable;
    throw new DomainError(code, `${what}: ${describeKubeError(error)}`);
  }
}

async function createOrKeep(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (error) {
    if (httpStatusOf(error) !== 409) throw error;
  }
}

async function createOrReplace(create: () => Promise<unknown>, replace: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (error) {
    if (httpStatusOf(error) !== 409) throw error;
    await replace();
  }
}
