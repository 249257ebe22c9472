import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { DomainError } from '#libs/common';
import { ClustersService } from '#libs/registry';
import { ClusterDto, ClusterHistoryDto, ClusterListDto, PatchClusterDto, RegisterClusterDto } from './cluster.dto.js';

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
  @ApiOperation({ summary: 'Update labels, taints, cordon (spec.unschedulable), health checks: JSON merge patch' })
  @ApiBody({ type: PatchClusterDto })
  @ApiOkResponse({ type: ClusterDto })
  patch(@Param('name') name: string, @Body() body: unknown) {
    return this.clusters.patch(name, body);
  }

  @Delete(':name')
  @HttpCode(200)
  @ApiOperation({ summary: 'Remove a member cluster registration (member-side objects stay: use fedctl unjoin)' })
  @ApiOkResponse({ type: ClusterDto })
  delete(@Param('name') name: string) {
    return this.clusters.delete(name);
  }
}
