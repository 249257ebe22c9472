import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query, UnsupportedMediaTypeException } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConflictResponse, ApiConsumes, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AccessRole, type Principal } from '#libs/auth';
import { DomainError } from '#libs/common';
import { ClustersService } from '#libs/registry';
import { CurrentPrincipal } from '../auth/access.decorators.js';
import { ClusterDto, ClusterHistoryDto, ClusterListDto, PatchClusterDto, RegisterClusterDto } from './cluster.dto.js';

/** Media types of a cluster PATCH: a JSON merge patch (kubectl --type merge sends the first). */
const PATCH_CONTENT_TYPES = ['application/merge-patch+json', 'application/json'];

/** `/api/v1/clusters`: the member cluster registry (thin adapter over ClustersService). */
@ApiTags('clusters')
@ApiBearerAuth()
@Controller('api/v1/clusters')
export class ClustersController {
  constructor(private readonly clusters: ClustersService) {}

  @Post()
  @ApiOperation({ summary: 'Register a member cluster (spec.server + caData + credentials, or an uploaded kubeconfig)' })
  @ApiBody({ type: RegisterClusterDto })
  @ApiOkResponse({ type: ClusterDto })
  register(@Body() body: unknown) {
    return this.clusters.register(body);
  }

  @Get()
  @ApiOperation({ summary: 'List member clusters' })
  @ApiQuery({ name: 'labelSelector', required: false, description: 'Kubernetes selector: a=b,c!=d,e in (x,y),!f,g' })
  @ApiOkResponse({ type: ClusterListDto })
  list(@Query('labelSelector') labelSelector?: string) {
    return this.clusters.list(labelSelector);
  }

  @Get(':name')
  @ApiOperation({ summary: 'Get a member cluster' })
  @ApiOkResponse({ type: ClusterDto })
  get(@Param('name') name: string) {
    return this.clusters.get(name);
  }

  @Get(':name/history')
  @ApiOperation({ summary: 'Condition transitions of a member cluster, oldest first' })
  @ApiQuery({ name: 'limit', required: false, description: 'Most recent N transitions (1-500, default 50)' })
  @ApiOkResponse({ type: ClusterHistoryDto })
  async history(@Param('name') name: string, @Query('limit') limit?: string) {
    const n = limit === undefined ? 50 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 500) throw DomainError.invalid([{ path: 'limit', message: 'must be a whole number between 1 and 500' }]);
    return { items: await this.clusters.history(name, n) };
  }

  @Patch(':name')
  @ApiOperation({
    summary: 'Update labels, taints, cordon (spec.unschedulable), health checks: JSON merge patch (RFC 7386)',
    description:
      'Content-Type application/merge-patch+json or application/json. Absent keys stay as stored, null removes, objects merge, ' +
      'arrays replace. metadata.resourceVersion, when given, is a precondition: 409 Conflict when the cluster changed since.',
  })
  @ApiConsumes(...PATCH_CONTENT_TYPES)
  @ApiBody({ type: PatchClusterDto })
  @ApiOkResponse({ type: ClusterDto })
  @ApiConflictResponse({ description: 'metadata.resourceVersion is stale: the cluster was modified since it was read' })
  patch(@Param('name') name: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal | undefined, @Headers('content-type') contentType?: string) {
    const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
    if (mediaType && !PATCH_CONTENT_TYPES.includes(mediaType)) {
      // kubectl's default (strategic merge) and JSON patch (RFC 6902) are parsed as JSON too; refuse them
      // rather than read them as a merge patch (the Kubernetes API does the same for custom resources).
      throw new UnsupportedMediaTypeException(
        `cluster PATCH takes a JSON merge patch (Content-Type ${PATCH_CONTENT_TYPES.join(' or ')}), not ${mediaType}; with kubectl use --type merge`,
      );
    }
    return this.clusters.patch(name, body, { admin: principal?.role === AccessRole.Admin });
  }

  @Delete(':name')
  @HttpCode(200)
  @ApiOperation({ summary: 'Remove a member cluster registration (member-side objects stay: use fedctl unjoin)' })
  @ApiOkResponse({ type: ClusterDto })
  delete(@Param('name') name: string) {
    return this.clusters.delete(name);
  }
}
