import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AccessRole } from '#libs/auth';
import { FederationEventsService } from '#libs/events';
import { Roles } from '../auth/access.decorators.js';
import { parseInput, sinceParam } from '../auth/zod-input.js';

const EventsQuery = z.object({
  since: sinceParam('10m'),
  after: z.string().regex(/^\d{1,18}$/, 'must be an event id').optional(),
  object: z.string().min(1).max(600).optional(),
  reason: z.string().regex(/^[A-Za-z]{1,64}$/, 'must be a reason such as ReplicasMoved').optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

/** `/api/v1/events`: cluster health, failover and recovery events, oldest first. */
@ApiTags('events')
@ApiBearerAuth()
@Roles(AccessRole.Viewer)
@Controller('api/v1/events')
export class EventsController {
  constructor(private readonly events: FederationEventsService) {}

  @Get()
  @ApiOperation({ summary: 'Events (cluster NotReady/Ready, zone down/up, replicas moved, recovery), oldest first' })
  @ApiQuery({ name: 'since', required: false, description: 'ISO timestamp or lookback like 10m' })
  @ApiQuery({ name: 'after', required: false, description: 'only events newer than this event id (watch cursor)' })
  @ApiQuery({ name: 'object', required: false, description: 'Cluster/eu-1, Zone/us-east-1a, FederatedDeployment/default/web, or a prefix ending in /' })
  @ApiQuery({ name: 'reason', required: false, description: 'e.g. ReplicasMoved' })
  @ApiQuery({ name: 'limit', required: false, description: 'most recent N (1-1000, default 200)' })
  list(@Query() query: unknown) {
    return this.events.list(parseInput(EventsQuery, query, 'query'));
  }
}
