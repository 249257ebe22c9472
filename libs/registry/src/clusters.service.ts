import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DomainError, ErrorCode } from '#libs/common';
import { AppConfig } from '#libs/config';
import { createMemberClient, type GuardedLookup, type MemberClient, type MemberCredentials } from '#libs/kube';
import { ClusterRepository, type ClusterEntity } from '#libs/persistence';
import { clusterModifiedError, mergeClusterPatch, parseClusterPatch, parseRegisterBody, validateDefinition } from './cluster-input.js';
import { initialClusterStatus, toClusterResource } from './cluster.mapper.js';
import { toClusterView, type ClusterView } from './cluster-view.js';
import { storedClusterSpec } from './cluster-stored.js';
import { ClusterRegistryEvents } from './cluster-registry.events.js';
import {
  CLUSTER_API_VERSION,
  ClusterConditionReason,
  ClusterConditionType,
  ConditionStatus,
  type ClusterConditionTransition,
  type ClusterCredentialsInput,
  type ClusterList,
  type ClusterResource,
  type ClusterSpec,
} from './cluster.types.js';
import { Keyring } from './keyring.js';
import { parseUploadedKubeconfig as parseKubeconfigUpload } from './kubeconfig-upload.js';
import { matchesLabelSelector, parseLabelSelector } from '#libs/common';
import { checkServerUrl, guardedLookup, systemResolver, type HostResolver } from './server-url.js';

/**
 * Compare-and-set rounds of a patch before it gives up with 409. A lost round means another patch of the
 * cluster succeeded, so up to this many concurrent patches of one cluster all get through.
 */
const MAX_PATCH_ATTEMPTS = 10;

/** Outcome of {@link ClustersService.reencryptAll}. */
export interface ReencryptReport {
  total: number;
  reencrypted: number;
  failed: { cluster: string; error: string }[];
}

/**
 * The cluster registry: registration, listing by label selector, merge-patch updates, removal, condition
 * history, decrypted member credentials for the control plane's own use, and key rotation.
 * Credentials are write-only: they are encrypted with the keyring (bound to the cluster uid) before they
 * reach the database and are never part of a returned resource, a log line or a job payload.
 */
@Injectable()
export class ClustersService {
  private readonly logger = new Logger('ClustersService');
  /** Host name resolution for the SSRF check (replaceable in tests). */
  resolver: HostResolver = systemResolver;

  constructor(
    private readonly repository: ClusterRepository,
    private readonly keyring: Keyring,
    private readonly config: AppConfig,
    private readonly events: ClusterRegistryEvents,
  ) {}

  async register(body: unknown): Promise<ClusterResource> {
    const input = parseRegisterBody(body);
    let spec: Record<string, unknown> = { ...(input.spec ?? {}) };
    let credentials: unknown = input.spec?.credentials;
    if (input.kubeconfig !== undefined) {
      const clash = (['server', 'caData', 'credentials'] as const).filter((k) => input.spec?.[k] !== undefined);
      if (clash.length) {
        throw DomainError.invalid(clash.map((k) => ({ path: `spec.${k}`, message: 'give either kubeconfig or spec.server/caData/credentials, not both' })), 'invalid cluster');
      }
      const uploaded = parseKubeconfigUpload(input.kubeconfig, input.context);
      if (uploaded.insecureSkipTLSVerify && input.spec?.insecureSkipTLSVerify !== true) {
        throw DomainError.invalid(
          [{ path: 'kubeconfig', message: 'refused: the kubeconfig skips TLS verification (insecure-skip-tls-verify); set spec.insecureSkipTLSVerify: true to opt in explicitly' }],
          'kubeconfig refused',
        );
      }
      spec = { ...spec, server: uploaded.server, caData: uploaded.caData, insecureSkipTLSVerify: uploaded.insecureSkipTLSVerify || input.spec?.insecureSkipTLSVerify };
      credentials = uploaded.credentials;
    } else if (spec.server === undefined) {
      throw DomainError.invalid([{ path: 'spec.server', message: 'is required (or upload a kubeconfig)' }], 'invalid cluster');
    }
    const definition = validateDefinition({ name: input.metadata.name, labels: input.metadata.labels ?? {}, spec, credentials });
    await this.assertReachableAddress(definition.spec.server);

    const uid = randomUUID();
    const row = await this.repository.insert({
      uid,
      name: definition.name,
      labels: definition.labels,
      spec: definition.spec,
      credentials: this.keyring.encrypt(JSON.stringify(definition.credentials), aad(uid)),
      credentialsKeyId: this.keyring.currentKeyId,
      status: initialClusterStatus(new Date()),
      probeState: {},
    });
    this.logger.log({ cluster: row.name, server: definition.spec.server }, 'cluster registered');
    this.events.emit({ type: 'registered', cluster: row.name, clusterUid: row.uid });
    return toClusterResource(row);
  }

  async list(labelSelector?: string): Promise<ClusterList> {
    const selector = parseLabelSelector(labelSelector);
    const rows = await this.repository.findAll();
    return { apiVersion: CLUSTER_API_VERSION, kind: 'ClusterList', items: rows.filter((r) => matchesLabelSelector(selector, r.labels)).map(toClusterResource) };
  }

  async get(name: string): Promise<ClusterResource> {
    return toClusterResource(await this.require(name));
  }

  /**
   * Merge-patch (RFC 7386) of `metadata.labels` and `spec` (labels, taints, cordon via
   * `spec.unschedulable`, health-check overrides, and — for `fedctl join` re-runs — server, CA and
   * credentials): absent keys stay as stored, `null` removes, objects merge, arrays replace.
   * `spec.credentials`, when present, replaces the stored credentials as a whole.
   *
   * `metadata.resourceVersion` (and `metadata.uid`), when present, is a precondition: 409 when the cluster
   * is no longer at it. The write is a compare-and-set on the version read, so two patches made against
   * the same version cannot both succeed; without a precondition a lost race is merged again onto the
   * newer row, so concurrent patches of different fields (two labels) never drop each other.
   */
  async patch(name: string, body: unknown, caller: PatchCaller): Promise<ClusterResource> {
    const patch = parseClusterPatch(name, body);
    for (let attempt = 1; ; attempt++) {
      const row = await this.require(name);
      const current = String(row.resourceVersion);
      if (patch.uid !== undefined && patch.uid !== row.uid) {
        throw clusterModifiedError(name, { path: 'metadata.uid', message: `is ${patch.uid}, but the cluster "${name}" now has uid ${row.uid} (it was removed and registered again)` });
      }
      if (patch.resourceVersion !== undefined && patch.resourceVersion !== current) {
        throw clusterModifiedError(name, { path: 'metadata.resourceVersion', message: `is ${patch.resourceVersion}, but the cluster is at ${current}: get it again and reapply your change` });
      }
      const merged = mergeClusterPatch({ labels: row.labels, spec: row.spec }, patch);
      const credentials = patch.credentials !== undefined ? patch.credentials : this.decryptCredentials(row);
      const definition = validateDefinition({ name, labels: merged.labels, spec: merged.spec, credentials });
      assertCredentialsFollowAddress(name, storedClusterSpec(row.spec), definition.spec, patch.credentials !== undefined, caller);
      if (definition.spec.server !== storedClusterSpec(row.spec).server) await this.assertReachableAddress(definition.spec.server);

      const updated = await this.repository.updateDefinition(row.uid, current, {
        labels: definition.labels,
        spec: definition.spec,
        ...(patch.credentials !== undefined
          ? { credentials: this.keyring.encrypt(JSON.stringify(definition.credentials), aad(row.uid)), credentialsKeyId: this.keyring.currentKeyId }
          : {}),
      });
      if (updated) {
        this.logger.log({ cluster: name, resourceVersion: updated.resourceVersion, credentialsChanged: patch.credentials !== undefined }, 'cluster updated');
        this.events.emit({ type: 'updated', cluster: name, clusterUid: row.uid });
        return toClusterResource(updated);
      }
      // Another write got in between the read and the compare-and-set. With a precondition the next
      // round answers 409 (or 404); without one, merge again onto what is stored now.
      if (attempt >= MAX_PATCH_ATTEMPTS) throw clusterModifiedError(name);
    }
  }

  async delete(name: string): Promise<ClusterResource> {
    const row = await this.repository.deleteByName(name);
    if (!row) throw DomainError.notFound(`cluster "${name}"`);
    this.logger.log({ cluster: name }, 'cluster removed');
    this.events.emit({ type: 'deleted', cluster: name, clusterUid: row.uid });
    return toClusterResource(row);
  }

  /** Condition transitions of a cluster, oldest first (at most `limit`, the most recent ones). */
  async history(name: string, limit = 50): Promise<ClusterConditionTransition[]> {
    const row = await this.require(name);
    const rows = await this.repository.recentTransitions(row.uid, limit);
    return rows.map((t) => ({
      cluster: t.clusterName,
      clusterUid: t.clusterUid,
      condition: t.condition as ClusterConditionType,
      from: t.fromStatus as ConditionStatus,
      to: t.toStatus as ConditionStatus,
      reason: t.reason as ClusterConditionReason,
      message: t.message,
      time: t.occurredAt.toISOString(),
    }));
  }

  /** The one view of every registered cluster (ready, schedulable, zones, region, why not), by name. */
  async views(): Promise<ClusterView[]> {
    return (await this.repository.findAll()).map(toClusterView);
  }

  /** Clusters whose Ready condition is True (placement and failover input). */
  async findReadyClusters(): Promise<ClusterResource[]> {
    return (await this.repository.findReadyClusters()).map(toClusterResource);
  }

  /** Decrypted credentials of a member, for the control plane's own connections only. */
  async memberCredentials(name: string): Promise<MemberCredentials> {
    return this.credentialsOf(await this.require(name));
  }

  /** Same, from an already loaded row. */
  credentialsOf(row: ClusterEntity): MemberCredentials {
    const creds = this.decryptCredentials(row);
    const spec = storedClusterSpec(row.spec);
    return { name: row.name, server: spec.server, caData: spec.caData, insecureSkipTLSVerify: spec.insecureSkipTLSVerify === true, ...creds };
  }

  /**
   * A client of the member built from its stored credentials only: TLS verified with the stored CA, no
   * redirects, connect-time address guard. Propagation and failover use this for member API calls.
   */
  async memberClient(name: string): Promise<MemberClient> {
    return this.memberClientOf(await this.require(name));
  }

  /** Same, from an already loaded row. */
  memberClientOf(row: ClusterEntity): MemberClient {
    return createMemberClient(this.credentialsOf(row), { lookup: this.addressGuard() });
  }

  /** Connect-time DNS lookup refusing forbidden addresses (for raw probes and member clients). */
  addressGuard(): GuardedLookup {
    return guardedLookup(this.config.clusters.allowLoopback);
  }

  /**
   * Key rotation: re-encrypts every credential not made with the current key. Run it after making the new
   * key current (old key listed in UBERNETES_ENCRYPTION_OLD_KEYS); once `failed` is empty the old key can
   * be dropped.
   */
  async reencryptAll(): Promise<ReencryptReport> {
    const stale = await this.repository.findWithCredentialsKeyOtherThan(this.keyring.currentKeyId);
    const report: ReencryptReport = { total: stale.length, reencrypted: 0, failed: [] };
    for (const row of stale) {
      try {
        const plaintext = this.keyring.decrypt(row.credentials, aad(row.uid));
        await this.repository.updateCredentials(row.uid, this.keyring.encrypt(plaintext, aad(row.uid)), this.keyring.currentKeyId);
        report.reencrypted++;
      } catch (error) {
        report.failed.push({ cluster: row.name, error: (error as Error).message });
      }
    }
    this.logger.log({ total: report.total, reencrypted: report.reencrypted, failed: report.failed.length, keyId: this.keyring.currentKeyId }, 'credentials re-encrypted');
    return report;
  }

  private async require(name: string): Promise<ClusterEntity> {
    const row = await this.repository.findByName(name);
    if (!row) throw DomainError.notFound(`cluster "${name}"`);
    return row;
  }

  private decryptCredentials(row: ClusterEntity): ClusterCredentialsInput {
    try {
      return JSON.parse(this.keyring.decrypt(row.credentials, aad(row.uid))) as ClusterCredentialsInput;
    } catch (error) {
      throw new DomainError(ErrorCode.Internal, `cannot decrypt the credentials of cluster "${row.name}": ${(error as Error).message}`);
    }
  }

  private async assertReachableAddress(server: string): Promise<void> {
    const problems = await checkServerUrl(server, { allowLoopback: this.config.clusters.allowLoopback, resolve: this.resolver });
    if (problems.length) throw DomainError.invalid(problems, 'invalid cluster');
  }
}

/** Who asks for a change (the API passes the caller's role). */
export interface PatchCaller {
  admin: boolean;
}

/** Where a member is reached: the fields the stored credentials are bound to. */
const ADDRESS_FIELDS = ['server', 'caData', 'insecureSkipTLSVerify'] as const;

/**
 * The stored credentials never follow a member to a new address: changing `spec.server`, `spec.caData`
 * or `spec.insecureSkipTLSVerify` takes the admin role and new `spec.credentials` in the same request,
 * otherwise the next probe would carry the member's token to wherever the address now points.
 */
function assertCredentialsFollowAddress(name: string, before: ClusterSpec, after: ClusterSpec, newCredentials: boolean, caller: PatchCaller): void {
  const changed = ADDRESS_FIELDS.filter((f) => (before[f] ?? undefined) !== (after[f] ?? undefined)).map((f) => `spec.${f}`);
  if (changed.length === 0) return;
  if (!caller.admin) {
    throw new DomainError(ErrorCode.Forbidden, `changing where cluster "${name}" is reached (${changed.join(', ')}) needs the admin role`, [
      { path: changed[0], message: 'only an admin may change where a member is reached' },
    ]);
  }
  if (!newCredentials) {
    throw DomainError.invalid(
      [{ path: 'spec.credentials', message: `are required when ${changed.join(', ')} changes: the stored credentials never follow a member to a new address` }],
      'invalid patch',
    );
  }
}

/** Associated data binding a ciphertext to its cluster. */
function aad(uid: string): string {
  return `cluster:${uid}`;
}

