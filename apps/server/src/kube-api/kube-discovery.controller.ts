import { Controller, Get, Headers, NotAcceptableException, NotFoundException, Param, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeController } from '@nestjs/swagger';
import { AppConfig } from '#libs/config';
import { apiGroupList, apiGroupOf, apiResourceList, coreResourceList, coreVersions, versionInfo } from './discovery.js';
import type { KubeResponse } from './kube-responder.js';
import { OPENAPI_V2_PROTOBUF, openApiV2, openApiV2Protobuf, openApiV3, openApiV3Index } from './openapi.js';

/** The server's own version (package.json's, stamped at build; the start script runs from the checkout). */
const SERVER_VERSION = process.env.npm_package_version ?? '0.1.0';

/**
 * Discovery and OpenAPI for kubectl: `/version`, `/api`, `/api/v1`, `/apis`, `/apis/<group>`,
 * `/apis/<group>/<version>`, `/openapi/v2`, `/openapi/v3[/apis/<group>/<version>]`. Read-only, so any
 * authenticated caller (viewer) may read them, as Kubernetes' system:discovery role allows. Not in the
 * `/openapi.json` document (it describes the REST routes; these describe themselves).
 */
@ApiExcludeController()
@ApiBearerAuth()
@Controller()
export class KubeDiscoveryController {
  /** Built once: the documents are functions of the code. */
  private readonly v2 = openApiV2();
  private readonly v2Protobuf = openApiV2Protobuf();
  private readonly v3Index = openApiV3Index();
  private readonly v3 = new Map<string, Record<string, unknown> | undefined>();

  constructor(private readonly config: AppConfig) {}

  @Get('version')
  version() {
    return versionInfo(SERVER_VERSION, this.config.federationName);
  }

  @Get('api')
  core() {
    return coreVersions();
  }

  @Get('api/v1')
  coreResources() {
    return coreResourceList();
  }

  @Get('apis')
  groups() {
    return apiGroupList();
  }

  @Get('apis/:group')
  group(@Param('group') group: string) {
    return apiGroupOf(group) ?? notFound();
  }

  @Get('apis/:group/:version')
  resources(@Param('group') group: string, @Param('version') version: string) {
    return apiResourceList(group, version) ?? notFound();
  }

  /**
   * Swagger 2.0: JSON with every schema, or (what client-go asks for) a minimal protobuf document
   * without definitions, so kubectl's client-side validation skips and the server validates.
   */
  @Get('openapi/v2')
  openApiV2(@Headers('accept') accept: string | undefined) {
    if (accept?.includes(OPENAPI_V2_PROTOBUF)) {
      // Not the '@' media type itself: Go's mime parser refuses it in a Content-Type (as kube-openapi does).
      return new StreamableFile(this.v2Protobuf, { type: 'application/octet-stream' });
    }
    if (accept && !/application\/json|\*\/\*|application\/\*/.test(accept)) throw new NotAcceptableException('only application/json and protobuf are served for /openapi/v2');
    return this.v2;
  }

  @Get('openapi/v3')
  openApiV3Index() {
    return this.v3Index;
  }

  @Get('openapi/v3/apis/:group/:version')
  openApiV3(@Param('group') group: string, @Param('version') version: string, @Res({ passthrough: true }) res: KubeResponse) {
    const key = `${group}/${version}`;
    if (!this.v3.has(key)) this.v3.set(key, openApiV3(group, version));
    const doc = this.v3.get(key);
    if (!doc) return notFound();
    res.setHeader('Cache-Control', 'no-cache, private');
    return doc;
  }
}

function notFound(): never {
  throw new NotFoundException('the server could not find the requested resource');
}
