import { Body, Controller, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FederatedObjectsService } from '#libs/propagation';
import type { KubeResponse } from './kube-responder.js';
import { groupVersionPath, RSP_RESOURCE } from './kube-resources.js';
import { dryRunOf, warningHeader } from './kube-writes.js';

/**
 * KubeFed's `scheduling.kubefed.io/v1alpha1` ReplicaSchedulingPreference, at KubeFed's own path so that
 * `kubectl create -f rsp.yaml` of a KubeFed manifest works: not stored on its own but folded into
 * `spec.replicaScheduling` of its target (same name). The answer is the preference as sent; the
 * conversion notes come as `Warning` headers.
 */
@ApiTags('kubernetes')
@ApiBearerAuth()
@Controller(`${groupVersionPath(RSP_RESOURCE.group, RSP_RESOURCE.version)}/namespaces/:namespace/replicaschedulingpreferences`)
export class KubeReplicaSchedulingPreferencesController {
  constructor(private readonly service: FederatedObjectsService) {}

  @Post()
  @ApiOperation({ summary: 'Apply a KubeFed ReplicaSchedulingPreference to its FederatedDeployment/FederatedReplicaSet' })
  async create(@Param('namespace') namespace: string, @Body() payload: unknown, @Query() query: unknown, @Res({ passthrough: true }) res: KubeResponse) {
    const result = await this.service.applyReplicaSchedulingPreference(namespace, undefined, payload, { dryRun: dryRunOf(query) });
    res.status(201);
    return echo(payload, namespace, result.conversion, res);
  }

  @Put(':name')
  @ApiOperation({ summary: 'Apply a KubeFed ReplicaSchedulingPreference (idempotent)' })
  async replace(@Param('namespace') namespace: string, @Param('name') name: string, @Body() payload: unknown, @Query() query: unknown, @Res({ passthrough: true }) res: KubeResponse) {
    const result = await this.service.applyReplicaSchedulingPreference(namespace, name, payload, { dryRun: dryRunOf(query) });
    return echo(payload, namespace, result.conversion, res);
  }
}

/** kubectl prints `<kind>/<name> created` from the answer: the preference itself (already validated). */
function echo(payload: unknown, namespace: string, conversion: string[] | undefined, res: KubeResponse): Record<string, unknown> {
  const warning = warningHeader(conversion ?? []);
  if (warning) res.setHeader('Warning', warning);
  const p = payload as Record<string, unknown> & { metadata?: Record<string, unknown> };
  return { ...p, metadata: { ...(p.metadata ?? {}), namespace } };
}
