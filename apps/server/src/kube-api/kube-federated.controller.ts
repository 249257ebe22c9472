import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Patch, Post, Put, Query, Req, Res, type Type } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DomainError, ErrorCode } from '#libs/common';
import type { FederatedKind, FederatedObject } from '#libs/federation';
import { FederatedObjectsService, type ApplyResult } from '#libs/propagation';
import { KubeResponder, type KubeCollection, type KubeRequest, type KubeResponse } from './kube-responder.js';
import { federatedResource, groupVersionPath } from './kube-resources.js';
import { applyPatch, dryRunOf, parseDeleteOptions, patchTypeOf, warningHeader } from './kube-writes.js';
import { federatedTable } from './tables.js';

/** Most rounds of a PATCH without a resourceVersion precondition that lost a race before it gives up. */
const PATCH_ROUNDS = 5;

/**
 * The Kubernetes-compatible routes of one federated kind (thin adapter over FederatedObjectsService, the
 * same service the `/api/v1` aliases call), e.g. for FederatedDeployment under
 * `/apis/federation.ubernetes.io/v1`: `namespaces/{ns}/federateddeployments[/{name}]` and
 * `federateddeployments` (every namespace). Kubernetes semantics: PUT updates an existing object (404
 * when there is none; 409 on a stale `metadata.resourceVersion`), POST creates (409 AlreadyExists),
 * PATCH takes a merge or JSON patch, DELETE marks the object deleting (`deletionTimestamp`) while
 * members are cleaned up. Literal paths per kind, as for the aliases.
 */
export function kubeFederatedController(kind: FederatedKind): Type<unknown> {
  const resource = federatedResource(kind);
  const scope = kind.namespaced ? 'namespaces/:namespace/' : '';
  const collectionPath = `${scope}${kind.plural}`;
  const itemPath = `${collectionPath}/:name`;
  const ns = (namespace: string | undefined) => (kind.namespaced ? namespace : undefined);

  @ApiTags('kubernetes')
  @ApiBearerAuth()
  @Controller(groupVersionPath(resource.group, resource.version))
  class KubeFederatedController {
    readonly collection: KubeCollection<FederatedObject>;

    constructor(
      @Inject(FederatedObjectsService) protected readonly service: FederatedObjectsService,
      @Inject(KubeResponder) protected readonly responder: KubeResponder,
    ) {
      this.collection = {
        resource,
        list: async (namespace, labelSelector) => (await this.service.list(kind, namespace, labelSelector)).items,
        table: (items, options) => federatedTable(kind, items, options),
        // Reconcile writes status without a new resourceVersion: a watch sees status changes too.
        fingerprint: (o) => `${o.metadata.resourceVersion}|${String(o.metadata.deletionTimestamp ?? '')}|${JSON.stringify(o.status ?? null)}`,
      };
    }

    @Get(collectionPath)
    @ApiOperation({ summary: `List or watch ${kind.plural} (Kubernetes list: labelSelector, fieldSelector, limit/continue, watch, Table)` })
    list(@Param('namespace') namespace: string | undefined, @Req() req: KubeRequest, @Res({ passthrough: true }) res: KubeResponse) {
      return this.responder.list(this.collection, ns(namespace) ?? '', req, res);
    }

    @Post(collectionPath)
    @ApiOperation({ summary: `Create a ${kind.kind} (dryRun=All: validated and planned, nothing stored)` })
    async create(@Param('namespace') namespace: string | undefined, @Body() body: unknown, @Query() query: unknown, @Res({ passthrough: true }) res: KubeResponse) {
      const result = await this.service.create(kind, ns(namespace), body, { dryRun: dryRunOf(query) });
      res.status(201);
      return answer(result, res);
    }

    @Get(itemPath)
    @ApiOperation({ summary: `Get a ${kind.kind}` })
    async get(@Param('namespace') namespace: string | undefined, @Param('name') name: string, @Req() req: KubeRequest, @Res({ passthrough: true }) res: KubeResponse) {
      return this.responder.one(this.collection, await this.service.get(kind, ns(namespace), name), req, res);
    }

    @Put(itemPath)
    @ApiOperation({ summary: `Replace a ${kind.kind}: 404 when missing, 409 when metadata.resourceVersion is stale` })
    async replace(
      @Param('namespace') namespace: string | undefined,
      @Param('name') name: string,
      @Body() body: unknown,
      @Query() query: unknown,
      @Res({ passthrough: true }) res: KubeResponse,
    ) {
      const dryRun = dryRunOf(query);
      // Kubernetes' update never creates (the alias PUT does): the object must exist.
      await this.service.get(kind, ns(namespace), name);
      return answer(await this.service.apply(kind, ns(namespace), name, body, { dryRun }), res);
    }

    @Patch(itemPath)
    @ApiOperation({ summary: `Patch a ${kind.kind}: JSON merge patch or JSON patch (add, replace, remove)` })
    async patch(
      @Param('namespace') namespace: string | undefined,
      @Param('name') name: string,
      @Body() body: unknown,
      @Query() query: unknown,
      @Headers('content-type') contentType: string | undefined,
      @Res({ passthrough: true }) res: KubeResponse,
    ) {
      const type = patchTypeOf(contentType);
      const dryRun = dryRunOf(query);
      for (let round = 1; ; round++) {
        const current = await this.service.get(kind, ns(namespace), name);
        const { status: _status, ...stored } = current;
        const patched = applyPatch(stored as unknown as Record<string, unknown>, body, type);
        // Without a resourceVersion in the patch, the patch applies to what was just read (and is
        // tried again when someone else wrote in between), as the Kubernetes API server does.
        const metadata = (patched.metadata ?? {}) as Record<string, unknown>;
        const pinned = metadata.resourceVersion !== current.metadata.resourceVersion;
        try {
          return answer(await this.service.apply(kind, ns(namespace), name, { ...patched, metadata: { ...metadata, uid: undefined } }, { dryRun }), res);
        } catch (error) {
          if (pinned || round >= PATCH_ROUNDS || !(error instanceof DomainError) || error.code !== ErrorCode.Conflict || !/modified/.test(error.message)) throw error;
        }
      }
    }

    @Delete(itemPath)
    @HttpCode(200)
    @ApiOperation({ summary: `Delete a ${kind.kind}: the answer carries deletionTimestamp while members are cleaned up` })
    async delete(@Param('namespace') namespace: string | undefined, @Param('name') name: string, @Body() body: unknown, @Query() query: unknown) {
      const options = parseDeleteOptions(body, query);
      const current = await this.service.get(kind, ns(namespace), name);
      if (options.uid !== undefined && options.uid !== current.metadata.uid) {
        throw new DomainError(ErrorCode.Conflict, `the object has been modified: precondition failed (uid ${options.uid} is not ${current.metadata.uid})`);
      }
      if (options.dryRun) return current;
      return this.service.delete(kind, ns(namespace), name, options.resourceVersion);
    }
  }
  Object.defineProperty(KubeFederatedController, 'name', { value: `Kube${kind.kind}Controller` });

  if (!kind.namespaced) return KubeFederatedController;

  /** Namespaced kinds are also listed (and watched) across every namespace. */
  @ApiTags('kubernetes')
  @ApiBearerAuth()
  @Controller(groupVersionPath(resource.group, resource.version))
  class KubeAllNamespacesController extends KubeFederatedController {
    @Get(kind.plural)
    @ApiOperation({ summary: `List or watch ${kind.plural} in every namespace` })
    listAll(@Req() req: KubeRequest, @Res({ passthrough: true }) res: KubeResponse) {
      return this.responder.list(this.collection, undefined, req, res);
    }
  }
  Object.defineProperty(KubeAllNamespacesController, 'name', { value: `Kube${kind.kind}Controller` });
  return KubeAllNamespacesController;
}

/** The stored (or, for a dry run, would-be) object; conversion notes as `Warning` headers. */
function answer(result: ApplyResult, res: KubeResponse): FederatedObject {
  const warning = warningHeader(result.conversion ?? []);
  if (warning) res.setHeader('Warning', warning);
  return result.object;
}
