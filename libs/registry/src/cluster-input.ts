import { z } from 'zod';
import { DomainError, ErrorCode, type FieldProblem } from '#libs/common';
import { labelKeyProblem, validateLabels } from '#libs/common';
import { CLUSTER_API_VERSION, CLUSTER_KIND, TaintEffect, type ClusterCredentialsInput, type ClusterSpec, type HealthCheckSpec } from './cluster.types.js';
import { serverUrlProblems } from './server-url.js';

/**
 * Input validation of cluster registrations and merge patches (one library: zod). Everything here is
 * pure; the address check that resolves host names lives in {@link checkServerUrl}.
 */
export const CLUSTER_NAME_PATTERN = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

const clusterName = z
  .string({ message: 'is required' })
  .regex(CLUSTER_NAME_PATTERN, 'must be a DNS-1123 label: at most 63 lower-case alphanumerics or -, starting and ending with an alphanumeric');

const base64 = z.string().regex(/^[A-Za-z0-9+/\r\n]+={0,2}$/, 'must be base64');

export const healthCheckSchema = z
  .object({
    periodSeconds: z.number().positive('must be > 0').max(3600, 'must be at most 3600').optional(),
    timeoutSeconds: z.number().positive('must be > 0').max(600, 'must be at most 600').optional(),
    failureThreshold: z.number().int('must be a whole number').min(1, 'must be >= 1').max(100, 'must be at most 100').optional(),
    successThreshold: z.number().int('must be a whole number').min(1, 'must be >= 1').max(100, 'must be at most 100').optional(),
  })
  .strict();

const taintSchema = z
  .object({
    key: z.string().superRefine((key, ctx) => {
      const problem = labelKeyProblem(key);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    value: z.string().max(63, 'must be at most 63 characters').optional(),
    effect: z.enum(TaintEffect, { message: `must be one of ${Object.values(TaintEffect).join(', ')}` }),
  })
  .strict();

const topologyName = z.string().min(1, 'must not be empty').max(63, 'must be at most 63 characters');

export const credentialsSchema = z
  .object({
    token: z.string().min(1, 'must not be empty').max(16_384).optional(),
    clientCertificateData: base64.optional(),
    clientKeyData: base64.optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!c.token && !(c.clientCertificateData && c.clientKeyData)) {
      ctx.addIssue({ code: 'custom', message: 'needs a token, or clientCertificateData with clientKeyData' });
    }
  });

/** Spec fields a user may set (credentials included: write-only). */
const specFields = {
  server: z
    .string({ message: 'is required' })
    .superRefine((value, ctx) => {
      for (const p of serverUrlProblems(value, '')) ctx.addIssue({ code: 'custom', message: p.message });
    })
    .describe('https URL of the member API server (link-local and metadata addresses are refused).'),
  caData: base64
    .refine((v) => Buffer.from(v, 'base64').toString('utf8').includes('-----BEGIN CERTIFICATE-----'), 'must be the base64 of a PEM certificate bundle')
    .optional(),
  credentials: credentialsSchema.optional().describe('Write-only: a token, or a client certificate and key, of the Ubernetes identity in the member.'),
  insecureSkipTLSVerify: z.boolean().optional().describe('Explicit opt-in to skip TLS verification of the member.'),
  region: topologyName.optional().describe('Declared region (the discovered one is in status).'),
  zones: z.array(topologyName).max(100).optional().describe('Declared zones (the discovered ones are in status).'),
  taints: z.array(taintSchema).max(50).optional().describe('Taints: federated objects are not placed here unless they tolerate them.'),
  unschedulable: z.boolean().optional().describe('Cordon: no new placements.'),
  healthCheck: healthCheckSchema.optional().describe("Overrides of the federation's probe settings for this cluster."),
};

const specSchema = z.object(specFields).strict().describe('Where the member API server is and how it is reached and scheduled onto.');

const registerSchema = z.object({
  apiVersion: z.literal(CLUSTER_API_VERSION, { message: `must be ${CLUSTER_API_VERSION}` }).optional(),
  kind: z.literal(CLUSTER_KIND, { message: `must be ${CLUSTER_KIND}` }).optional(),
  metadata: z.object({ name: clusterName, labels: z.record(z.string(), z.unknown()).optional().describe('Labels placement selects clusters by (e.g. env=prod).') }, { message: 'is required' }),
  spec: specSchema.partial().optional().describe('Where the member API server is and how it is reached and scheduled onto.'),
  /** Alternative to spec.server/caData/credentials: an uploaded kubeconfig (inline data only). */
  kubeconfig: z.string().max(1_000_000).optional(),
  context: z.string().optional(),
});

export type RegisterClusterInput = z.output<typeof registerSchema>;

/**
 * The JSON Schema (OpenAPI 3.0 dialect) of a Cluster as it is written, from the zod schema that
 * validates registrations, for the OpenAPI documents kubectl reads. `status` is read-only and described
 * loosely; credentials are write-only (never returned).
 */
export function clusterJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(registerSchema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as Record<string, unknown> & { properties: Record<string, unknown> };
  return {
    ...schema,
    description: 'A member cluster of the federation: where its API server is, how it is reached, its labels, taints and health checks.',
    properties: {
      ...schema.properties,
      status: { type: 'object', description: 'Observed state: conditions (Ready, Offline), zones, region, node count, Kubernetes version, last probe.', additionalProperties: true },
    },
  };
}

/** A validated registration or definition: what the registry stores. */
export interface ClusterDefinition {
  name: string;
  labels: Record<string, string>;
  spec: ClusterSpec;
  credentials: ClusterCredentialsInput;
}

/** zod issues → field problems with dotted paths under `prefix`. */
export function zodProblems(error: z.ZodError, prefix = ''): FieldProblem[] {
  const pathOf = (segments: readonly PropertyKey[]) =>
    [prefix, ...segments.map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))]
      .filter(Boolean)
      .join('.')
      .replace(/\.\[/g, '[') || '(body)';
  return error.issues.flatMap((issue) =>
    // An unknown key is named by its own path, as for every other bad field.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: pathOf([...issue.path, key]), message: 'unknown field' }))
      : [{ path: pathOf(issue.path), message: issue.message }],
  );
}

/** Parses a registration body's shape (names, labels, spec fields). Throws Invalid naming every bad field. */
export function parseRegisterBody(body: unknown): RegisterClusterInput {
  const parsed = registerSchema.safeParse(body ?? {});
  const problems = parsed.success ? [] : zodProblems(parsed.error);
  if (parsed.success) problems.push(...validateLabels(parsed.data.metadata.labels));
  if (problems.length) throw DomainError.invalid(problems, 'invalid cluster');
  return parsed.data!;
}

/**
 * Checks a complete definition (after defaults, kubeconfig extraction or a merge patch) and returns it
 * normalized: taints/unschedulable defaulted, no undefined keys. Throws Invalid naming every bad field.
 */
export function validateDefinition(input: {
  name: string;
  labels: unknown;
  spec: Record<string, unknown>;
  credentials: unknown;
}): ClusterDefinition {
  const problems: FieldProblem[] = [];
  problems.push(...validateLabels(input.labels));
  const { credentials: _ignored, ...specOnly } = input.spec;
  const spec = specSchema.omit({ credentials: true }).safeParse(specOnly);
  if (!spec.success) problems.push(...zodProblems(spec.error, 'spec'));
  const credentials = credentialsSchema.safeParse(input.credentials ?? {});
  if (!credentials.success) problems.push(...zodProblems(credentials.error, 'spec.credentials'));
  if (spec.success && spec.data.insecureSkipTLSVerify && spec.data.caData) {
    problems.push({ path: 'spec.insecureSkipTLSVerify', message: 'cannot be combined with caData' });
  }
  if (problems.length) throw DomainError.invalid(problems, 'invalid cluster');
  const s = spec.data!;
  return {
    name: input.name,
    labels: { ...((input.labels as Record<string, string>) ?? {}) },
    spec: dropUndefined({
      server: s.server,
      caData: s.caData?.replace(/\s+/g, ''),
      insecureSkipTLSVerify: s.insecureSkipTLSVerify || undefined,
      region: s.region,
      zones: s.zones,
      taints: s.taints ?? [],
      unschedulable: s.unschedulable ?? false,
      healthCheck: s.healthCheck && Object.keys(s.healthCheck).length ? (s.healthCheck as HealthCheckSpec) : undefined,
    }) as ClusterSpec,
    credentials: dropUndefined(credentials.data!) as ClusterCredentialsInput,
  };
}

/**
 * JSON merge patch (RFC 7386), pure: objects merge recursively, `null` deletes a key, anything else
 * (arrays included) replaces. A key whose value is `undefined` is absent (JSON has no undefined), so it
 * leaves the target's value alone: `{ labels: undefined }` never erases labels.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const base: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === undefined) continue;
    if (value === null) delete base[key];
    else base[key] = applyMergePatch(base[key], value);
  }
  return base;
}

/** A cluster merge patch, checked for shape: what it changes and its preconditions. */
export interface ClusterPatch {
  /** Merge patch of `metadata.labels`; absent leaves them alone, `null` removes every label. */
  labels?: Record<string, unknown> | null;
  /** Merge patch of `spec` without credentials; absent leaves the spec alone. */
  spec?: Record<string, unknown>;
  /** New credentials, replacing the stored ones as a whole (`null` members dropped); absent keeps them. */
  credentials?: unknown;
  /** Precondition: the cluster's current `metadata.resourceVersion`. */
  resourceVersion?: string;
  /** Precondition: the cluster's `metadata.uid` (guards against a deleted and re-registered namesake). */
  uid?: string;
}

/** Top-level keys a cluster patch may carry; `status` is written by the control plane and ignored, as in Kubernetes. */
const PATCH_KEYS = new Set(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
/** `metadata` keys a cluster patch may carry; `creationTimestamp` is read-only and ignored. */
const PATCH_METADATA_KEYS = new Set(['name', 'uid', 'labels', 'resourceVersion', 'creationTimestamp']);
/** Resource versions are decimal counters (bigint in the database). */
const RESOURCE_VERSION_PATTERN = /^[0-9]{1,18}$/;

/**
 * Checks the shape of a cluster merge patch (RFC 7386) for the cluster `name` and splits it into what it
 * changes and its preconditions. Field values are validated after merging ({@link validateDefinition}).
 * Throws Invalid naming every bad field.
 */
export function parseClusterPatch(name: string, body: unknown): ClusterPatch {
  if (!isPlainObject(body)) throw DomainError.invalid([{ path: '(body)', message: 'must be a JSON merge patch object (RFC 7386)' }], 'invalid patch');
  const problems: FieldProblem[] = [];
  const patch: ClusterPatch = {};
  for (const key of Object.keys(body)) if (!PATCH_KEYS.has(key)) problems.push({ path: key, message: 'unknown field (a cluster patch has metadata and spec)' });
  if (body.apiVersion != null && body.apiVersion !== CLUSTER_API_VERSION) problems.push({ path: 'apiVersion', message: `must be ${CLUSTER_API_VERSION}` });
  if (body.kind != null && body.kind !== CLUSTER_KIND) problems.push({ path: 'kind', message: `must be ${CLUSTER_KIND}` });

  const metadata = body.metadata;
  if (metadata === null || (metadata !== undefined && !isPlainObject(metadata))) {
    problems.push({ path: 'metadata', message: 'must be an object' });
  } else if (metadata !== undefined) {
    for (const key of Object.keys(metadata)) {
      if (!PATCH_METADATA_KEYS.has(key)) problems.push({ path: `metadata.${key}`, message: 'unknown field (a cluster has name, uid, labels and resourceVersion)' });
    }
    if (metadata.name !== undefined && metadata.name !== name) problems.push({ path: 'metadata.name', message: 'is immutable' });
    if (metadata.uid != null) {
      if (typeof metadata.uid !== 'string') problems.push({ path: 'metadata.uid', message: 'must be a string' });
      else patch.uid = metadata.uid;
    }
    if (metadata.resourceVersion != null) {
      if (typeof metadata.resourceVersion !== 'string' || !RESOURCE_VERSION_PATTERN.test(metadata.resourceVersion)) {
        problems.push({ path: 'metadata.resourceVersion', message: 'must be a resourceVersion the API returned (a decimal string such as "12")' });
      } else patch.resourceVersion = metadata.resourceVersion;
    }
    if (metadata.labels === null) patch.labels = null;
    else if (metadata.labels !== undefined) {
      if (!isPlainObject(metadata.labels)) problems.push({ path: 'metadata.labels', message: 'must be an object of string values (null removes a label)' });
      else patch.labels = metadata.labels;
    }
  }

  const spec = body.spec;
  if (spec === null || (spec !== undefined && !isPlainObject(spec))) {
    problems.push({ path: 'spec', message: 'must be an object (a cluster always has a spec)' });
  } else if (spec !== undefined) {
    const { credentials, ...rest } = spec;
    if (Object.keys(rest).length) patch.spec = rest;
    if (credentials === null) {
      problems.push({ path: 'spec.credentials', message: 'cannot be removed (the federation needs them to reach the member): give new ones to replace them' });
    } else if (credentials !== undefined) {
      patch.credentials = isPlainObject(credentials) ? applyMergePatch({}, credentials) : credentials;
    }
  }
  if (problems.length) throw DomainError.invalid(problems, 'invalid patch');
  return patch;
}

/**
 * The labels and spec of a stored cluster after a patch: each part the patch does not name is kept as
 * stored (a spec-only patch keeps every label). Not validated yet: pass the result to
 * {@link validateDefinition}.
 */
export function mergeClusterPatch(
  stored: { labels: Record<string, string>; spec: Record<string, unknown> },
  patch: Pick<ClusterPatch, 'labels' | 'spec'>,
): { labels: Record<string, unknown>; spec: Record<string, unknown> } {
  return {
    labels: patch.labels === undefined ? { ...stored.labels } : ((applyMergePatch(stored.labels, patch.labels) ?? {}) as Record<string, unknown>),
    spec: patch.spec === undefined ? { ...stored.spec } : (applyMergePatch(stored.spec, patch.spec) as Record<string, unknown>),
  };
}

/** The 409 of a write whose `metadata.resourceVersion` precondition no longer holds (kubectl's wording). */
export function clusterModifiedError(name: string, detail?: FieldProblem): DomainError {
  return new DomainError(
    ErrorCode.Conflict,
    `Operation cannot be fulfilled on clusters "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    detail ? [detail] : [],
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function dropUndefined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
