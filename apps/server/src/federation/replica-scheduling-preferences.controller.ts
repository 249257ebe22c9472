import { Body, Controller, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { DomainError } from '#libs/common';
import { FederatedObjectsService, type ApplyResult } from '#libs/propagation';

function body(result: ApplyResult): Record<string, unknown> {
  return { ...result.object, outcome: result.outcome, ...(result.conversion ? { conversion: result.conversion, warnings: result.conversion } : {}), ...(result.dryRun ? { dryRun: true, plan: result.plan } : {}) };
}

/**
 * KubeFed `scheduling.kubefed.io/v1alpha1` ReplicaSchedulingPreference, accepted unchanged: it is not
 * stored on its own but converted into `spec.replicaScheduling` of its target (same name). The response
 * is the updated federated object with the conversion notes.
 */
@ApiTags('federation')
@ApiBearerAuth()
@Controller('api/v1/namespaces/:namespace/replicaschedulingpreferences')
export class ReplicaSchedulingPreferencesController {
  constructor(private readonly service: FederatedObjectsService) {}

  @Post()
  @ApiOperation({ summary: 'Apply a KubeFed ReplicaSchedulingPreference to its FederatedDeployment/FederatedReplicaSet' })
  @ApiQuery({ name: 'dryRun', required: false })
  async create(@Param('namespace') namespace: string, @Body() payload: unknown, @Query('dryRun') dryRun?: string) {
    return body(await this.service.applyReplicaSchedulingPreference(namespace, undefined, payload, { dryRun: dry(dryRun) }));
  }

  @Put(':name')
  @ApiOperation({ summary: 'Apply a KubeFed ReplicaSchedulingPreference (idempotent)' })
  @ApiQuery({ name: 'dryRun', required: false })
  async apply(@Param('namespace') namespace: string, @Param('name') name: string, @Body() payload: unknown, @Query('dryRun') dryRun?: string) {
    return body(await this.service.applyReplicaSchedulingPreference(namespace, name, payload, { dryRun: dry(dryRun) }));
  }
}

function dry(value: string | undefined): boolean {
  if (value === undefined || value === '') return false;
  if (value === 'All') return true;
  throw DomainError.invalid([{ path: 'dryRun', message: 'must be All' }]);
}
