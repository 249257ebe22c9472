import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query, Res, type Type } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { DomainError } from '#libs/common';
import type { FederatedKind } from '#libs/federation';
import { FederatedObjectsService, type ApplyResult } from '#libs/propagation';

interface StatusResponse {
  status(code: number): unknown;
}

/** `?dryRun=All` (Kubernetes' spelling) or absent. */
function dryRunOf(value: string | undefined): boolean {
  if (value === undefined || value === '') return false;
  if (value === 'All') return true;
  throw DomainError.invalid([{ path: 'dryRun', message: 'must be All' }]);
}

/** The API shape of a write: the object, plus `outcome`, `conversion` notes and the dry-run plan. */
function writeBody(result: ApplyResult): Record<string, unknown> {
  return {
    ...result.object,
    outcome: result.outcome,
    ...(result.conversion ? { conversion: result.conversion, warnings: result.conversion } : {}),
    ...(result.dryRun ? { dryRun: true, plan: result.plan } : {}),
  };
}

/**
 * One REST controller per federated kind (thin adapter over FederatedObjectsService), e.g. for
 * FederatedDeployment: `/api/v1/namespaces/{ns}/federateddeployments[/{name}[/status|/plan]]` and
 * `/api/v1/federateddeployments` (every namespace). Cluster-scoped kinds drop the namespace segment.
 * Built per kind so that every route is a literal path (no catch-all `:plural` that could shadow
 * another feature's route).
 */
export function federatedKindController(kind: FederatedKind): Type<unknown> {
  const scope = kind.namespaced ? 'namespaces/:namespace/' : '';
  const collection = `${scope}${kind.plural}`;
  const item = `${collection}/:name`;
  const ns = (namespace: string | undefined) => (kind.namespaced ? namespace : undefined);

  @ApiTags('federation')
  @ApiBearerAuth()
  @Controller('api/v1')
  class FederatedKindController {
    constructor(@Inject(FederatedObjectsService) protected readonly service: FederatedObjectsService) {}

    @Post(collection)
    @ApiOperation({ summary: `Create a ${kind.kind} (also accepts KubeFed and Federation v1 manifests; ?dryRun=All previews the placement)` })
    @ApiQuery({ name: 'dryRun', required: false })
    async create(@Param('namespace') namespace: string | undefined, @Body() body: unknown, @Query('dryRun') dryRun: string | undefined, @Res({ passthrough: true }) res: StatusResponse) {
      const result = await this.service.create(kind, ns(namespace), body, { dryRun: dryRunOf(dryRun) });
      res.status(result.dryRun ? 200 : 201);
      return writeBody(result);
    }

    @Put(item)
    @ApiOperation({ summary: `Apply a ${kind.kind}: create or update (idempotent); a stale metadata.resourceVersion is refused with 409` })
    @ApiQuery({ name: 'dryRun', required: false })
    async apply(
      @Param('namespace') namespace: string | undefined,
      @Param('name') name: string,
      @Body() body: unknown,
      @Query('dryRun') dryRun: string | undefined,
      @Res({ passthrough: true }) res: StatusResponse,
    ) {
      const result = await this.service.apply(kind, ns(namespace), name, body, { dryRun: dryRunOf(dryRun) });
      res.status(result.outcome === 'created' && !result.dryRun ? 201 : 200);
      return writeBody(result);
    }

    @Get(collection)
    @ApiOperation({ summary: `List ${kind.plural} in a namespace` })
    @ApiQuery({ name: 'labelSelector', required: false })
    list(@Param('namespace') namespace: string | undefined, @Query('labelSelector') labelSelector?: string) {
      return this.service.list(kind, ns(namespace) ?? '', labelSelector);
    }

    @Get(item)
    @ApiOperation({ summary: `Get a ${kind.kind}` })
    get(@Param('namespace') namespace: string | undefined, @Param('name') name: string) {
      return this.service.get(kind, ns(namespace), name);
    }

    @Get(`${item}/status`)
    @ApiOperation({ summary: `Per-cluster status, totals and conditions of a ${kind.kind}` })
    status(@Param('namespace') namespace: string | undefined, @Param('name') name: string) {
      return this.service.status(kind, ns(namespace), name);
    }

    @Post(`${item}/plan`)
    @HttpCode(200)
    @ApiOperation({ summary: `Dry-run placement of a ${kind.kind} (the stored one, or the body when given); nothing is stored` })
    plan(@Param('namespace') namespace: string | undefined, @Param('name') name: string, @Body() body: unknown) {
      return this.service.plan(kind, ns(namespace), name, body);
    }

    @Delete(item)
    @HttpCode(200)
    @ApiOperation({ summary: `Delete a ${kind.kind} and what it created in every member (finishes asynchronously)` })
    @ApiQuery({ name: 'resourceVersion', required: false })
    delete(@Param('namespace') namespace: string | undefined, @Param('name') name: string, @Query('resourceVersion') resourceVersion?: string) {
      return this.service.delete(kind, ns(namespace), name, resourceVersion);
    }
  }
  Object.defineProperty(FederatedKindController, 'name', { value: `${kind.kind}Controller` });

  if (!kind.namespaced) return FederatedKindController;

  /** Namespaced kinds are also listed across every namespace. */
  @ApiTags('federation')
  @ApiBearerAuth()
  @Controller('api/v1')
  class AllNamespacesController extends FederatedKindController {
    @Get(kind.plural)
    @ApiOperation({ summary: `List ${kind.plural} in every namespace` })
    @ApiQuery({ name: 'labelSelector', required: false })
    listAll(@Query('labelSelector') labelSelector?: string) {
      return this.service.list(kind, undefined, labelSelector);
    }
  }
  Object.defineProperty(AllNamespacesController, 'name', { value: `${kind.kind}Controller` });
  return AllNamespacesController;
}
