import { z } from 'zod';
import { DomainError, type FieldProblem } from '#libs/common';
import { MAX_REPLICAS, MAX_WEIGHT } from '#libs/placement';
import { FEDERATION_API_VERSION, isReplicaWorkload, type FederatedKind } from './kinds.js';
import type { FederatedObject } from './federated-object.types.js';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

const count = z.number({ message: 'must be a number' }).int('must be an integer').min(0, 'must not be negative').max(MAX_REPLICAS, `must be at most ${MAX_REPLICAS}`);
const stringMap = z.record(z.string(), z.string({ message: 'must be a string' }));

export const labelSelectorSchema = z.strictObject({
  matchLabels: stringMap.optional().describe('Labels a cluster must carry, each key with this value (ANDed with matchExpressions).'),
  matchExpressions: z
    .array(
      z.strictObject({
        key: z.string().min(1),
        operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist'], { message: 'must be In, NotIn, Exists or DoesNotExist' }),
        values: z.array(z.string()).optional(),
      }),
    )
    .optional()
    .describe('Requirements on cluster labels (In, NotIn, Exists, DoesNotExist), all of which must hold.'),
}).describe('A Kubernetes label selector over member cluster labels.');

const placementSchema = z
  .strictObject({
    clusters: z.array(z.string().min(1, 'must not be empty')).optional().describe('Names of the member clusters that get the object.'),
    clusterSelector: labelSelectorSchema.optional().describe('Selects member clusters by their labels.'),
  })
  .describe(
    'Which member clusters get the object: the named clusters, or those whose labels match clusterSelector (both given: clusters that are named and match). Default: every Ready cluster. NotReady, cordoned and tainted clusters get no new replicas.',
  );

const FORBIDDEN_OVERRIDE_PATHS = ['/apiVersion', '/kind', '/metadata/name', '/metadata/namespace'];

const overrideSchema = z
  .strictObject({
    clusterName: z.string().min(1).optional(),
    clusterSelector: labelSelectorSchema.optional(),
    clusterOverrides: z.array(
      z.strictObject({
        op: z.enum(['add', 'replace', 'remove'], { message: 'must be add, replace or remove' }).default('replace').describe('RFC 6902 operation: add, replace (default) or remove.'),
        path: z
          .string()
          .regex(/^(\/([^~]|~[01])*)+$/, 'must be a JSON pointer such as /spec/replicas')
          .refine((p) => !FORBIDDEN_OVERRIDE_PATHS.includes(p), 'cannot override apiVersion, kind, name or namespace')
          .describe('JSON pointer into the template, e.g. /spec/template/spec/containers/0/image.'),
        value: z.unknown().optional().describe('The value to add or replace with.'),
      }),
    ),
  })
  .describe('Changes to the template for some clusters (KubeFed overrides): exactly one of clusterName or clusterSelector, and the operations.')
  .superRefine((o, ctx) => {
    if ((o.clusterName === undefined) === (o.clusterSelector === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'set exactly one of clusterName or clusterSelector', path: ['clusterName'] });
    }
    o.clusterOverrides.forEach((op, i) => {
      if (op.op !== 'remove' && op.value === undefined) ctx.addIssue({ code: 'custom', message: `"${op.op}" needs a value`, path: ['clusterOverrides', i, 'value'] });
    });
  });

const clusterPreferenceSchema = z
  .strictObject({
    weight: z
      .number({ message: 'must be a number' })
      .int('must be an integer')
      .min(0, 'must not be negative')
      .max(MAX_WEIGHT, `must be at most ${MAX_WEIGHT}`)
      .optional()
      .describe('Relative share of the replicas above the minimums (default 1; 0: only minReplicas).'),
    minReplicas: count.optional().describe('Replicas this cluster gets before any are shared by weight.'),
    maxReplicas: count.nullable().optional().describe('Most replicas this cluster gets (null or absent: no bound).'),
  })
  .describe('Replica preference of one cluster (KubeFed ReplicaSchedulingPreference entry).')
  .superRefine((p, ctx) => {
    if (p.minReplicas !== undefined && p.maxReplicas != null && p.minReplicas > p.maxReplicas) {
      ctx.addIssue({ code: 'custom', message: `must not exceed maxReplicas (${p.minReplicas} > ${p.maxReplicas})`, path: ['minReplicas'] });
    }
  });

export const replicaSchedulingSchema = z
  .strictObject({
    totalReplicas: count.optional().describe("Replicas across all clusters (default: the template's spec.replicas, or 1)."),
    rebalance: z.boolean({ message: 'must be true or false' }).optional().describe('Move running replicas to follow the weights (default false: keep them where they run).'),
    algorithm: z.enum(['default', 'legacy'], { message: 'must be default or legacy' }).optional().describe('Planner: default (Webster, steady on scale-up and scale-down) or legacy (KubeFed-exact).'),
    clusters: z.record(z.string().min(1), clusterPreferenceSchema).optional().describe('Preferences keyed by cluster name, or "*" for every cluster.'),
  })
  .describe('Weighted split of spec.replicas of Deployments and ReplicaSets across the selected clusters.');

const templateSchema = z.looseObject({
  apiVersion: z.string({ message: 'is required' }).min(1, 'is required'),
  kind: z.string({ message: 'is required' }).min(1, 'is required'),
  metadata: z
    .looseObject({
      name: z.string().regex(DNS_SUBDOMAIN, 'must be a DNS-1123 subdomain').optional(),
      namespace: z.string().optional(),
      labels: stringMap.optional(),
      annotations: stringMap.optional(),
    })
    .optional(),
});

const specSchema = z
  .strictObject({
    template: templateSchema.describe('The Kubernetes object every selected member cluster gets (its apiVersion, kind, metadata and spec).'),
    placement: placementSchema.optional(),
    overrides: z.array(overrideSchema).optional().describe('Per-cluster changes to the template.'),
    replicaScheduling: replicaSchedulingSchema.optional(),
    adoptExisting: z.boolean({ message: 'must be true or false' }).optional().describe('Take over member objects of the same name that no federation owns (default false).'),
    retainReplicas: z
      .boolean({ message: 'must be true or false' })
      .optional()
      .describe("Keep each member's spec.replicas once its object exists, e.g. for a member autoscaler (default false)."),
  })
  .describe('What to propagate, where, and how replicas are split.');

const metadataSchema = z
  .looseObject({
    name: z.string({ message: 'is required' }).max(253).regex(DNS_SUBDOMAIN, 'must be a DNS-1123 subdomain (lower-case letters, digits, - and .)').describe('Name, unique in the namespace.'),
    namespace: z.string().regex(DNS_LABEL, 'must be a DNS-1123 label').optional().describe('Namespace (default: default; absent for cluster-scoped kinds).'),
    resourceVersion: z.string().optional().describe('Version of the stored object; a write naming an older one is refused with 409 Conflict.'),
    labels: stringMap.optional().describe('Labels of the federated object.'),
    annotations: stringMap.optional().describe('Annotations of the federated object.'),
  })
  .describe("Standard object metadata.");

const objectSchema = z.looseObject({
  apiVersion: z.literal(FEDERATION_API_VERSION, { message: `must be ${FEDERATION_API_VERSION}` }).describe(`Always ${FEDERATION_API_VERSION}.`),
  kind: z.string().describe('The federated kind.'),
  metadata: metadataSchema,
  spec: specSchema,
});

/**
 * The JSON Schema (OpenAPI 3.0 dialect) of `kind`'s objects as they are written, from the zod schema
 * that validates writes (descriptions included), for the OpenAPI documents kubectl reads
 * (`kubectl explain`). Refinements that JSON Schema cannot state (one of clusterName/clusterSelector,
 * the template's kind) are in the descriptions instead. `status` is read-only and described loosely.
 */
export function federatedObjectJsonSchema(kind: FederatedKind): Record<string, unknown> {
  const schema = z.toJSONSchema(objectSchema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as Record<string, unknown> & { properties: Record<string, Record<string, unknown>> };
  const target = kind.target ? ` (a ${kind.target.apiVersion} ${kind.target.kind})` : ' (any kind but a federated one)';
  return {
    ...schema,
    description: `${kind.kind}: a ${kind.target?.kind ?? 'Kubernetes object'} propagated to member clusters${target}.`,
    properties: {
      ...schema.properties,
      kind: { ...schema.properties.kind, enum: [kind.kind] },
      status: {
        type: 'object',
        description: 'Observed state, written by the control plane: per-cluster state and replicas, totals and conditions (Propagated, Ready, Unschedulable, Conflict).',
        additionalProperties: true,
      },
    },
  };
}

/** `spec.replicaScheduling.clusters.a.weight`, `spec.overrides[0].clusterOverrides[1].path`. */
export function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out || '(body)';
}

/** Zod issues as field problems (unions flattened to their first branch's issues). */
export function zodProblems(error: z.ZodError, prefix: readonly PropertyKey[] = []): FieldProblem[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: issuePath([...prefix, ...issue.path, key]), message: 'unknown field' }))
      : [{ path: issuePath([...prefix, ...issue.path]), message: issue.message }],
  );
}

export interface ValidateTarget {
  kind: FederatedKind;
  /** Namespace from the URL (namespaced kinds). */
  namespace?: string;
  /** Name from the URL (PUT and subresources); must match metadata.name when both are set. */
  name?: string;
}

/**
 * Validates a `federation.ubernetes.io/v1` object for `target.kind` and returns it normalized (kind,
 * namespace and template name filled in). Throws `DomainError.invalid` naming every bad field.
 */
export function validateFederatedObject(body: unknown, target: ValidateTarget): FederatedObject {
  const parsed = objectSchema.safeParse(body);
  if (!parsed.success) throw DomainError.invalid(zodProblems(parsed.error), `invalid ${target.kind.kind}`);
  const obj = parsed.data as unknown as FederatedObject;
  const problems: FieldProblem[] = [];
  const { kind } = target;
  if (obj.kind !== kind.kind) problems.push({ path: 'kind', message: `must be ${kind.kind}` });
  if (target.name !== undefined && obj.metadata.name !== target.name) {
    problems.push({ path: 'metadata.name', message: `must match the name in the URL (${target.name})` });
  }
  if (kind.namespaced) {
    const ns = obj.metadata.namespace ?? target.namespace;
    if (target.namespace !== undefined && obj.metadata.namespace !== undefined && obj.metadata.namespace !== target.namespace) {
      problems.push({ path: 'metadata.namespace', message: `must match the namespace in the URL (${target.namespace})` });
    }
    obj.metadata.namespace = ns ?? 'default';
  } else if (obj.metadata.namespace !== undefined) {
    problems.push({ path: 'metadata.namespace', message: `${kind.kind} is cluster-scoped` });
  }
  const template = obj.spec.template;
  if (kind.target) {
    if (template.kind !== kind.target.kind) problems.push({ path: 'spec.template.kind', message: `must be ${kind.target.kind}` });
    if (template.apiVersion !== kind.target.apiVersion) problems.push({ path: 'spec.template.apiVersion', message: `must be ${kind.target.apiVersion}` });
  } else if (template.apiVersion.startsWith(`${'federation.ubernetes.io'}/`) || template.apiVersion.startsWith('types.kubefed.io/')) {
    problems.push({ path: 'spec.template.apiVersion', message: 'a federated object cannot propagate another federated object' });
  }
  const templateNs = template.metadata?.namespace;
  if (kind.namespaced && templateNs !== undefined && templateNs !== obj.metadata.namespace) {
    problems.push({ path: 'spec.template.metadata.namespace', message: `must be empty or ${obj.metadata.namespace}` });
  }
  if (obj.spec.replicaScheduling && !kind.replicas) {
    problems.push({ path: 'spec.replicaScheduling', message: `only Deployments and ReplicaSets have replicas (not ${kind.kind})` });
  }
  if (obj.spec.retainReplicas === true && !isReplicaWorkload(template)) {
    problems.push({ path: 'spec.retainReplicas', message: `only Deployments and ReplicaSets have replicas (not ${template.kind})` });
  }
  const replicas = (template as { spec?: { replicas?: unknown } }).spec?.replicas;
  if (kind.replicas && replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)) {
    problems.push({ path: 'spec.template.spec.replicas', message: 'must be a non-negative integer' });
  }
  if (problems.length) throw DomainError.invalid(problems, `invalid ${kind.kind}`);
  template.metadata = { ...(template.metadata ?? {}), name: template.metadata?.name ?? obj.metadata.name };
  if (kind.namespaced) template.metadata.namespace = obj.metadata.namespace;
  else delete template.metadata.namespace;
  obj.apiVersion = FEDERATION_API_VERSION;
  return obj;
}

/** Replica preferences as a standalone value (KubeFed RSP spec), validated with field paths under `prefix`. */
export function validateReplicaScheduling(value: unknown, prefix: readonly PropertyKey[]): z.infer<typeof replicaSchedulingSchema> {
  const parsed = replicaSchedulingSchema.safeParse(value);
  if (!parsed.success) throw DomainError.invalid(zodProblems(parsed.error, prefix), 'invalid replica scheduling');
  return parsed.data;
}
