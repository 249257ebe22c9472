import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AccessRole, type Principal } from '#libs/auth';
import { DomainError, ErrorCode } from '#libs/common';
import { ClustersService, type ClusterResource } from '#libs/registry';
import { CurrentPrincipal } from '../auth/access.decorators.js';
import { badRequest } from './kube-list.js';
import { KubeResponder, type KubeCollection, type KubeRequest, type KubeResponse } from './kube-responder.js';
import { CLUSTER_RESOURCE, groupVersionPath } from './kube-resources.js';
import { applyPatch, dryRunOf, parseDeleteOptions, patchTypeOf } from './kube-writes.js';
import { clusterTable } from './tables.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The merge patch that turns `current` into `replacement` (a PUT of a whole cluster): labels and spec
 * fields the replacement leaves out are removed (`null`), everything it names is set. Credentials are
 * write-only, so a replacement without `spec.credentials` keeps the stored ones. Pure.
 */
export function replacementPatch(current: ClusterResource, replacement: unknown): Record<string, unknown> {
  if (!isObject(replacement)) throw DomainError.invalid([{ path: '(body)', message: 'must be a Cluster object' }], 'invalid cluster');
  const { metadata, spec, status: _status, ...rest } = replacement;
  const meta = isObject(metadata) ? metadata : {};
  const labels = isObject(meta.labels) ? meta.labels : {};
  const nextSpec = isObject(spec) ? spec : {};
  const removed = (stored: Record<string, unknown>, next: Record<string, unknown>) => Object.fromEntries(Object.keys(stored).filter((k) => !(k in next)).map((k) => [k, null]));
  return {
    ...rest,
    metadata: { ...meta, labels: { ...removed(current.metadata.labels, labels), ...labels } },
    spec: { ...removed(current.spec as unknown as Record<string, unknown>, nextSpec), ...nextSpec },
  };
}

/**
 * `/apis/federation.ubernetes.io/v1/clusters`: the member cluster registry with Kubernetes semantics
 * (thin adapter over ClustersService, like the `/api/v1/clusters` alias). PUT replaces labels and spec
 * (credentials stay unless given), PATCH takes a merge or JSON patch; `metadata.resourceVersion` is a
 * precondition (409). Changing where a member is reached needs admin, as on the alias.
 */
@ApiTags('kubernetes')
@ApiBearerAuth()
@Controller(groupVersionPath(CLUSTER_RESOURCE.group, CLUSTER_RESOURCE.version))
export class KubeClustersController {
  private readonly collection: KubeCollection<ClusterResource>;

  constructor(
    private readonly clusters: ClustersService,
    private readonly responder: KubeResponder,
  ) {
    this.collection = {
      resource: CLUSTER_RESOURCE,
      list: async (_namespace, labelSelector) => (await this.clusters.list(labelSelector)).items,
      table: clusterTable,
      // Probes change status without a new resourceVersion: a watch sees what the table prints change.
      fingerprint: (c) => {
        return JSON.stringify([c.metadata.resourceVersion, c.status.conditions.map((x) => [x.type, x.status, x.reason]), c.status.zones, c.status.region, c.status.kubernetesVersion]);
      },
    };
  }

  @Get('clusters')
  @ApiOperation({ summary: 'List or watch member clusters (Kubernetes list: labelSelector, fieldSelector, limit/continue, watch, Table)' })
  list(@Req() req: KubeRequest, @Res({ passthrough: true }) res: KubeResponse) {
    return this.responder.list(this.collection, undefined, req, res);
  }

  @Post('clusters')
  @ApiOperation({ summary: 'Register a member cluster (spec.server + caData + credentials, or an uploaded kubeconfig)' })
  async create(@Body() body: unknown, @Query() query: unknown, @Res({ passthrough: true }) res: KubeResponse) {
    refuseDryRun(query);
    const created = await this.clusters.register(body);
    res.status(201);
    return created;
  }

  @Get('clusters/:name')
  @ApiOperation({ summary: 'Get a member cluster' })
  async get(@Param('name') name: string, @Req() req: KubeRequest, @Res({ passthrough: true }) res: KubeResponse) {
    return this.responder.one(this.collection, await this.clusters.get(name), req, res);
  }

  @Put('clusters/:name')
  @ApiOperation({ summary: 'Replace the labels and spec of a member cluster (409 on a stale metadata.resourceVersion)' })
  async replace(@Param('name') name: string, @Body() body: unknown, @Query() query: unknown, @CurrentPrincipal() principal: Principal | undefined) {
    refuseDryRun(query);
    const current = await this.clusters.get(name);
    return this.clusters.patch(name, replacementPatch(current, body), { admin: principal?.role === AccessRole.Admin });
  }

  @Patch('clusters/:name')
  @ApiOperation({ summary: 'Patch a member cluster: JSON merge patch or JSON patch (add, replace, remove)' })
  async patch(
    @Param('name') name: string,
    @Body() body: unknown,
    @Query() query: unknown,
    @Headers('content-type') contentType: string | undefined,
    @CurrentPrincipal() principal: Principal | undefined,
  ) {
    const type = patchTypeOf(contentType);
    refuseDryRun(query);
    const caller = { admin: principal?.role === AccessRole.Admin };
    if (type === 'merge') return this.clusters.patch(name, body, caller);
    const current = await this.clusters.get(name);
    const patched = applyPatch(current as unknown as Record<string, unknown>, body, type);
    return this.clusters.patch(name, replacementPatch(current, patched), caller);
  }

  @Delete('clusters/:name')
  @HttpCode(200)
  @ApiOperation({ summary: 'Remove a member cluster registration (member-side objects stay: use fedctl unjoin)' })
  async delete(@Param('name') name: string, @Body() body: unknown, @Query() query: unknown) {
    const options = parseDeleteOptions(body, query);
    const current = await this.clusters.get(name);
    const stale = (options.resourceVersion !== undefined && options.resourceVersion !== current.metadata.resourceVersion) || (options.uid !== undefined && options.uid !== current.metadata.uid);
    if (stale) throw new DomainError(ErrorCode.Conflict, 'the object has been modified: precondition failed');
    if (options.dryRun) return current;
    return this.clusters.delete(name);
  }
}

/** Registration has outside effects (address checks); its dry run is not offered yet. */
function refuseDryRun(query: unknown): void {
  if (dryRunOf(query)) throw badRequest('dryRun is not supported for clusters yet');
}
