import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DomainError, ErrorCode, matchesLabelSelector, parseLabelSelector } from '#libs/common';
import {
  checkOverrides,
  convertManifest,
  convertReplicaSchedulingPreference,
  findFederatedKind,
  stableStringify,
  validateFederatedObject,
  validateReplicaScheduling,
  type FederatedKind,
  type FederatedObject,
} from '#libs/federation';
import { FederatedObjectRepository, PropagationWorkRepository, type FederatedObjectEntity } from '#libs/persistence';
import type { PlacementDecision } from './decide.js';
import { specColumnOf, toFederatedObject } from './federated-object.mapper.js';
import { PropagationAdmission } from './admission.js';
import { ReconcileOrigin, ReconcileService } from './reconcile.service.js';

/** What a write did, kubectl style. */
export type ApplyOutcome = 'created' | 'configured' | 'unchanged';

/** Response of create/replace: the object plus what happened and any conversion notes. */
export interface ApplyResult {
  object: FederatedObject;
  outcome: ApplyOutcome;
  /** Present when the manifest was converted (KubeFed, Federation v1). */
  conversion?: string[];
  /** Dry run: the placement the object would get (nothing stored). */
  plan?: PlanPreview;
  dryRun?: boolean;
}

/** The dry-run placement preview. */
export interface PlanPreview {
  algorithm?: string;
  totalReplicas?: number;
  candidates: string[];
  selected: { name: string; ready: boolean }[];
  clusters: { cluster: string; replicas?: number }[];
  overflow?: Record<string, number>;
  unschedulable?: number;
}

export interface WriteOptions {
  dryRun?: boolean;
}

/**
 * Storage and API semantics of federated objects: create (POST), idempotent apply (PUT), get, list by
 * label selector, finalizer-like delete, status, and the dry-run placement preview. Every accepted write
 * asks the reconcile queue to propagate it as a user's write (taken before the control plane's own
 * reconciles, and what admission counts); invalid input never touches what is stored.
 */
@Injectable()
export class FederatedObjectsService {
  private readonly logger = new Logger('FederatedObjectsService');

  constructor(
    private readonly objects: FederatedObjectRepository,
    private readonly works: PropagationWorkRepository,
    private readonly reconciler: ReconcileService,
    private readonly admission: PropagationAdmission,
  ) {}

  /** The kind for a REST collection name (404 when unknown). */
  kind(plural: string): FederatedKind {
    const kind = findFederatedKind(plural);
    if (!kind || kind.plural !== plural) throw DomainError.notFound(`resource type ${plural}`);
    return kind;
  }

  /** POST: creates; 409 when the name is taken. */
  async create(kind: FederatedKind, namespace: string | undefined, body: unknown, options: WriteOptions = {}): Promise<ApplyResult> {
    const { object, conversion } = this.parse(kind, namespace, undefined, body);
    const taken = () => new DomainError(ErrorCode.AlreadyExists, `${kind.singular} ${object.metadata.name} already exists`);
    if (options.dryRun) {
      if (await this.objects.findByKey(kind.kind, object.metadata.namespace ?? '', object.metadata.name)) throw taken();
      return this.dryRun(kind, object, conversion, null);
    }
    await this.admission.admit();
    const row = newRow(kind, object);
    const stored = await this.objects.insertOrGet(row);
    if (!stored?.inserted) throw taken();
    return this.created(kind, row, conversion);
  }

  /** PUT: create-or-update; a stale `metadata.resourceVersion` → 409. */
  async apply(kind: FederatedKind, namespace: string | undefined, name: string, body: unknown, options: WriteOptions = {}): Promise<ApplyResult> {
    const { object, conversion } = this.parse(kind, namespace, name, body);
    if (options.dryRun) return this.dryRun(kind, object, conversion, await this.objects.findByKey(kind.kind, object.metadata.namespace ?? '', name));
    await this.admission.admit();
    // Creating a new object and reading the stored one are the same statement (one round trip).
    const row = newRow(kind, object);
    const stored = await this.objects.insertOrGet(row);
    if (!stored) throw new DomainError(ErrorCode.Conflict, `${kind.singular} ${name} was created concurrently; retry`);
    return stored.inserted ? this.created(kind, row, conversion) : this.update(kind, object, conversion, stored.existing);
  }

  /**
   * A KubeFed ReplicaSchedulingPreference: sets `spec.replicaScheduling` of the federated object of the
   * same name (which must exist), as an apply.
   */
  async applyReplicaSchedulingPreference(namespace: string, name: string | undefined, body: unknown, options: WriteOptions = {}): Promise<ApplyResult> {
    const pref = convertReplicaSchedulingPreference(body);
    if (name !== undefined && pref.name !== name) throw DomainError.invalid([{ path: 'metadata.name', message: `must match the name in the URL (${name})` }]);
    if (pref.namespace !== namespace) pref.namespace = namespace;
    validateReplicaScheduling(pref.replicaScheduling, ['spec']);
    const row = await this.objects.findByKey(pref.target.kind, namespace, pref.name);
    if (!row || row.deletingAt) throw DomainError.notFound(`${pref.target.singular} ${namespace}/${pref.name} (the target of the ReplicaSchedulingPreference)`);
    const current = toFederatedObject(row);
    const next = { ...current, metadata: { ...current.metadata, resourceVersion: undefined }, spec: { ...current.spec, replicaScheduling: pref.replicaScheduling }, status: undefined };
    const object = validateFederatedObject(next, { kind: pref.target, namespace });
    if (options.dryRun) return this.dryRun(pref.target, object, pref.conversion, row);
    await this.admission.admit();
    return this.update(pref.target, object, pref.conversion, row);
  }

  async get(kind: FederatedKind, namespace: string | undefined, name: string): Promise<FederatedObject> {
    return toFederatedObject(await this.require(kind, namespace, name));
  }

  /** Objects of a kind (every namespace when `namespace` is undefined), filtered by a label selector. */
  async list(kind: FederatedKind, namespace: string | undefined, labelSelector?: string): Promise<{ apiVersion: string; kind: string; items: FederatedObject[] }> {
    const selector = parseLabelSelector(labelSelector);
    const rows = await this.objects.list(kind.kind, kind.namespaced ? namespace : '');
    return {
      apiVersion: 'federation.ubernetes.io/v1',
      kind: `${kind.kind}List`,
      items: rows.filter((r) => matchesLabelSelector(selector, r.labels)).map(toFederatedObject),
    };
  }

  /**
   * Marks the object deleting and lets reconcile remove what it created in every member; the row goes
   * once every work item is gone (a restart midway resumes). A stale resourceVersion → 409.
   */
  async delete(kind: FederatedKind, namespace: string | undefined, name: string, resourceVersion?: string): Promise<FederatedObject> {
    const row = await this.require(kind, namespace, name);
    const marked = await this.objects.markDeleting(row.uid, resourceVersion);
    if (marked === 'conflict') throw new DomainError(ErrorCode.Conflict, `${kind.singular} ${name} was modified (resourceVersion ${resourceVersion} is stale)`);
    if (!marked) throw DomainError.notFound(`${kind.singular} ${name}`);
    await this.reconciler.requestReconcile(row.uid, ReconcileOrigin.User);
    return toFederatedObject(marked);
  }

  /** The status view: per-cluster states, totals, conditions. */
  async status(kind: FederatedKind, namespace: string | undefined, name: string): Promise<Pick<FederatedObject, 'apiVersion' | 'kind' | 'metadata' | 'status'>> {
    const obj = toFederatedObject(await this.require(kind, namespace, name));
    return { apiVersion: obj.apiVersion, kind: obj.kind, metadata: obj.metadata, status: obj.status ?? { clusters: [], conditions: [] } };
  }

  /** Dry-run placement of the stored object, or of `body` when given (nothing stored). */
  async plan(kind: FederatedKind, namespace: string | undefined, name: string, body?: unknown): Promise<PlanPreview> {
    const row = await this.objects.findByKey(kind.kind, kind.namespaced ? (namespace ?? 'default') : '', name);
    let object: FederatedObject;
    if (body !== undefined && body !== null && !(typeof body === 'object' && Object.keys(body as object).length === 0)) {
      object = this.parse(kind, namespace, name, body).object;
    } else if (row) {
      object = toFederatedObject(row);
    } else {
      throw DomainError.notFound(`${kind.singular} ${name}`);
    }
    const works = row ? await this.works.listForObject(row.uid) : [];
    return preview(await this.reconciler.decide(object, works));
  }

  private parse(kind: FederatedKind, namespace: string | undefined, name: string | undefined, body: unknown): { object: FederatedObject; conversion: string[] } {
    if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw DomainError.invalid([{ path: '(body)', message: 'must be a JSON object' }]);
    }
    const converted = convertManifest(body, kind);
    const object = validateFederatedObject(converted.object, { kind, namespace: kind.namespaced ? namespace : undefined, name });
    checkOverrides(object);
    return { object, conversion: converted.conversion };
  }

  /** A new object was stored: propagate it. */
  private async created(kind: FederatedKind, row: FederatedObjectEntity, conversion: string[]): Promise<ApplyResult> {
    await this.reconciler.requestReconcile(row.uid, ReconcileOrigin.User);
    this.logger.log({ resource: `${kind.kind}/${row.namespace}/${row.name}` }, 'created');
    return { object: toFederatedObject(row), outcome: 'created', ...notesOf(conversion) };
  }

  /** Writes `object` over the stored `existing` one (nothing when unchanged) and propagates it. */
  private async update(kind: FederatedKind, object: FederatedObject, conversion: string[], existing: FederatedObjectEntity): Promise<ApplyResult> {
    checkWritable(kind, object, existing);
    const { spec, labels, annotations } = definitionOf(object);
    if (sameDefinition(existing, spec, labels, annotations)) {
      return { object: toFederatedObject(existing), outcome: 'unchanged', ...notesOf(conversion) };
    }
    const updated = await this.objects.updateSpec(existing.uid, { spec, labels, annotations }, object.metadata.resourceVersion ?? String(existing.resourceVersion));
    if (!updated) throw new DomainError(ErrorCode.Conflict, `${kind.singular} ${object.metadata.name} was modified concurrently; retry`);
    await this.reconciler.requestReconcile(existing.uid, ReconcileOrigin.User);
    return { object: toFederatedObject(updated), outcome: 'configured', ...notesOf(conversion) };
  }

  /** What a write of `object` would do (over `existing`, or a creation), with its placement; nothing is stored. */
  private async dryRun(kind: FederatedKind, object: FederatedObject, conversion: string[], existing: FederatedObjectEntity | null): Promise<ApplyResult> {
    if (existing) checkWritable(kind, object, existing);
    const { spec, labels, annotations } = definitionOf(object);
    const works = existing ? await this.works.listForObject(existing.uid) : [];
    const stored: FederatedObject = { ...object, metadata: { ...object.metadata, ...(existing ? { uid: existing.uid, resourceVersion: String(existing.resourceVersion) } : {}) } };
    const unchanged = existing && sameDefinition(existing, spec, labels, annotations);
    return {
      object: stored,
      outcome: !existing ? 'created' : unchanged ? 'unchanged' : 'configured',
      ...notesOf(conversion),
      dryRun: true,
      plan: preview(await this.reconciler.decide(stored, works)),
    };
  }

  private async require(kind: FederatedKind, namespace: string | undefined, name: string): Promise<FederatedObjectEntity> {
    const row = await this.objects.findByKey(kind.kind, kind.namespaced ? (namespace ?? 'default') : '', name);
    if (!row) throw DomainError.notFound(`${kind.singular} ${kind.namespaced ? `${namespace ?? 'default'}/` : ''}${name}`);
    return row;
  }
}

/** The stored row of a new object (generation 1, no status). */
function newRow(kind: FederatedKind, object: FederatedObject): FederatedObjectEntity {
  const now = new Date();
  return {
    uid: randomUUID(),
    kind: kind.kind,
    namespace: kind.namespaced ? (object.metadata.namespace ?? 'default') : '',
    name: object.metadata.name,
    ...definitionOf(object),
    status: {},
    generation: 1,
    resourceVersion: '1',
    deletingAt: null,
    createdAt: now,
    updatedAt: now,
  };
}

/** What users write: spec, labels, annotations. */
function definitionOf(object: FederatedObject): { spec: Record<string, unknown>; labels: Record<string, string>; annotations: Record<string, string> } {
  return { spec: specColumnOf(object.spec), labels: object.metadata.labels ?? {}, annotations: object.metadata.annotations ?? {} };
}

/** Refuses a write over an object being deleted or with a stale `metadata.resourceVersion` (409). */
function checkWritable(kind: FederatedKind, object: FederatedObject, existing: FederatedObjectEntity): void {
  if (existing.deletingAt) throw new DomainError(ErrorCode.Conflict, `${kind.singular} ${object.metadata.name} is being deleted`);
  const expected = object.metadata.resourceVersion;
  if (expected !== undefined && expected !== String(existing.resourceVersion)) {
    throw new DomainError(ErrorCode.Conflict, `${kind.singular} ${object.metadata.name} was modified (resourceVersion ${expected} is stale; current ${existing.resourceVersion})`);
  }
}

function notesOf(conversion: string[]): { conversion?: string[] } {
  return conversion.length ? { conversion } : {};
}

function sameDefinition(row: FederatedObjectEntity, spec: unknown, labels: unknown, annotations: unknown): boolean {
  return stableStringify([row.spec, row.labels ?? {}, row.annotations ?? {}]) === stableStringify([spec, labels, annotations]);
}

function preview(d: PlacementDecision): PlanPreview {
  return {
    ...(d.planInput ? { algorithm: d.planInput.algorithm, totalReplicas: d.planInput.totalReplicas } : {}),
    candidates: d.candidates,
    selected: d.selected.map((c) => ({ name: c.name, ready: c.ready })),
    clusters: d.targets,
    ...(d.planResult ? { overflow: d.planResult.overflow, unschedulable: d.planResult.unschedulable } : {}),
  };
}
