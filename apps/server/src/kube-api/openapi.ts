import { createHash } from 'node:crypto';
import { federatedObjectJsonSchema } from '#libs/federation';
import { clusterJsonSchema } from '#libs/registry';
import { KUBE_RESOURCES, type KubeResource } from './kube-resources.js';

/**
 * The OpenAPI documents of the Kubernetes-compatible API, as kubectl reads them: `/openapi/v3` (an index
 * of group/versions) and `/openapi/v3/apis/<group>/<version>` (OpenAPI 3.0 with a schema per kind
 * carrying `x-kubernetes-group-version-kind`, for `kubectl explain`; PATCH operations list the
 * `fieldValidation` parameter, so kubectl leaves validation to the server, which is strict), and
 * `/openapi/v2` (Swagger 2.0, JSON only). Object schemas come from the zod schemas that validate writes
 * (`#libs/federation`, `#libs/registry`), descriptions included. Pure.
 */

type Json = Record<string, unknown>;

const OBJECT_META: Json = {
  type: 'object',
  description: 'Standard object metadata.',
  properties: {
    name: { type: 'string', description: 'Name, unique in its namespace (or cluster-wide for cluster-scoped resources).' },
    namespace: { type: 'string', description: 'Namespace of a namespaced resource.' },
    uid: { type: 'string', description: 'Unique id, set by the server.' },
    resourceVersion: { type: 'string', description: 'Version of the stored object; an update naming an older one is refused with 409 Conflict.' },
    generation: { type: 'integer', description: 'Spec generation, set by the server.' },
    creationTimestamp: { type: 'string', format: 'date-time', description: 'When the object was created.' },
    deletionTimestamp: { type: 'string', format: 'date-time', description: 'Set while the object is being deleted (members are cleaned up first).' },
    labels: { type: 'object', additionalProperties: { type: 'string' }, description: 'Labels, selectable with labelSelector.' },
    annotations: { type: 'object', additionalProperties: { type: 'string' }, description: 'Annotations.' },
  },
};

const TOKEN_SCHEMA: Json = {
  type: 'object',
  description: 'An API bearer token with a role (admin only). Its value is returned once, in status.token of the create answer.',
  properties: {
    spec: {
      type: 'object',
      properties: {
        role: { type: 'string', enum: ['viewer', 'operator', 'admin'], description: 'What the token may do: viewer reads, operator writes, admin also manages tokens.' },
        expiresIn: { type: 'string', description: 'Lifetime when created, e.g. 24h or 30d (at most 366d).' },
        expiresAt: { type: 'string', format: 'date-time', description: 'When the token expires (null: never).' },
      },
    },
    status: { type: 'object', additionalProperties: true, description: 'createdBy, lastUsedAt, and token (on create only).' },
  },
};

const EVENT_SCHEMA: Json = {
  type: 'object',
  description: 'A federation event: cluster health, failover and recovery, DNS fail-open.',
  properties: {
    type: { type: 'string', description: 'Normal or Warning.' },
    reason: { type: 'string', description: 'Why, e.g. ClusterNotReady or ReplicasMoved.' },
    object: { type: 'string', description: 'What it is about, e.g. Cluster/eu-1 or FederatedDeployment/default/web.' },
    message: { type: 'string', description: 'What happened, for people.' },
    details: { type: 'object', additionalProperties: true, description: 'Structured details.' },
  },
};

const RSP_SCHEMA: Json = {
  type: 'object',
  description: "KubeFed's ReplicaSchedulingPreference: folded into spec.replicaScheduling of the FederatedDeployment or FederatedReplicaSet of the same name.",
  properties: {
    spec: {
      type: 'object',
      properties: {
        targetKind: { type: 'string', description: 'FederatedDeployment or FederatedReplicaSet.' },
        totalReplicas: { type: 'integer', description: 'Replicas across all clusters.' },
        rebalance: { type: 'boolean', description: 'Move running replicas to follow the weights.' },
        clusters: { type: 'object', additionalProperties: true, description: 'Preferences (weight, minReplicas, maxReplicas) keyed by cluster name or "*".' },
      },
    },
  },
};

/** `io.ubernetes.federation.v1.FederatedDeployment`: the reverse-DNS schema name Kubernetes uses. */
export function schemaName(resource: KubeResource): string {
  return `${resource.group.split('.').reverse().join('.')}.${resource.version}.${resource.kind}`;
}

/** The object schema of a resource, with apiVersion, kind and metadata described the Kubernetes way. */
export function objectSchema(resource: KubeResource): Json {
  const base: Json & { properties?: Json } = resource.federatedKind
    ? federatedObjectJsonSchema(resource.federatedKind)
    : resource.kind === 'Cluster'
      ? clusterJsonSchema()
      : resource.kind === 'Token'
        ? TOKEN_SCHEMA
        : resource.kind === 'Event'
          ? EVENT_SCHEMA
          : RSP_SCHEMA;
  const { required: _required, additionalProperties: _extra, ...rest } = base;
  return {
    ...rest,
    type: 'object',
    properties: {
      ...(base.properties ?? {}),
      apiVersion: { type: 'string', description: `APIVersion: ${resource.group}/${resource.version}.` },
      kind: { type: 'string', description: `Kind: ${resource.kind}.` },
      metadata: OBJECT_META,
    },
    'x-kubernetes-group-version-kind': [{ group: resource.group, version: resource.version, kind: resource.kind }],
  };
}

function listSchema(resource: KubeResource, ref: (name: string) => string): Json {
  return {
    type: 'object',
    description: `A list of ${resource.kind} objects.`,
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object', properties: { resourceVersion: { type: 'string' }, continue: { type: 'string' } } },
      items: { type: 'array', items: { $ref: ref(schemaName(resource)) } },
    },
    required: ['items'],
    'x-kubernetes-group-version-kind': [{ group: resource.group, version: resource.version, kind: `${resource.kind}List` }],
  };
}

const queryParam = (name: string, description: string, type = 'string') => ({ name, in: 'query', description, schema: { type }, required: false });
const WRITE_PARAMS = [
  queryParam('dryRun', 'All: validate (and plan) without storing anything.'),
  queryParam('fieldManager', 'Name of the writer (accepted; managed fields are not tracked yet).'),
  queryParam('fieldValidation', 'Strict, Warn or Ignore: the server always validates strictly (unknown fields are refused).'),
];
const LIST_PARAMS = [
  queryParam('labelSelector', 'Kubernetes label selector, e.g. env=prod,tier in (a,b).'),
  queryParam('fieldSelector', 'metadata.name and metadata.namespace, with = and !=.'),
  queryParam('limit', 'Largest page; continue with the token in metadata.continue.', 'integer'),
  queryParam('continue', 'Token from the previous page.'),
  queryParam('watch', 'Stream ADDED, MODIFIED and DELETED events.', 'boolean'),
  queryParam('resourceVersion', "A list's resourceVersion to watch from."),
  queryParam('timeoutSeconds', 'End a watch after this many seconds.', 'integer'),
];

function operation(resource: KubeResource, action: string, summary: string, parameters: unknown[], bodyRef?: string, responseRef?: string): Json {
  return {
    summary,
    operationId: `${action}${resource.kind}`,
    tags: [`${resource.group}_${resource.version}`],
    parameters,
    ...(bodyRef ? { requestBody: { required: true, content: { 'application/json': { schema: { $ref: bodyRef } } } } } : {}),
    responses: { '200': { description: 'OK', ...(responseRef ? { content: { 'application/json': { schema: { $ref: responseRef } } } } : {}) } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: resource.group, version: resource.version, kind: resource.kind },
  };
}

/** Path templates (`{namespace}`, `{name}`) and operations of one resource. */
function resourcePaths(resource: KubeResource, ref: (name: string) => string): Record<string, Json> {
  const base = `/apis/${resource.group}/${resource.version}`;
  const scope = resource.namespaced ? '/namespaces/{namespace}' : '';
  const collection = `${base}${scope}/${resource.name}`;
  const item = `${collection}/{name}`;
  const obj = ref(schemaName(resource));
  const list = ref(`${schemaName(resource)}List`);
  const nsParam = resource.namespaced ? [{ name: 'namespace', in: 'path', required: true, schema: { type: 'string' } }] : [];
  const nameParam = [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }];
  const has = (verb: string) => resource.verbs.includes(verb);
  const paths: Record<string, Json> = {};
  const coll: Json = { parameters: nsParam };
  if (has('list')) coll.get = operation(resource, 'list', `list or watch ${resource.name}`, LIST_PARAMS, undefined, list);
  if (has('create')) coll.post = operation(resource, 'post', `create a ${resource.kind}`, WRITE_PARAMS, obj, obj);
  paths[collection] = coll;
  const one: Json = { parameters: [...nsParam, ...nameParam] };
  if (has('get')) one.get = operation(resource, 'get', `read a ${resource.kind}`, [], undefined, obj);
  if (has('update')) one.put = operation(resource, 'put', `replace a ${resource.kind}`, WRITE_PARAMS, obj, obj);
  if (has('patch')) one.patch = operation(resource, 'patch', `patch a ${resource.kind} (merge or JSON patch)`, WRITE_PARAMS, undefined, obj);
  if (has('delete')) one.delete = operation(resource, 'delete', `delete a ${resource.kind}`, [queryParam('dryRun', 'All: nothing is deleted.')], undefined, obj);
  if (Object.keys(one).length > 1) paths[item] = one;
  if (resource.namespaced && has('list')) paths[`${base}/${resource.name}`] = { get: operation(resource, 'list', `list or watch ${resource.name} in every namespace`, LIST_PARAMS, undefined, list) };
  return paths;
}

/** Group/versions served, in catalogue order. */
export function groupVersions(resources: readonly KubeResource[] = KUBE_RESOURCES): { group: string; version: string }[] {
  const out: { group: string; version: string }[] = [];
  for (const r of resources) if (!out.some((g) => g.group === r.group && g.version === r.version)) out.push({ group: r.group, version: r.version });
  return out;
}

/** `/openapi/v3/apis/<group>/<version>`, or undefined when not served. */
export function openApiV3(group: string, version: string, resources: readonly KubeResource[] = KUBE_RESOURCES): Json | undefined {
  const served = resources.filter((r) => r.group === group && r.version === version);
  if (!served.length) return undefined;
  const ref = (name: string) => `#/components/schemas/${name}`;
  const schemas: Json = {};
  let paths: Record<string, Json> = {};
  for (const r of served) {
    schemas[schemaName(r)] = objectSchema(r);
    if (r.verbs.includes('list')) schemas[`${schemaName(r)}List`] = listSchema(r, ref);
    paths = { ...paths, ...resourcePaths(r, ref) };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Ubernetes', version: `${group}/${version}` },
    paths,
    components: { schemas, securitySchemes: { BearerToken: { type: 'apiKey', name: 'authorization', in: 'header' } } },
    security: [{ BearerToken: [] }],
  };
}

/** A document's hash (kubectl caches group documents by it). */
export function documentHash(doc: unknown): string {
  return createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 128).toUpperCase();
}

/** `/openapi/v3`: where each group/version's document is. */
export function openApiV3Index(resources: readonly KubeResource[] = KUBE_RESOURCES): Json {
  const paths: Json = {};
  for (const { group, version } of groupVersions(resources)) {
    const key = `apis/${group}/${version}`;
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${documentHash(openApiV3(group, version, resources))}` };
  }
  return { paths };
}

/** `/openapi/v2`: Swagger 2.0 with the same schemas (definitions) and paths, for clients that ask for JSON. */
export function openApiV2(resources: readonly KubeResource[] = KUBE_RESOURCES): Json {
  const ref = (name: string) => `#/definitions/${name}`;
  const definitions: Json = {};
  const paths: Json = {};
  for (const r of resources) {
    definitions[schemaName(r)] = objectSchema(r);
    if (r.verbs.includes('list')) definitions[`${schemaName(r)}List`] = listSchema(r, ref);
    for (const [path, ops] of Object.entries(resourcePaths(r, ref))) {
      const converted: Json = {};
      for (const [method, op] of Object.entries(ops)) {
        if (method === 'parameters') {
          converted.parameters = (op as Json[]).map(v2Param);
          continue;
        }
        const { requestBody, responses: _r, parameters, ...rest } = op as Json & { requestBody?: { content: { 'application/json': { schema: unknown } } }; parameters: Json[] };
        converted[method] = {
          ...rest,
          consumes: ['application/json'],
          produces: ['application/json'],
          parameters: [...parameters.map(v2Param), ...(requestBody ? [{ name: 'body', in: 'body', required: true, schema: requestBody.content['application/json'].schema }] : [])],
          responses: { '200': { description: 'OK' } },
        };
      }
      paths[path] = converted;
    }
  }
  return { swagger: '2.0', info: { title: 'Ubernetes', version: 'v1' }, paths, definitions, securityDefinitions: { BearerToken: { type: 'apiKey', name: 'authorization', in: 'header' } }, security: [{ BearerToken: [] }] };
}

function v2Param(p: Json): Json {
  const { schema, ...rest } = p as Json & { schema?: { type?: string } };
  return { ...rest, type: schema?.type ?? 'string', uniqueItems: true };
}

/** The media type client-go asks `/openapi/v2` for. */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

/**
 * `/openapi/v2` in the protobuf encoding client-go asks for (gnostic's `openapi_v2.Document`), minimal:
 * `swagger` and `info`, no definitions. kubectl reads it only for client-side validation of kinds whose
 * PATCH does not advertise `fieldValidation` (tokens, ReplicaSchedulingPreferences) and skips kinds it
 * has no definition of; the server validates every write strictly anyway. Hand-encoded (two
 * length-delimited fields) rather than pulling in a protobuf library for it.
 */
export function openApiV2Protobuf(): Buffer {
  const field = (number: number, payload: Buffer) => Buffer.concat([Buffer.from([(number << 3) | 2, payload.length]), payload]);
  const info = Buffer.concat([field(1, Buffer.from('Ubernetes')), field(2, Buffer.from('v1'))]);
  return Buffer.concat([field(1, Buffer.from('2.0')), field(2, info)]);
}
