import {
  AppsV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  DiscoveryV1Api,
  KubeConfig,
  RbacAuthorizationV1Api,
  ServerConfiguration,
  VersionApi,
  createConfiguration,
  type ApiType,
} from '@kubernetes/client-node';
import type { GuardedLookup, MemberCredentials } from './member-credentials.js';
import { MemberHttpLibrary } from './member-http.js';
import { requestOptions } from './request-options.js';
import { topologyFromNodeLabels, type ClusterTopology } from './topology.js';

/** client-node API class constructor, for {@link MemberClient.api}. */
export type KubeApiConstructor<T extends ApiType> = new (config: never) => T;

/**
 * A client of one member cluster built only from stored credentials (URL, CA, token): never the ambient
 * kubeconfig. TLS is verified against the stored CA unless the cluster was registered insecure.
 */
export class MemberClient {
  readonly kubeConfig: KubeConfig;

  private readonly http: MemberHttpLibrary;

  constructor(
    readonly credentials: MemberCredentials,
    options: { lookup?: GuardedLookup } = {},
  ) {
    this.kubeConfig = memberKubeConfig(credentials);
    this.http = new MemberHttpLibrary(credentials, options.lookup);
  }

  get name(): string {
    return this.credentials.name;
  }

  /** Any client-node API class bound to this member, e.g. `client.api(AppsV1Api)`. */
  api<T extends ApiType>(apiClass: KubeApiConstructor<T>): T {
    const config = createConfiguration({
      baseServer: new ServerConfiguration(this.credentials.server.replace(/\/+$/, ''), {}),
      authMethods: { default: this.kubeConfig },
      httpApi: this.http,
    });
    return new apiClass(config as never);
  }

  get core(): CoreV1Api {
    return this.api(CoreV1Api);
  }
  get apps(): AppsV1Api {
    return this.api(AppsV1Api);
  }
  get rbac(): RbacAuthorizationV1Api {
    return this.api(RbacAuthorizationV1Api);
  }
  get discovery(): DiscoveryV1Api {
    return this.api(DiscoveryV1Api);
  }
  get authorization(): AuthorizationV1Api {
    return this.api(AuthorizationV1Api);
  }

  /** Zones and region from the member's Node labels. */
  async topology(timeoutMs = 5_000): Promise<ClusterTopology> {
    const list = await this.core.listNode({}, requestOptions({ timeoutMs }));
    return topologyFromNodeLabels(list.items.map((n) => n.metadata?.labels));
  }

  /** The member's Kubernetes version (`/version` gitVersion, e.g. `v1.20.2`). */
  async version(timeoutMs = 5_000): Promise<string> {
    const info = await this.api(VersionApi).getCode({}, requestOptions({ timeoutMs }));
    return info.gitVersion;
  }

  /** Whether this client may do `verb` on `resource` (SelfSubjectAccessReview). */
  async can(verb: string, resource: string, group = '', timeoutMs = 5_000): Promise<boolean> {
    const review = await this.authorization.createSelfSubjectAccessReview(
      { body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb, resource, group } } } },
      requestOptions({ timeoutMs }),
    );
    return review.status?.allowed === true;
  }
}

/** A client-node KubeConfig holding exactly one member's stored credentials. */
export function memberKubeConfig(creds: MemberCredentials): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: creds.name, server: creds.server, caData: creds.caData, skipTLSVerify: creds.insecureSkipTLSVerify === true }],
    users: [{ name: creds.name, token: creds.token, certData: creds.clientCertificateData, keyData: creds.clientKeyData }],
    contexts: [{ name: creds.name, cluster: creds.name, user: creds.name }],
    currentContext: creds.name,
  });
  return kc;
}

/** Builds a {@link MemberClient}; `lookup` guards the addresses it may connect to. */
export function createMemberClient(creds: MemberCredentials, options: { lookup?: GuardedLookup } = {}): MemberClient {
  return new MemberClient(creds, options);
}
