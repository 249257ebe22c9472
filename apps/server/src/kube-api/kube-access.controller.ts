import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AccessRole, TokensService, type Principal, type TokenInfo } from '#libs/auth';
import { DomainError } from '#libs/common';
import { FederationEventsService, type FederationEvent } from '#libs/events';
import { CurrentPrincipal, Roles } from '../auth/access.decorators.js';
import { badRequest } from './kube-list.js';
import { KubeResponder, type KubeCollection, type KubeRequest, type KubeResponse } from './kube-responder.js';
import { EVENT_RESOURCE, FEDERATION_VERSION, groupVersionPath, TOKEN_RESOURCE } from './kube-resources.js';
import { dryRunOf, parseDeleteOptions } from './kube-writes.js';
import { eventTable, tokenTable, type EventObject, type TokenObject } from './tables.js';
import { FEDERATION_GROUP } from '#libs/federation';

const API_VERSION = `${FEDERATION_GROUP}/${FEDERATION_VERSION}`;

/** A token as a Kubernetes object (its value only in the answer to its creation, in `status.token`). */
export function tokenObject(t: TokenInfo & { token?: string }): TokenObject & { status: { token?: string } } {
  return {
    apiVersion: API_VERSION,
    kind: 'Token',
    metadata: { name: t.name, creationTimestamp: t.createdAt },
    spec: { role: t.role, expiresAt: t.expiresAt },
    status: { createdBy: t.createdBy, lastUsedAt: t.lastUsedAt, ...(t.token ? { token: t.token } : {}) },
  };
}

/** An event as a Kubernetes object: named by its id. */
export function eventObject(e: FederationEvent): EventObject {
  return {
    apiVersion: API_VERSION,
    kind: 'Event',
    metadata: { name: e.id, creationTimestamp: e.time },
    type: e.type,
    reason: e.reason,
    object: e.object,
    message: e.message,
    details: e.details,
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `{metadata: {name}, spec: {role, expiresIn}}` → what TokensService.create takes (bad shapes → 422). */
function tokenInput(body: unknown): { name: string; role: string; expiresIn?: string } {
  const b = isObject(body) ? body : {};
  const metadata = isObject(b.metadata) ? b.metadata : {};
  const spec = isObject(b.spec) ? b.spec : {};
  const problems = [];
  if (b.kind !== undefined && b.kind !== 'Token') problems.push({ path: 'kind', message: 'must be Token' });
  if (typeof metadata.name !== 'string') problems.push({ path: 'metadata.name', message: 'is required' });
  if (typeof spec.role !== 'string') problems.push({ path: 'spec.role', message: 'is required (viewer, operator or admin)' });
  if (spec.expiresIn !== undefined && typeof spec.expiresIn !== 'string') problems.push({ path: 'spec.expiresIn', message: 'must be a duration like 24h' });
  if (problems.length) throw DomainError.invalid(problems, 'invalid token');
  return { name: metadata.name as string, role: spec.role as string, ...(spec.expiresIn !== undefined ? { expiresIn: spec.expiresIn as string } : {}) };
}

/** `/apis/federation.ubernetes.io/v1/tokens`: API tokens, admin only (the value is returned once, on create). */
@ApiTags('kubernetes')
@ApiBearerAuth()
@Roles(AccessRole.Admin)
@Controller(groupVersionPath(TOKEN_RESOURCE.group, TOKEN_RESOURCE.version))
export class KubeTokensController {
  private readonly collection: KubeCollection<TokenObject & { metadata: { uid?: string } }>;

  constructor(
    private readonly tokens: TokensService,
    private readonly responder: KubeResponder,
  ) {
    this.collection = {
      resource: TOKEN_RESOURCE,
      list: async () => (await this.tokens.list()).map(tokenObject),
      table: tokenTable,
      fingerprint: (t) => JSON.stringify(t),
    };
  }

  @Get('tokens')
  @ApiOperation({ summary: 'List active tokens (never their values)' })
  list(@Req() req: KubeRequest, @Res({ passthrough: true }) res: KubeResponse) {
    return this.responder.list(this.collection, undefined, req, res);
  }

  @Get('tokens/:name')
  @ApiOperation({ summary: 'Get an active token (never its value)' })
  async get(@Param('name') name: string, @Req() req: KubeRequest, @Res({ passthrough: true }) res: KubeResponse) {
    const token = (await this.tokens.list()).find((t) => t.name === name);
    if (!token) throw DomainError.notFound(`token "${name}"`);
    return this.responder.one(this.collection, tokenObject(token), req, res);
  }

  @Post('tokens')
  @ApiOperation({ summary: 'Create a token: {metadata: {name}, spec: {role, expiresIn}}; status.token carries its value once' })
  async create(@Body() body: unknown, @Query() query: unknown, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) res: KubeResponse) {
    if (dryRunOf(query)) throw badRequest('dryRun is not supported for tokens');
    const created = await this.tokens.create(tokenInput(body), principal.actor);
    res.status(201);
    return tokenObject(created);
  }

  @Delete('tokens/:name')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke a token at once' })
  async delete(@Param('name') name: string, @Body() body: unknown, @Query() query: unknown) {
    if (parseDeleteOptions(body, query).dryRun) throw badRequest('dryRun is not supported for tokens');
    return tokenObject(await this.tokens.revoke(name));
  }
}

/** `/apis/federation.ubernetes.io/v1/events`: health, failover and recovery events (the most recent 1000). */
@ApiTags('kubernetes')
@ApiBearerAuth()
@Roles(AccessRole.Viewer)
@Controller(groupVersionPath(EVENT_RESOURCE.group, EVENT_RESOURCE.version))
export class KubeEventsController {
  private readonly collection: KubeCollection<EventObject>;

  constructor(
    private readonly events: FederationEventsService,
    private readonly responder: KubeResponder,
  ) {
    this.collection = {
      resource: EVENT_RESOURCE,
      list: async () => (await this.events.list({ limit: 1000 })).items.map(eventObject),
      table: eventTable,
    };
  }

  @Get('events')
  @ApiOperation({ summary: 'List or watch events, oldest first' })
  list(@Req() req: KubeRequest, @Res({ passthrough: true }) res: KubeResponse) {
    return this.responder.list(this.collection, undefined, req, res);
  }

  @Get('events/:name')
  @ApiOperation({ summary: 'Get one of the most recent 1000 events by id' })
  async get(@Param('name') name: string, @Req() req: KubeRequest, @Res({ passthrough: true }) res: KubeResponse) {
    const event = (await this.events.list({ limit: 1000 })).items.find((e) => e.id === name);
    if (!event) throw DomainError.notFound(`event "${name}"`);
    return this.responder.one(this.collection, eventObject(event), req, res);
  }
}
