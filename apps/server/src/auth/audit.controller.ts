import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AccessRole, AuditService, MAX_AUDIT_LIMIT } from '#libs/auth';
import { Roles } from './access.decorators.js';
import { parseInput, sinceParam } from './zod-input.js';

const AuditQuery = z.object({
  actor: z.string().max(300).optional(),
  since: sinceParam('1h'),
  limit: z.coerce.number().int().min(1).max(MAX_AUDIT_LIMIT).default(100),
});

/** The audit trail of mutations, newest first: admin only. */
@ApiTags('access')
@ApiBearerAuth()
@Roles(AccessRole.Admin)
@Controller('api/v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({ summary: 'Read the audit trail (newest first)' })
  @ApiQuery({ name: 'actor', required: false, description: 'e.g. token:ci or oidc:alice' })
  @ApiQuery({ name: 'since', required: false, description: 'ISO timestamp or lookback like 1h' })
  @ApiQuery({ name: 'limit', required: false, description: `1..${MAX_AUDIT_LIMIT}, default 100` })
  async list(@Query() query: unknown) {
    const q = parseInput(AuditQuery, query, 'query');
    return { items: await this.audit.list(q) };
  }
}
